import { dueSlots } from '../evaluation/dueSlots.js';
import { nextRuns } from '../evaluation/occurrences.js';
import { zoneMinute, type ZoneMinute } from '../evaluation/zoneMinute.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { clockTime, wallTime } from './format.js';
import { latestSlot, staticFilter, type StaticFilterReason } from './staticFilters.js';

const MINUTE_MS = 60_000;
/** How far back `why` looks for the slot before a time that is not one. */
const PREVIOUS_LOOK_BACK_MS = 24 * 60 * MINUTE_MS;

/** The DST rule that decided a minute (docs/design.md#daylight-saving-time), when one did. */
export type DstRule =
  /** The minute right after a spring-forward gap: fixed-time occurrences inside the gap run here. */
  | { readonly kind: 'gap'; readonly skipped: string; readonly note: string }
  /** The second pass of a repeated fall-back hour. */
  | { readonly kind: 'repeated'; readonly note: string };

/** Whether an instant is one of a task's slots, and why — from the tick's own engine. */
export interface SlotMatch {
  /** The instant as a slot identity (ISO). */
  readonly slot: string;
  readonly isSlot: boolean;
  readonly zone: string;
  /** The wall clock of the instant's minute in the task's zone. */
  readonly wallTime: string;
  /** One sentence: does the expression match, and why. */
  readonly rule: string;
  readonly dst?: DstRule;
  /** Set when `environments()`, `between()` or `unlessBetween()` rules the slot out (never recorded). */
  readonly filter?: StaticFilterReason;
  /** `when()`/`skip()` conditions the task has: decided at tick time only, recorded when they say no. */
  readonly conditions: number;
  /** The nearest slots around an instant that is not one. */
  readonly previous?: string;
  readonly next?: string;
}

/**
 * Explains whether `at` is a slot of `task` and which DST rule applied. Pure: the same `dueSlots` the
 * tick runs decides; this only says why.
 */
export function matchSlot(tasks: readonly CompiledTask[], task: CompiledTask, at: Date, stage: string): SlotMatch {
  const { definition } = task;
  const minute = new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
  const zone = zoneMinute(minute, definition.timezone);
  const slot = at.toISOString();
  const isSlot = dueSlots([task], minute).some((s) => s.slot === slot);
  const dst = dstRule(task, zone, definition.timezone);
  const filter = isSlot ? staticFilter(definition, zone.clock, stage) : undefined;
  const around = isSlot ? {} : neighbours(tasks, task, at);
  return {
    slot,
    isSlot,
    zone: definition.timezone,
    wallTime: wallTime(zone.clock),
    rule: ruleSentence(task, zone, at, isSlot),
    ...(dst === undefined ? {} : { dst }),
    ...(filter === undefined ? {} : { filter }),
    conditions: definition.filters.when.length + definition.filters.skip.length,
    ...around,
  };
}

function ruleSentence({ definition, cron }: CompiledTask, zone: ZoneMinute, at: Date, isSlot: boolean): string {
  const expression = `"${definition.expression}"`;
  const where = `${wallTime(zone.clock)} in ${definition.timezone}`;
  const gapMatch = zone.skipped.find((clock) => cron.matches(clock));
  if (isSlot && cron.fixedTime && !cron.matches(zone.clock) && gapMatch !== undefined) {
    return `${expression} names ${clockTime(gapMatch)}, which does not exist that day; it runs once, at the first instant after the gap: ${where}`;
  }
  if (isSlot) return `${expression} matches ${where}`;
  if (definition.intervalMinutes !== undefined && Math.floor(at.getTime() / MINUTE_MS) % definition.intervalMinutes !== 0) {
    return `every ${definition.intervalMinutes} minutes counts from 00:00 UTC: ${where} is not one of them`;
  }
  if (cron.fixedTime && zone.secondPass && cron.matches(zone.clock)) {
    return `${expression} matches ${where}, but this is the repeated hour's second pass: a fixed-time expression runs on the first pass only`;
  }
  if (cron.matches(zone.clock) || zone.skipped.some((clock) => cron.matches(clock))) {
    return `${expression} matches the minute ${where}, but not at second ${at.getUTCSeconds()}${at.getUTCMilliseconds() === 0 ? '' : `.${at.getUTCMilliseconds()}`}`;
  }
  return `${expression} does not match ${where}`;
}

function dstRule({ cron }: CompiledTask, zone: ZoneMinute, timezone: string): DstRule | undefined {
  const first = zone.skipped[0];
  const last = zone.skipped[zone.skipped.length - 1];
  if (first !== undefined && last !== undefined) {
    const skipped = `${clockTime(first)}–${clockTime(last)}`;
    const note = cron.fixedTime
      ? `clocks in ${timezone} jumped from ${clockTime(first)} to ${clockTime(zone.clock)}: ${skipped} did not exist; a fixed-time occurrence in the gap runs once, now`
      : `clocks in ${timezone} jumped from ${clockTime(first)} to ${clockTime(zone.clock)}: a wildcard or stepped hour follows elapsed time and just continues`;
    return { kind: 'gap', skipped, note };
  }
  if (zone.secondPass) {
    const note = cron.fixedTime
      ? `${clockTime(zone.clock)} happens twice in ${timezone} this day (clocks fell back); this is the second pass, where a fixed-time expression does not run`
      : `${clockTime(zone.clock)} happens twice in ${timezone} this day (clocks fell back); a wildcard or stepped hour runs in both passes`;
    return { kind: 'repeated', note };
  }
  return undefined;
}

function neighbours(tasks: readonly CompiledTask[], task: CompiledTask, at: Date): { previous?: string; next?: string } {
  const previous = latestSlot(task, at.getTime() - 1, PREVIOUS_LOOK_BACK_MS);
  const [next] = nextRuns(tasks, task.definition.name, at, 1);
  return { ...(previous === undefined ? {} : { previous: previous.slot }), ...(next === undefined ? {} : { next: next.toISOString() }) };
}
