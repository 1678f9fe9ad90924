import type { Logger } from '@aws-lambda-powertools/logger';
import type { Dispatcher } from '../src/dispatch/Dispatcher.js';
import { TickworkError } from '../src/errors.js';
import { DISPATCHER_KINDS } from '../src/infra/fanOutInfrastructure.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';
import { awsOutput } from './awsOutput.js';
import type { DispatcherFactory } from './dispatchers.js';
import { requireEnv } from './env.js';
import { eventBridgeDispatcher } from './eventBridgeDispatcher.js';
import { invokeDispatcher } from './invokeDispatcher.js';
import { functionSinks } from './runtime.js';

export { createStore, deployment, offline } from './runtime.js';

/**
 * Every adapter Tickwork's Lambdas may use, chosen from the environment at start-up: for
 * `tickwork/lambda` (a stack of your own) and the CLI. The plugin's bundles use the lean modules
 * instead (`functions/runtime.ts` and one module per optional client).
 */
const DISPATCHERS: Record<string, DispatcherFactory> = { eventbridge: eventBridgeDispatcher, lambda: invokeDispatcher };

/** The dispatcher factory `TICKWORK_DISPATCHER` names. */
export function dispatcherFactory(): DispatcherFactory {
  const kind = requireEnv('TICKWORK_DISPATCHER');
  const factory = DISPATCHERS[kind];
  if (factory === undefined) throw new TickworkError('INVALID_DISPATCHER', `TICKWORK_DISPATCHER must be one of ${DISPATCHER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  return factory;
}

/**
 * The dispatcher `TICKWORK_DISPATCHER` names: EventBridge `PutEvents` on `TICKWORK_BUS`, or Lambda
 * async invoke. Its retry rounds are logged through `logger`. Its client makes one attempt per
 * request: the dispatcher is the only layer that retries (see `checkClientDoesNotRetry` in
 * src/dispatch/retry.ts).
 */
export function createDispatcher(logger: Logger): Dispatcher {
  return dispatcherFactory().create(logger);
}

/** Output sinks: S3 and SES when deployed, files under `.tickwork/` on serverless-offline. */
export function createSinks(): OutputSinks {
  return functionSinks(awsOutput);
}
