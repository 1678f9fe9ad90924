/**
 * `tickwork/lambda/eventbridge`: fan-out through EventBridge `PutEvents` on `TICKWORK_BUS`. Its client
 * makes one attempt per request: the dispatcher is the only layer that retries (see
 * `checkClientDoesNotRetry` in src/dispatch/retry.ts).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeDispatcher } from '../src/dispatch/EventBridgeDispatcher.js';
import { onFirstDispatch, type DispatcherFactory } from './dispatchers.js';
import { requireEnv } from './env.js';

export const eventBridgeDispatcher: DispatcherFactory = {
  kind: 'eventbridge',
  create: (logger) => {
    const busName = requireEnv('TICKWORK_BUS');
    return onFirstDispatch(() => new EventBridgeDispatcher({ client: new EventBridgeClient({ maxAttempts: 1 }), busName, logger }));
  },
};
