import type { DueSlot } from '../evaluation/dueSlots.js';
import type { WallClock } from '../evaluation/wallClock.js';
import { minuteOfDay, parseClockTime } from '../kernel/clockTime.js';
import { SKIP_REASON, type SkipReason } from '../vocabulary.js';
import type { Condition, ConditionContext, TaskDefinition, TimeWindow } from '../kernel/types.js';

/** Why a due slot was filtered out before it ran (values of `SKIP_REASON`). */
export type FilterReason = Extract<SkipReason, 'environment' | 'when-false' | 'skip-true' | 'outside-between' | 'inside-unless-between'>;
/** The filters every tick decides alike, and so never writes on a slot (`staticFilter`). */
export type StaticFilterReason = typeof SKIP_REASON.environment | typeof SKIP_REASON.outsideBetween | typeof SKIP_REASON.insideUnlessBetween;

/**
 * Applies a task's runtime filters to one slot, at tick time, for the slot's own minute and the
 * task's time zone — never captured when the module loaded. Cheap checks run first; conditions run
 * in declaration order and stop at the first that rules the slot out. A condition that throws
 * rejects, and the caller reports the slot failed.
 */
export async function filterReason(due: DueSlot, stage: string): Promise<FilterReason | undefined> {
  const ruledOut = staticFilter(due.task.definition, due.clock, stage);
  if (ruledOut !== undefined) return ruledOut;
  const { name, filters } = due.task.definition;
  const context: ConditionContext = { name, scheduledAt: due.at, stage };
  for (const condition of filters.when) if (!(await holds(condition, context, 'when'))) return 'when-false';
  for (const condition of filters.skip) if (await holds(condition, context, 'skip')) return 'skip-true';
  return undefined;
}

/**
 * Which of `environments()`, `between()` and `unlessBetween()` rules the slot out: the filters every
 * tick decides alike — they depend only on the stage and the slot's wall clock — and so never writes
 * on a slot. `when()`/`skip()` are left out on purpose: they run the user's code, which a read must not
 * do, and the tick records their refusals on the slot anyway.
 */
export function staticFilter(definition: Pick<TaskDefinition, 'filters'>, clock: WallClock, stage: string): StaticFilterReason | undefined {
  const { filters } = definition;
  if (filters.environments !== undefined && !filters.environments.includes(stage)) return SKIP_REASON.environment;
  if (filters.between !== undefined && !inWindow(filters.between, clock)) return SKIP_REASON.outsideBetween;
  if (filters.unlessBetween !== undefined && inWindow(filters.unlessBetween, clock)) return SKIP_REASON.insideUnlessBetween;
  return undefined;
}

/** Inclusive at both ends, as Laravel's; a window whose end is before its start wraps midnight. */
export function inWindow(window: TimeWindow, clock: WallClock): boolean {
  const now = clock.hour * 60 + clock.minute;
  const start = minuteOfDay(parseClockTime(window.start) ?? { hour: 0, minute: 0 });
  const end = minuteOfDay(parseClockTime(window.end) ?? { hour: 23, minute: 59 });
  return start <= end ? now >= start && now <= end : now >= start || now <= end;
}

async function holds(condition: Condition, context: ConditionContext, method: string): Promise<boolean> {
  if (typeof condition === 'boolean') return condition;
  try {
    return Boolean(await condition(context));
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`${method}() condition threw: ${detail}`, { cause: error });
  }
}
