import { dueSlots, type DueSlot } from '../evaluation/dueSlots.js';
import type { CompiledTask } from '../kernel/Schedule.js';

// The tick's own static filters: a read decides them exactly as the tick does.
export { staticFilter, type StaticFilterReason } from '../runner/filters.js';

const MINUTE_MS = 60_000;

/**
 * The task's latest slot at or before `at` that `accept` takes, looking back at most `lookBackMs`.
 * Walks the tick's own engine minute by minute, so DST and intervals count exactly as the tick counts them.
 */
export function latestSlot(task: CompiledTask, at: number, lookBackMs: number, accept: (slot: DueSlot) => boolean = () => true): DueSlot | undefined {
  const stop = at - lookBackMs;
  for (let minute = Math.floor(at / MINUTE_MS) * MINUTE_MS; minute >= stop; minute -= MINUTE_MS) {
    const slots = dueSlots([task], new Date(minute)).filter((s) => s.at.getTime() <= at && accept(s));
    const last = slots[slots.length - 1];
    if (last !== undefined) return last;
  }
  return undefined;
}
