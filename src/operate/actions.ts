import { createDispatch, type QueuedDispatch } from '../dispatch/dispatchAt.js';
import { InvalidActionError, InvalidDispatchError, TickworkError } from '../errors.js';
import type { Schedule } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';

export interface ScheduleActionsOptions {
  /**
   * The kernel: needed to pause one task or queue a run (the name must be one of its tasks); pausing
   * the whole scheduler and resuming need none, so they work where the kernel does not load.
   */
  readonly schedule?: Schedule;
  /** The deployment's store: where pauses and queued runs are written. */
  readonly store: Store;
  /** The stage, named in the messages. */
  readonly stage: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What an action did, in one line: what `tickwork pause`/`resume`/`dispatch` print, and the dashboard shows. */
export interface ActionResult {
  readonly message: string;
}

/**
 * The writes an operator makes on a schedule — pause, resume, a one-off run — for `tickwork pause`,
 * `resume`, `dispatch` and the dashboard alike, so each is recorded the same way whoever asks: a pause
 * is one item with its note and time, a run is one queued item the next tick claims like any slot
 * (README, "One-off runs"). Each checks its input first and throws `InvalidActionError` (or
 * `InvalidDispatchError`) naming the field, before anything is written.
 *
 * @example
 * const actions = new ScheduleActions({ schedule, store, stage: 'prod' });
 * await actions.pause({ task: 'reports:daily', note: 'bad upstream data' });
 */
export class ScheduleActions {
  readonly #options: ScheduleActionsOptions;

  constructor(options: ScheduleActionsOptions) {
    this.#options = options;
  }

  /** Checks a pause without writing it: a note is required, and a task must be one of the kernel's (a typo would pause nothing). */
  checkPause(request: { readonly task?: string; readonly note?: string }): { readonly task?: string; readonly note: string } {
    const note = request.note?.trim() ?? '';
    if (note === '') throw new InvalidActionError('note', 'a pause needs a note saying why (shown in every skipped slot\'s log line)');
    if (request.task !== undefined) this.checkTask(request.task);
    return { ...(request.task === undefined ? {} : { task: request.task }), note };
  }

  /** Pauses the scheduler, or one task: ticks skip it with reason `paused` until resumed. */
  async pause(request: { readonly task?: string; readonly note?: string }): Promise<ActionResult> {
    const { task, note } = this.checkPause(request);
    await this.#options.store.pause({ ...(task === undefined ? {} : { task }), note, pausedAt: this.#now() });
    return { message: `paused ${what(task)} (${this.#options.stage}): ${note}` };
  }

  /**
   * Lifts a pause. Any name is taken, so that a pause outliving its task can still be lifted. A resume
   * removes the pause's item and the store keeps no record of it, so a `note` is not stored: it is
   * only said in the message, where the operator's terminal or the dashboard shows it.
   */
  async resume(task?: string, note?: string): Promise<ActionResult> {
    const had = await this.#options.store.resume(task);
    const why = note?.trim() ? `: ${note.trim()}` : '';
    return { message: had ? `resumed ${what(task)} (${this.#options.stage})${why}` : `${what(task)} was not paused (${this.#options.stage})` };
  }

  /** Queues a one-off run of `task` at `at` (default now): the first tick from then on runs it, once. */
  async dispatch(task: string, options: { readonly at?: Date; readonly payload?: unknown } = {}): Promise<ActionResult & { readonly queued: QueuedDispatch }> {
    const schedule = this.#schedule();
    this.checkTask(task);
    const at = options.at ?? new Date(this.#now());
    const queued = await createDispatch({ store: this.#options.store, schedule, now: this.#options.now }).dispatchAt(at, task, options.payload);
    return { queued, message: `queued ${queued.task} for ${queued.at.toISOString()} (${this.#options.stage}), slot ${queued.slot}` };
  }

  /** `task` must be one of the kernel's. */
  checkTask(task: string): void {
    const names = this.#schedule().tasks().map((t) => t.name);
    if (!names.includes(task)) {
      throw new InvalidActionError('task', `unknown task ${JSON.stringify(task)}: the kernel has ${names.map((n) => JSON.stringify(n)).join(', ') || 'no tasks'}`);
    }
  }

  #schedule(): Schedule {
    if (this.#options.schedule === undefined) throw new TickworkError('INVALID_ARGUMENT', 'ScheduleActions needs the kernel (options.schedule) to act on one task');
    return this.#options.schedule;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/** Whether `error` is bad input to an action (shown to the user as such) rather than a failure. */
export function isInvalidAction(error: unknown): error is InvalidActionError | InvalidDispatchError {
  return error instanceof InvalidActionError || error instanceof InvalidDispatchError;
}

function what(task: string | undefined): string {
  return task === undefined ? 'the scheduler' : `task "${task}"`;
}
