import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoDbClientConfig } from '../src/aws/dynamoDbClientConfig.js';
import { TickworkError } from '../src/errors.js';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';
import type { Dispatcher } from '../src/dispatch/Dispatcher.js';
import { EventBridgeDispatcher } from '../src/dispatch/EventBridgeDispatcher.js';
import { LambdaDispatcher } from '../src/dispatch/LambdaDispatcher.js';
import { DISPATCHER_KINDS, taskFunctionName, type DispatcherKind } from '../src/infra/fanOutInfrastructure.js';
import { awsSinks } from '../src/runner/awsSinks.js';
import { localSinks } from '../src/runner/sinks.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';
import { requireEnv } from './env.js';

/**
 * The adapters both Lambdas build once per container, from the environment serverless.yml sets. On
 * serverless-offline (`IS_OFFLINE`), AWS endpoints come from the `AWS_ENDPOINT_URL_*` variables
 * `npm start` sets, and output stays on the machine.
 */
export const offline = process.env.IS_OFFLINE === 'true';

export const deployment = process.env.TICKWORK_DEPLOYMENT;

export function createStore(): DynamoDbStore {
  return new DynamoDbStore({
    tableName: requireEnv('TICKWORK_TABLE'),
    client: new DynamoDBClient(dynamoDbClientConfig()),
    deployment,
    ...(process.env.TICKWORK_RETENTION_DAYS ? { retentionDays: Number(process.env.TICKWORK_RETENTION_DAYS) } : {}),
  });
}

export function createSinks(): OutputSinks {
  return offline
    ? localSinks(process.cwd())
    : awsSinks({ s3: new S3Client({}), ses: new SESv2Client({}) }, process.env.TICKWORK_MAIL_FROM);
}

/**
 * The dispatcher `TICKWORK_DISPATCHER` names: EventBridge `PutEvents` on `TICKWORK_BUS`, or Lambda
 * async invoke. Its retry rounds are logged through `logger`. Its client makes one attempt per
 * request: the dispatcher is the only layer that retries (see `checkClientDoesNotRetry` in
 * src/dispatch/retry.ts).
 */
export function createDispatcher(logger: Logger): Dispatcher {
  const kind = requireEnv('TICKWORK_DISPATCHER') as DispatcherKind;
  switch (kind) {
    case 'eventbridge':
      return new EventBridgeDispatcher({ client: new EventBridgeClient({ maxAttempts: 1 }), busName: requireEnv('TICKWORK_BUS'), logger });
    case 'lambda': {
      const prefix = requireEnv('TICKWORK_FUNCTION_PREFIX');
      return new LambdaDispatcher({ client: new LambdaClient({ maxAttempts: 1 }), functionName: (task) => taskFunctionName(prefix, task), logger });
    }
    default:
      throw new TickworkError('INVALID_DISPATCHER', `TICKWORK_DISPATCHER must be one of ${DISPATCHER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}
