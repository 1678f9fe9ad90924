import type { CompiledTask } from '../kernel/Schedule.js';
import { nextRuns } from './occurrences.js';

/** Slots fetched per call while walking the horizon: an every-second task has 60 a minute. */
const BATCH = 2_000;

/**
 * The longest time between two consecutive slots of `task` from `from` over `horizonMs`, walking the
 * tick's own engine (time zones, DST, sub-minute slots, `every()` intervals), in milliseconds — or
 * undefined when two slots never fall within the horizon (the task runs less often than that).
 * Only slots `accept` takes count (the static filters, say). Runtime filters are not applied: a
 * `when()` that says no makes a real gap longer.
 *
 * @example
 * longestGapMs(dailyAt0200InParis, new Date('2026-11-23T00:00:00Z'), 8 * 86_400_000); // 86_400_000
 */
export function longestGapMs(tasks: readonly CompiledTask[], name: string, from: Date, horizonMs: number, accept: (at: Date) => boolean = () => true): number | undefined {
  const end = from.getTime() + horizonMs;
  let previous: number | undefined;
  let longest: number | undefined;
  let cursor = from;
  for (;;) {
    const runs = nextRuns(tasks, name, cursor, BATCH);
    for (const run of runs) {
      if (!accept(run)) continue;
      const at = run.getTime();
      if (previous === undefined && at > end) return undefined; // not one slot within the horizon
      if (previous !== undefined) longest = Math.max(longest ?? 0, at - previous);
      if (at > end) return longest; // the gap that reaches past the horizon counts too
      previous = at;
    }
    // No slot past the horizon within the ~13 months `nextRuns` looks ahead: too rare to tell.
    if (runs.length < BATCH || previous === undefined) return undefined;
    cursor = new Date(previous + 1);
  }
}
