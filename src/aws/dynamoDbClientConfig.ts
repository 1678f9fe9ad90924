import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BOUNDED_RETRY_DEFAULTS, BoundedRetryStrategy } from './BoundedRetryStrategy.js';

/**
 * Connection limits for DynamoDB. Opening a connection to a regional endpoint takes milliseconds, and
 * DynamoDB answers single-item requests in milliseconds too, so these are generous; their job is to
 * turn a connection that hangs (a dropped packet, a half-open socket) into a `TimeoutError` the retry
 * strategy retries, instead of a request that waits out the Lambda. A write whose reply times out may
 * have landed: Tickwork's writes recognise their own retry, so retrying it is safe.
 */
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 1_000;
export const DYNAMODB_REQUEST_TIMEOUT_MS = 2_000;

/**
 * The DynamoDB client settings Tickwork's Lambdas use: `BoundedRetryStrategy` (bounded attempts with
 * jittered backoff, no retry quota that a run of faults can drain) and timeouts on connecting and on
 * each request. Spread it under your own settings (endpoint, region, credentials); returns a new object
 * each call.
 *
 * @example
 * const client = new DynamoDBClient({ ...dynamoDbClientConfig(), endpoint: 'http://localhost:8000' });
 */
export function dynamoDbClientConfig(): DynamoDBClientConfig {
  return {
    // The strategy decides; maxAttempts only keeps the SDK's `amz-sdk-request: attempt=n; max=m` header true.
    maxAttempts: BOUNDED_RETRY_DEFAULTS.maxAttempts,
    retryStrategy: new BoundedRetryStrategy(),
    // The handler stack is resolved once per command type instead of on every request: about a tenth
    // of the client's CPU per request. Middleware must be added to the client before its first request.
    cacheMiddleware: true,
    requestHandler: {
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS,
      // Without it @smithy/node-http-handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  };
}
