import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import { TickworkError } from '../errors.js';
import type { Schedule } from '../kernel/Schedule.js';
import { createLogger } from '../log/createLogger.js';
import { createMetrics } from '../metrics/createMetrics.js';
import { publishTickMetrics } from '../metrics/tickMetrics.js';
import { DEFAULT_DEPLOYMENT } from '../store/keys.js';
import type { Store } from '../store/Store.js';
import { tickMinute, type TickMinuteOptions } from '../tick/tickMinute.js';
import type { RecordedRun } from './RunContext.js';
import type { OutputSinks } from './deliverOutput.js';
import { localSinks } from './sinks.js';
import { forLambda } from './forLambda.js';

export { localSinks };
import { runTick, type TickReport } from './runTick.js';

/**
 * Time kept back from the Lambda's remaining time so that, when runs hit their deadline, the tick (or
 * a task worker) can still record their outcomes and release their leases before the Lambda times out.
 */
export const DEFAULT_SAFETY_MARGIN_MS = 3_000;

/** Deadline assumed when the invocation context has no `getRemainingTimeInMillis` (direct calls). */
const DEFAULT_BUDGET_MS = 60_000;

/** Epoch milliseconds by which runs must end: the invocation's remaining time less `margin`. */
export function invocationDeadline(context: Context | undefined, now: number, margin: number): number {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
  return now + Math.max(0, remaining - margin);
}

export interface TickHandlerOptions {
  /** The schedule the kernel filled. It is built (validated and compiled) when the handler is created. */
  readonly schedule: Schedule;
  readonly store: Store;
  /** Sends fan-out tasks to their own Lambdas; required when the schedule has any. */
  readonly dispatcher?: Dispatcher;
  /** The deployment id the store uses, carried by task events. @default process.env.TICKWORK_DEPLOYMENT ?? 'default' */
  readonly deployment?: string;
  /** @default a Powertools logger with service `tickwork` */
  readonly logger?: Logger;
  /** Wall clock for lease expiry and durations. @default Date.now */
  readonly now?: () => number;
  /** The deployment's stage, for `environments()`. @default process.env.TICKWORK_STAGE ?? 'dev' */
  readonly stage?: string;
  /**
   * Where task output goes. @default `localSinks(process.cwd())`: everything under `.tickwork/`
   */
  readonly sinks?: OutputSinks;
  /** Time kept back from the Lambda's remaining time. @default 3000 */
  readonly safetyMarginMs?: number;
  /** See `TickMinuteOptions.resolvePlaceholder`: set only by the local (serverless-offline) entry point. */
  readonly resolvePlaceholder?: TickMinuteOptions['resolvePlaceholder'];
  /** Where each tick's CloudWatch metrics (EMF) go; `false` for none. @default `createMetrics(deployment)` */
  readonly metrics?: Metrics | false;
}

export type TickHandler = (event: unknown, context: Context) => Promise<TickReport>;

/**
 * The tick Lambda's handler: reads the scheduled minute from the event, then claims and runs that
 * minute's due tasks. Build it once per container (module scope); it keeps no state between ticks.
 *
 * @example
 * export const handler = createTickHandler({ schedule, store: new DynamoDbStore({ tableName, client }) });
 */
export function createTickHandler(options: TickHandlerOptions): TickHandler {
  const tasks = options.schedule.compiled();
  const commands = options.schedule.commands;
  const fanOut = tasks.filter((t) => t.definition.lambda !== false);
  if (fanOut.length > 0 && options.dispatcher === undefined) {
    throw new TickworkError(
      'NO_DISPATCHER',
      `Tasks ${fanOut.map((t) => `"${t.definition.name}"`).join(', ')} run in their own Lambda (runInBackground/onLambda): createTickHandler needs a dispatcher`,
    );
  }
  const deployment = options.deployment ?? process.env.TICKWORK_DEPLOYMENT ?? DEFAULT_DEPLOYMENT;
  const stage = options.stage ?? process.env.TICKWORK_STAGE ?? 'dev';
  const sinks = options.sinks ?? localSinks(process.cwd());
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const metrics = options.metrics === false ? undefined : (options.metrics ?? createMetrics(deployment));
  const monitored = new Set(tasks.filter((t) => t.definition.monitor !== undefined).map((t) => t.definition.name));
  const minuteOptions: Omit<TickMinuteOptions, 'now'> =
    options.resolvePlaceholder === undefined ? {} : { resolvePlaceholder: options.resolvePlaceholder };

  const tick = async (event: unknown, context: Context): Promise<TickReport> => {
    // Parsed before any I/O: a malformed event fails here and writes nothing.
    const receivedAt = now();
    const minute = tickMinute(event, { ...minuteOptions, now: receivedAt });
    const inlineRuns: RecordedRun[] = [];
    const report = await runTick({
      tasks,
      commands,
      sinks,
      stage,
      store: options.store,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
      deployment,
      minute,
      owner: context?.awsRequestId ?? `direct-${now()}`,
      deadline: invocationDeadline(context, now(), margin),
      now,
      logger,
      onRunRecorded: (run) => inlineRuns.push(run),
    });
    logger.info('tick done', {
      tick: report.tick,
      due: report.due.length,
      ran: report.ran.length,
      failed: report.failed.length,
      skipped: report.skipped.length,
      dispatched: report.dispatched.length,
      undispatched: report.undispatched.length,
      queued: report.queued,
      missed: report.missed.reduce((sum, m) => sum + m.count, 0),
    });
    publishTickMetrics(metrics, report, receivedAt, monitored, inlineRuns);
    return report;
  };

  return forLambda(logger, tick);
}
