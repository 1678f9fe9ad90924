import type { CompiledTask } from '../kernel/Schedule.js';

/** One scheduled instant of one task. */
export interface DueSlot {
  readonly task: CompiledTask;
  /** The slot's scheduled instant (UTC, to the second). */
  readonly at: Date;
  /** `at` as an ISO-8601 string: the slot's identity in claims and run records. */
  readonly slot: string;
}

/**
 * The slots of `tasks` that fall in the minute starting at `minute`, ordered by time then by
 * declaration order. Pure: time comes in as an argument, nothing is read from the clock.
 */
export function dueSlots(tasks: readonly CompiledTask[], minute: Date): DueSlot[] {
  const slots: DueSlot[] = [];
  for (const task of tasks) {
    if (!task.cron.matchesMinute(minute)) continue;
    for (const second of task.cron.seconds) {
      const at = new Date(minute.getTime() + second * 1000);
      slots.push({ task, at, slot: at.toISOString() });
    }
  }
  return slots.sort((a, b) => a.at.getTime() - b.at.getTime());
}
