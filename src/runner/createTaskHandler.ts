import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { parseTaskEvent } from '../dispatch/parseTaskEvent.js';
import { TaskRunFailedError, TickworkError } from '../errors.js';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { wallClock, type WallClock } from '../evaluation/wallClock.js';
import { lambdaSettings } from '../kernel/lambdaSettings.js';
import type { Schedule } from '../kernel/Schedule.js';
import { createLogger } from '../log/createLogger.js';
import { createMetrics } from '../metrics/createMetrics.js';
import { publishTaskRun } from '../metrics/taskMetrics.js';
import { outcomeFields } from './outcomeLog.js';
import { DEFAULT_DEPLOYMENT } from '../store/keys.js';
import type { LeaseRequest, RunStatus, Store } from '../store/Store.js';
import { DEFAULT_SAFETY_MARGIN_MS, localSinks, invocationDeadline } from './createTickHandler.js';
import type { OutputSinks } from './deliverOutput.js';
import { forLambda } from './forLambda.js';
import { FAILURE_REASON, RUN_STATUS, type FailureReason, type SkipReason } from '../vocabulary.js';
import { runLeased } from './overlap.js';
import { runClaimed } from './runClaimed.js';
import type { RunContext } from './RunContext.js';

/** The handler's signal is aborted this long before the Lambda's own timeout: the last resort (`forLambda`). */
const ABORT_EARLY_MS = 500;

export interface TaskHandlerOptions {
  /** The same schedule the tick runs; built (validated and compiled) when the handler is created. */
  readonly schedule: Schedule;
  readonly store: Store;
  /** The deployment the store uses; events for another are refused. @default process.env.TICKWORK_DEPLOYMENT ?? 'default' */
  readonly deployment?: string;
  /** @default a Powertools logger with service `tickwork` */
  readonly logger?: Logger;
  /** Wall clock for lease expiry and durations. @default Date.now */
  readonly now?: () => number;
  /** Where task output goes. @default `localSinks(process.cwd())` */
  readonly sinks?: OutputSinks;
  /**
   * The one task this function runs; events for any other are refused (the function's memory,
   * timeout and role were sized for this one). @default process.env.TICKWORK_TASK; unset accepts any fan-out task
   */
  readonly task?: string;
  /** Time kept back from the Lambda's remaining time. @default 3000 */
  readonly safetyMarginMs?: number;
  /** Where each run's CloudWatch metrics (EMF) go; `false` for none. @default `createMetrics(deployment)` */
  readonly metrics?: Metrics | false;
}

/** What one worker invocation did with its event. */
export type TaskRunReport =
  | { readonly task: string; readonly slot: string; readonly outcome: 'ran'; readonly attempt: number }
  | { readonly task: string; readonly slot: string; readonly outcome: 'skipped'; readonly attempt: number; readonly reason: SkipReason }
  | { readonly task: string; readonly slot: string; readonly outcome: 'replaced'; readonly attempt: number }
  /** A Lambda retry of a worker that died mid-run: recorded `failed` (reason `abandoned`), not run again. */
  | { readonly task: string; readonly slot: string; readonly outcome: 'abandoned'; readonly attempt: number }
  /** Not started: a duplicate delivery, a run already finished, or a claim this event's owner does not hold. */
  | { readonly task: string; readonly slot: string; readonly outcome: 'not-started'; readonly status: RunStatus | undefined };

export type TaskHandler = (event: unknown, context: Context) => Promise<TaskRunReport>;

/**
 * The handler every fan-out task's Lambda shares (`taskHandler` in `functions/lambda.ts`). It validates the event (see
 * `parseTaskEvent`: a forged or malformed one is refused before any I/O), starts the run with one
 * conditional write — a duplicate delivery is refused there and runs nothing — then runs the task
 * with its hooks under a deadline taken from the Lambda's remaining time, holding the lease the tick
 * took for it, releases the lease and records the outcome. A failed or timed-out run throws after
 * it is recorded, so the Lambda's retries (`onLambda({ retries })`) can start it again.
 */
