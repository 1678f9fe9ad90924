/**
 * `tickwork/lambda/invoke`: fan-out by Lambda async invoke of each task's function
 * (`TICKWORK_FUNCTION_PREFIX` + the task's function name). One attempt per request: the dispatcher is
 * the only layer that retries (see `checkClientDoesNotRetry` in src/dispatch/retry.ts).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaDispatcher } from '../src/dispatch/LambdaDispatcher.js';
import { taskFunctionName } from '../src/infra/fanOutInfrastructure.js';
import { onFirstDispatch, type DispatcherFactory } from './dispatchers.js';
import { requireEnv } from './env.js';

export const invokeDispatcher: DispatcherFactory = {
  kind: 'lambda',
  create: (logger) => {
    const prefix = requireEnv('TICKWORK_FUNCTION_PREFIX');
    return onFirstDispatch(() => new LambdaDispatcher({ client: new LambdaClient({ maxAttempts: 1 }), functionName: (task) => taskFunctionName(prefix, task), logger }));
  },
};
