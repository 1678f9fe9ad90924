import { iso } from './format.js';
import type { PauseState, Pauses } from '../store/Store.js';

/** A pause that applies to a task: its own, else the whole scheduler's. */
export type EffectivePause = PauseState & { readonly scope: 'scheduler' | 'task' };

/** The pause a tick would apply to `task` now (the task's own beats the scheduler's: its note is the more precise). */
export function effectivePause(pauses: Pauses, task: string): EffectivePause | undefined {
  const own = pauses.tasks.get(task);
  if (own !== undefined) return { ...own, scope: 'task' };
  return pauses.all === undefined ? undefined : { ...pauses.all, scope: 'scheduler' };
}

/** A pause as the read side shows it: times as ISO. */
export interface PauseView {
  readonly note: string;
  readonly pausedAt: string;
  readonly scope: 'scheduler' | 'task';
}

export function pauseView(pause: EffectivePause): PauseView {
  return { note: pause.note, pausedAt: iso(pause.pausedAt), scope: pause.scope };
}
