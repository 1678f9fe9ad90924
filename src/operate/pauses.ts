import type { PauseState, Pauses } from '../store/Store.js';

/** A pause that applies to a task: its own, else the whole scheduler's. */
export type EffectivePause = PauseState & { readonly scope: 'scheduler' | 'task' };

/** The pause a tick would apply to `task` now (the task's own beats the scheduler's: its note is the more precise). */
export function effectivePause(pauses: Pauses, task: string): EffectivePause | undefined {
  const own = pauses.tasks.get(task);
  if (own !== undefined) return { ...own, scope: 'task' };
  return pauses.all === undefined ? undefined : { ...pauses.all, scope: 'scheduler' };
}
