import type { CompiledTask } from '../kernel/Schedule.js';
import type { WallClock } from './wallClock.js';
import { zoneMinute, type ZoneMinute } from './zoneMinute.js';

/** One scheduled instant of one task. */
export interface DueSlot {
  readonly task: CompiledTask;
  /** The slot's scheduled instant (UTC, to the second). */
  readonly at: Date;
  /** `at` as an ISO-8601 string: the slot's identity in claims and run records. */
  readonly slot: string;
  /** The wall clock of the slot's minute in the task's time zone (what windows are judged against). */
  readonly clock: WallClock;
  /** The payload of a one-off run (`dispatchAt`), as JSON; scheduled slots have none. */
  readonly payload?: string;
}

const MINUTE_MS = 60_000;

/**
 * The slots of `tasks` that fall in the minute starting at `minute`, ordered by time then by
 * declaration order. Pure: time comes in as an argument, nothing is read from the clock. Each time
 * zone's wall clock and DST situation is worked out once per call, however many tasks share it.
 *
 * DST (docs/design.md#daylight-saving-time): expressions are matched on the zone's wall clock, so wildcard and step hours follow
 * elapsed time through both transitions. Fixed-time expressions run once per local day: a time that
 * falls in a spring-forward gap runs at the first instant after it, and in a repeated fall-back hour
 * only the first pass counts.
 */
export function dueSlots(tasks: readonly CompiledTask[], minute: Date): DueSlot[] {
  const zones = new Map<string, ZoneMinute>();
  const epochMinute = Math.floor(minute.getTime() / MINUTE_MS);
  const slots: DueSlot[] = [];
  // Slots at the same second share one instant and one ISO string: a minute where a thousand tasks
  // are due formats it once, not a thousand times.
  const instants = new Map<number, { at: Date; slot: string }>();
  for (const task of tasks) {
    const { timezone, intervalMinutes, repeatSeconds } = task.definition;
    if (intervalMinutes !== undefined && epochMinute % intervalMinutes !== 0) continue;
    let zone = zones.get(timezone);
    if (zone === undefined) {
      zone = zoneMinute(minute, timezone);
      zones.set(timezone, zone);
    }
    if (!isDue(task, zone)) continue;
    for (const second of repeatSeconds === undefined ? task.cron.seconds : secondsEvery(repeatSeconds)) {
      let instant = instants.get(second);
      if (instant === undefined) {
        const at = new Date(minute.getTime() + second * 1000);
        instant = { at, slot: at.toISOString() };
        instants.set(second, instant);
      }
      slots.push({ task, at: instant.at, slot: instant.slot, clock: zone.clock });
    }
  }
  return slots.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function isDue({ cron }: CompiledTask, zone: ZoneMinute): boolean {
  if (!cron.fixedTime) return cron.matches(zone.clock);
  if (zone.secondPass) return false;
  return cron.matches(zone.clock) || zone.skipped.some((clock) => cron.matches(clock));
}

function secondsEvery(step: number): number[] {
  return Array.from({ length: 60 / step }, (_, i) => i * step);
}
