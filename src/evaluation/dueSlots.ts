import type { CompiledTask } from '../kernel/Schedule.js';
import { wallClock, type WallClock } from './wallClock.js';

/** One scheduled instant of one task. */
export interface DueSlot {
  readonly task: CompiledTask;
  /** The slot's scheduled instant (UTC, to the second). */
  readonly at: Date;
  /** `at` as an ISO-8601 string: the slot's identity in claims and run records. */
  readonly slot: string;
  /** The wall clock of the slot's minute in the task's time zone (what windows are judged against). */
  readonly clock: WallClock;
}

const MINUTE_MS = 60_000;

/**
 * The slots of `tasks` that fall in the minute starting at `minute`, ordered by time then by
 * declaration order. Pure: time comes in as an argument, nothing is read from the clock. The wall
 * clock of each time zone is worked out once per call, however many tasks share it.
 */
export function dueSlots(tasks: readonly CompiledTask[], minute: Date): DueSlot[] {
  const clocks = new Map<string, WallClock>();
  const epochMinute = Math.floor(minute.getTime() / MINUTE_MS);
  const slots: DueSlot[] = [];
  for (const task of tasks) {
    const { timezone, intervalMinutes, repeatSeconds } = task.definition;
    if (intervalMinutes !== undefined && epochMinute % intervalMinutes !== 0) continue;
    let clock = clocks.get(timezone);
    if (clock === undefined) {
      clock = wallClock(minute, timezone);
      clocks.set(timezone, clock);
    }
    if (!task.cron.matches(clock)) continue;
    for (const second of repeatSeconds === undefined ? task.cron.seconds : secondsEvery(repeatSeconds)) {
      const at = new Date(minute.getTime() + second * 1000);
      slots.push({ task, at, slot: at.toISOString(), clock });
    }
  }
  return slots.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function secondsEvery(step: number): number[] {
  return Array.from({ length: 60 / step }, (_, i) => i * step);
}
