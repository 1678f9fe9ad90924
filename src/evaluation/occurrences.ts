import { InvalidTaskError, TickworkError } from '../errors.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { dueSlots } from './dueSlots.js';
import { zoneMinute } from './zoneMinute.js';

/** One scheduled slot of one task. */
export interface Occurrence {
  readonly name: string;
  readonly at: Date;
}

const MINUTE_MS = 60_000;
/** Each compiled schedule's tasks in name order (`localeCompare`'s), worked out once. */
const inNameOrder = new WeakMap<readonly CompiledTask[], readonly CompiledTask[]>();

/**
 * Slots at the same instant sort by name. `dueSlots` keeps the order of the tasks it is given within
 * an instant, so a schedule's tasks are put in name order once (`Schedule.compiled()` returns the same
 * array every time) and each minute's slots come out already sorted: no sort per call, which was most
 * of the cost of a minute with a thousand slots.
 */
function nameOrdered(tasks: readonly CompiledTask[]): readonly CompiledTask[] {
  let ordered = inNameOrder.get(tasks);
  if (ordered === undefined) {
    const order = new Intl.Collator();
    ordered = [...tasks].sort((a, b) => order.compare(a.definition.name, b.definition.name));
    inNameOrder.set(tasks, ordered);
  }
  return ordered;
}
/** How far `nextRuns` looks ahead: beyond a leap year, any valid expression has fired. */
const NEXT_RUNS_HORIZON_MS = 400 * 86_400_000;

/**
 * Every slot of `tasks` in `[from, to)`, sorted by time then name — time zones, DST, sub-minute slots
 * and `every()` intervals included; runtime filters (`when`, `skip`, `between`, environments) are not
 * applied. It walks the same per-minute engine as the tick, so a listing and the tick cannot disagree.
 */
export function occurrences(tasks: readonly CompiledTask[], from: Date, to: Date): Occurrence[] {
  assertRange(from, to);
  const ordered = nameOrdered(tasks);
  const found: Occurrence[] = [];
  const start = from.getTime();
  const end = to.getTime();
  // Minutes in order, and each minute's slots by time then name: the list is sorted as it is built.
  for (let minute = Math.floor(start / MINUTE_MS) * MINUTE_MS; minute < end; minute += MINUTE_MS) {
    for (const slot of dueSlots(ordered, new Date(minute))) {
      const time = slot.at.getTime();
      if (time >= start && time < end) found.push({ name: slot.task.definition.name, at: slot.at });
    }
  }
  return found;
}

/** The next `count` slots of the task `name` at or after `from` (fewer if it fires less within ~13 months). */
export function nextRuns(tasks: readonly CompiledTask[], name: string, from: Date, count: number): Date[] {
  const task = tasks.find((t) => t.definition.name === name);
  if (task === undefined) throw new InvalidTaskError(name, 'no task has this name');
  assertRange(from, new Date(from.getTime() + 1));
  if (!Number.isInteger(count) || count < 1) {
    throw new TickworkError('INVALID_ARGUMENT', `nextRuns() expects a count of at least 1, got ${count}`);
  }
  const runs: Date[] = [];
  const end = from.getTime() + NEXT_RUNS_HORIZON_MS;
  let minute = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS;
  while (minute < end && runs.length < count) {
    const slots = dueSlots([task], new Date(minute));
    for (const slot of slots) if (slot.at >= from && runs.length < count) runs.push(slot.at);
    // Skip the rest of a wall-clock hour that cannot match. Landing on the next hour boundary is safe
    // across DST: it is the first instant after a gap (where gap-shifted runs fire) or the start of a
    // repeated hour, and both are evaluated.
    const zone = zoneMinute(new Date(minute), task.definition.timezone);
    const skip = slots.length === 0 && zone.skipped.length === 0 && !task.cron.matchesHour(zone.clock);
    minute += skip ? (60 - zone.clock.minute) * MINUTE_MS : MINUTE_MS;
  }
  return runs;
}

function assertRange(from: Date, to: Date): void {
  if (!(from instanceof Date) || Number.isNaN(from.getTime()) || !(to instanceof Date) || Number.isNaN(to.getTime())) {
    throw new TickworkError('INVALID_ARGUMENT', `expected valid Dates, got ${String(from)} and ${String(to)}`);
  }
  if (to <= from) throw new TickworkError('INVALID_ARGUMENT', `expected from before to, got ${from.toISOString()} ≥ ${to.toISOString()}`);
}
