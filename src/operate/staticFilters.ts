import { dueSlots, type DueSlot } from '../evaluation/dueSlots.js';
import type { WallClock } from '../evaluation/wallClock.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { TaskDefinition } from '../kernel/types.js';
import { inWindow } from '../runner/filters.js';
import { SKIP_REASON } from '../vocabulary.js';

/** The filters every tick decides alike, and so never writes on a slot. */
export type StaticFilterReason = typeof SKIP_REASON.environment | typeof SKIP_REASON.outsideBetween | typeof SKIP_REASON.insideUnlessBetween;

const MINUTE_MS = 60_000;

/**
 * Which of `environments()`, `between()` and `unlessBetween()` rules the slot out, in `filterReason`'s
 * order. `when()`/`skip()` are left out on purpose: they run the user's code, which a read must not
 * do, and the tick records their refusals on the slot anyway.
 */
export function staticFilter(definition: Pick<TaskDefinition, 'filters'>, clock: WallClock, stage: string): StaticFilterReason | undefined {
  const { filters } = definition;
  if (filters.environments !== undefined && !filters.environments.includes(stage)) return SKIP_REASON.environment;
  if (filters.between !== undefined && !inWindow(filters.between, clock)) return SKIP_REASON.outsideBetween;
  if (filters.unlessBetween !== undefined && inWindow(filters.unlessBetween, clock)) return SKIP_REASON.insideUnlessBetween;
  return undefined;
}

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
