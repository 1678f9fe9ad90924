import type { Logger } from '@aws-lambda-powertools/logger';
import type { Dispatcher, TaskEventDetail } from '../dispatch/Dispatcher.js';
import type { CommandRegistry } from '../kernel/CommandRegistry.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { QueuedRun, Store } from '../store/Store.js';
import type { MissReason, SkipReason } from '../vocabulary.js';
import type { OutputSinks } from './deliverOutput.js';

/** What running a claimed slot needs, in the tick and in a task worker alike. */
export interface RunContext {
  readonly commands: CommandRegistry;
  /** Where task output goes. */
  readonly sinks: OutputSinks;
  /** Who claimed the slot and holds its lease: the invocation's request id. */
  readonly owner: string;
  /** Epoch milliseconds by which every run must have ended (the Lambda's deadline less a margin). */
  readonly deadline: number;
  /** Wall clock, for lease expiry and durations only — never for deciding which minute is due. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Aborts every run from outside: the worker Lambda's own timeout signal. */
  readonly signal?: AbortSignal;
  /** The invocation running the slot, for log lines (see `outcomeFields`). @default owner */
  readonly runId?: string;
  /** Which start of the run this is (a fan-out worker's attempt), for log lines. @default 1 */
  readonly attempt?: number;
  /** Told of each run whose outcome is recorded here: the tick times its inline runs for its metrics. */
  readonly onRunRecorded?: (run: RecordedRun) => void;
}

/** A run that ended and was recorded, as `RunContext.onRunRecorded` hears of it. */
export interface RecordedRun {
  readonly task: string;
  readonly status: 'succeeded' | 'failed' | 'timed-out' | 'replaced';
  readonly durationMs: number;
}

export interface RunTickInput extends RunContext {
  readonly tasks: readonly CompiledTask[];
  readonly store: Store;
  /** Sends fan-out tasks to their own Lambdas; required when any task is `runInBackground()`/`onLambda()`. */
  readonly dispatcher?: Dispatcher;
  /** The deployment id the store uses, carried by task events so a worker can check them. @default 'default' */
  readonly deployment?: string;
  /** The deployment's stage, for `environments()` filters. */
  readonly stage: string;
  /** The scheduled minute this tick stands for (from the event, floored). */
  readonly minute: Date;
}

/** What became of one due slot in this invocation. */
export type SlotResult =
  | { kind: 'ran'; name: string }
  /**
   * `abandoned`: the action ignored its abort and may still be running (see `TaskResult`);
   * `replaced`: stopped for a newer slot (overlap policy `replace`) — not a failure to retry.
   */
  | { kind: 'failed'; name: string; error: string; abandoned?: boolean; replaced?: boolean }
  /**
   * `heldOpen`: the slot is another invocation's claim with no outcome yet (a duplicate of this tick
   * still running it): this attempt leaves its range's note for that one to settle (`runTick`).
   */
  | { kind: 'skipped'; name: string; reason: SkipReason; heldOpen?: string }
  /** A past sub-minute slot of the tick's own minute, decided by its claim not to run (`CatchUpPlan.decide`). */
  | { kind: 'missed'; name: string; slot: string; reason: MissReason }
  /** Claimed (and leased, if the task asks) for the task's own Lambda: the tick sends `event` next. */
  | { kind: 'dispatch'; name: string; event: TaskEventDetail; leased: boolean; onOneServer: boolean; queued: QueuedRun | undefined };

/** The one signal that aborts a run from outside: the worker's timeout, a lost lease, or either. */
export function signalOf(...signals: (AbortSignal | undefined)[]): { signal?: AbortSignal } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return {};
  return { signal: present.length === 1 ? present[0]! : AbortSignal.any(present) };
}