export function createTaskHandler(options: TaskHandlerOptions): TaskHandler {
  const tasks = new Map(options.schedule.compiled().map((task) => [task.definition.name, task]));
  const commands = options.schedule.commands;
  const deployment = options.deployment ?? process.env.TICKWORK_DEPLOYMENT ?? DEFAULT_DEPLOYMENT;
  const sinks = options.sinks ?? localSinks(process.cwd());
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const metrics = options.metrics === false ? undefined : (options.metrics ?? createMetrics(deployment));
  const only = (options.task ?? process.env.TICKWORK_TASK) || undefined;
  if (only !== undefined) {
    const own = tasks.get(only);
    if (own === undefined) throw new TickworkError('INVALID_TASK_FUNCTION', `This function is for task "${only}" (TICKWORK_TASK), which is not in the kernel`);
    if (own.definition.lambda === false) {
      throw new TickworkError('INVALID_TASK_FUNCTION', `This function is for task "${only}" (TICKWORK_TASK), which the kernel runs inline, not in its own Lambda`);
    }
  }

  const work = async (event: unknown, context: Context, { signal }: { signal?: AbortSignal } = {}): Promise<TaskRunReport> => {
    const { detail, task } = parseTaskEvent(event, { tasks, deployment, ...(only === undefined ? {} : { only }) });
    const { definition } = task;
    const { name } = definition;
    const store = definition.onOneServer ? options.store.shared() : options.store;
    const worker = context?.awsRequestId ?? `direct-${now()}`;
    /**
     * Records as failed a slot this invocation will not run (over the record as `ifStatus` left it), frees
     * the lease nothing runs behind any more rather than let it block the task until it lapses, and logs it.
     */
    const failWithoutRunning = async (ifStatus: RunStatus, error: string, reason?: FailureReason) => {
      await store.completeRun({ task: name, slot: detail.slot, owner: detail.owner, status: RUN_STATUS.failed, ...(reason === undefined ? {} : { reason }), error, finishedAt: now(), ifStatus });
      if (definition.withoutOverlapping !== false) await store.releaseLease(name, detail.owner);
      logger.error('task failed', { ...outcomeFields({ owner: detail.owner, runId: worker, attempt: detail.attempt }, { task: name, slot: detail.slot, outcome: 'failed', ...(reason === undefined ? {} : { reason }) }), error });
    };
    const at = new Date(detail.at);
    let clock: WallClock;
    try {
      clock = wallClock(at, definition.timezone);
    } catch (error) {
      // A zone ICU refuses (src/kernel/timeZones.ts), found before the run starts: the slot is recorded
      // failed with the error over the tick's claim — it would otherwise stay `dispatched` with nothing
      // behind it — and the event fails, so it reaches the dead-letter queue.
      await failWithoutRunning(RUN_STATUS.dispatched, error instanceof Error ? error.message : String(error));
      throw error;
    }
    const start = await store.startRun({ task: name, slot: detail.slot, owner: detail.owner, worker, startedAt: now(), retries: lambdaSettings(definition)?.retries ?? 0 });
    if (!start.started && start.status === RUN_STATUS.running && start.worker === worker) {
      // A Lambda retry of this very invocation, whose first attempt died mid-run (a crash, the Lambda
      // timeout, a store fault after the run): it may have done its work, so it is not started again
      // but recorded, rather than left `running` with nothing behind it.
      const error = 'Abandoned: the worker invocation that started this run ended before recording an outcome; Lambda retried it, and the run is not started twice';
      await failWithoutRunning(RUN_STATUS.running, error, FAILURE_REASON.abandoned);
      publishTaskRun(metrics, { kind: 'failed', name, error, abandoned: true });
      return { task: name, slot: detail.slot, outcome: 'abandoned', attempt: detail.attempt };
    }
    if (!start.started && start.worker === worker && (start.status === RUN_STATUS.failed || start.status === RUN_STATUS.timedOut)) {
      // Lambda's retry of this invocation, whose run failed with no retries left: the same failure is
      // reported again, so that after Lambda's last attempt the event still goes to the dead-letter queue.
      logger.warn('task event refused', { task: name, slot: detail.slot, eventId: detail.id, status: start.status, note: 'the run failed and has no retries left' });
      throw new TaskRunFailedError(name, detail.slot, `the run ${start.status} and has no retries left (onLambda({ retries: ${lambdaSettings(definition)?.retries ?? 0} }))`);
    }
    if (!start.started) {
      logger.warn('task event refused', { task: name, slot: detail.slot, eventId: detail.id, status: start.status ?? 'not claimed', attempt: detail.attempt });
      return { task: name, slot: detail.slot, outcome: 'not-started', status: start.status };
    }

    const runStartedAt = now();
    const run: RunContext = {
      commands,
      sinks,
      owner: detail.owner,
      runId: worker,
      attempt: start.attempt,
      deadline: invocationDeadline(context, now(), margin),
      now,
      logger,
      ...(signal === undefined ? {} : { signal }),
    };
    const due: DueSlot = {
      task,
      at,
      slot: detail.slot,
      clock,
      ...(detail.payload === undefined ? {} : { payload: JSON.stringify(detail.payload) }),
    };
    const overlap = definition.withoutOverlapping;
    const result = overlap === false
      ? await runClaimed(run, store, due, detail.owner)
      : await runLeased(run, store, due, overlap, async (request: LeaseRequest) => {
          // The tick took the lease for this slot: move it to this run's own deadline. If it lapsed on
          // the way (a slow delivery, a retry), take it afresh — or find another run holding it.
          const held = detail.fence !== null && (await store.extendLease({ task: name, owner: detail.owner, now: request.now, expiresAt: request.expiresAt })).extended;
          return held ? { acquired: true, fence: detail.fence! } : store.acquireLease(request);
        });
    publishTaskRun(metrics, result, now() - runStartedAt, definition.monitor !== undefined);
    switch (result.kind) {
      case 'failed':
        // Stopped for a newer slot: recorded `replaced`, and not for Lambda to retry.
        if (result.replaced === true) return { task: name, slot: detail.slot, outcome: 'replaced', attempt: start.attempt };
        throw new TaskRunFailedError(name, detail.slot, result.error);
      case 'skipped':
        return { task: name, slot: detail.slot, outcome: 'skipped', attempt: start.attempt, reason: result.reason };
      default:
        return { task: name, slot: detail.slot, outcome: 'ran', attempt: start.attempt };
    }
  };

  return forLambda(logger, work, { abortEarlyMs: ABORT_EARLY_MS });
}
