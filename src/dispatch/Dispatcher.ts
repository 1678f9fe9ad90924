/**
 * The dispatcher port: how the tick hands a claimed slot of a fan-out task (`runInBackground()`,
 * `onLambda()`) to that task's own Lambda. One AWS adapter per transport (EventBridge `PutEvents`,
 * Lambda async invoke) and an in-memory one for unit tests.
 */

/** `source` of every task event Tickwork puts on its bus. */
export const TASK_EVENT_SOURCE = 'tickwork';

/** `detail-type` of every task event; the per-task rules match on it and on `detail.task`. */
export const TASK_EVENT_DETAIL_TYPE = 'Tickwork Task Due';

/** The `detail` of a task event: everything the task worker needs to claim and run one slot. */
export interface TaskEventDetail {
  /** Schema version of this detail. */
  readonly version: 1;
  /** The event's identity, derived from `(deployment, task, slot)`: the same slot always has the same id. */
  readonly id: string;
  readonly deployment: string;
  readonly task: string;
  /** The slot's identity in claims and run records. */
  readonly slot: string;
  /** The instant the slot is scheduled for (ISO-8601). */
  readonly at: string;
  /** Who claimed the slot (the tick's request id); the worker's start is conditional on it. */
  readonly owner: string;
  /** The overlap lease's fence token, for `withoutOverlapping()` tasks; otherwise null. */
  readonly fence: number | null;
  /** Which dispatch attempt of this slot this is, from 1. */
  readonly attempt: number;
  /** The payload of a one-off dispatch (`dispatchAt`/`dispatchAfter`), if any. */
  readonly payload?: unknown;
}

/** How one event fared: delivered to the transport, or given up on after its retries. */
export type DispatchOutcome =
  | { readonly id: string; readonly dispatched: true; readonly attempts: number }
  | { readonly id: string; readonly dispatched: false; readonly attempts: number; readonly error: string };

export interface Dispatcher {
  /**
   * Sends every event, retrying each failed one with backoff. Never throws for a failed event:
   * each gets an outcome, in the order given, and the caller releases the slots that were not sent.
   */
  dispatch(events: readonly TaskEventDetail[]): Promise<DispatchOutcome[]>;
}

/** The event's identity: the same `(deployment, task, slot)` always yields the same id. */
export function taskEventId(deployment: string, task: string, slot: string): string {
  return `${deployment}/${task}/${slot}`;
}

/**
 * The event as a Lambda receives it from an EventBridge rule — and as the Lambda dispatcher sends it,
 * so the worker reads one shape whichever transport delivered it.
 */
export interface TaskEvent {
  readonly source: typeof TASK_EVENT_SOURCE;
  readonly 'detail-type': typeof TASK_EVENT_DETAIL_TYPE;
  readonly detail: TaskEventDetail;
}

export function taskEvent(detail: TaskEventDetail): TaskEvent {
  return { source: TASK_EVENT_SOURCE, 'detail-type': TASK_EVENT_DETAIL_TYPE, detail };
}
