import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger } from '../log/createLogger.js';
import type { Schedule } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';
import { tickMinute, type TickMinuteOptions } from '../tick/tickMinute.js';
import { runTick, type TickReport } from './runTick.js';

/**
 * Time kept back from the Lambda's remaining time so that, when runs hit their deadline, the tick can
 * still record their outcomes and release their leases before the Lambda itself times out.
 */
const DEFAULT_SAFETY_MARGIN_MS = 3_000;

/** Deadline assumed when the invocation context has no `getRemainingTimeInMillis` (direct calls). */
const DEFAULT_BUDGET_MS = 60_000;

export interface TickHandlerOptions {
  /** The schedule the kernel filled. It is built (validated and compiled) when the handler is created. */
  readonly schedule: Schedule;
  readonly store: Store;
  /** @default a Powertools logger with service `tickwork` */
  readonly logger?: Logger;
  /** Wall clock for lease expiry and durations. @default Date.now */
  readonly now?: () => number;
  /** Time kept back from the Lambda's remaining time. @default 3000 */
  readonly safetyMarginMs?: number;
  /** See `TickMinuteOptions.resolvePlaceholder`: set only by the local (serverless-offline) entry point. */
  readonly resolvePlaceholder?: TickMinuteOptions['resolvePlaceholder'];
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
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const minuteOptions: TickMinuteOptions =
    options.resolvePlaceholder === undefined ? {} : { resolvePlaceholder: options.resolvePlaceholder };

  const tick = async (event: unknown, context: Context): Promise<TickReport> => {
    // Parsed before any I/O: a malformed event fails here and writes nothing.
    const minute = tickMinute(event, minuteOptions);
    const remaining = typeof context?.getRemainingTimeInMillis === 'function'
      ? context.getRemainingTimeInMillis()
      : DEFAULT_BUDGET_MS;
    const report = await runTick({
      tasks,
      store: options.store,
      minute,
      owner: context?.awsRequestId ?? `direct-${now()}`,
      deadline: now() + Math.max(0, remaining - margin),
      now,
      logger,
    });
    logger.info('tick done', { tick: report.tick, due: report.due.length, ran: report.ran.length, failed: report.failed.length, skipped: report.skipped.length });
    return report;
  };

  return middy(tick).use(injectLambdaContext(logger, { resetKeys: true }));
}
