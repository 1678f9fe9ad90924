import { DynamoDBClient, PutItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../../functions/adapters.js';
import { BoundedRetryStrategy } from '../../../src/aws/BoundedRetryStrategy.js';
import { dynamoDbClientConfig } from '../../../src/aws/dynamoDbClientConfig.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/dynamoDbLocal.js';
import { awsJsonError, startAwsStub, type AwsStub, type StubReply } from '../dispatch/awsStub.js';

const ANSWERED: StubReply = { json: {} };
const put = new PutItemCommand({ TableName: 'tickwork-test', Item: { pk: { S: 'task#test#a' }, sk: { S: 'run#2026-11-23T10:05:00.000Z' } } });

/** Answers with `replies` in turn, then with the last one for good. */
const inTurn = (...replies: StubReply[]) => {
  let call = 0;
  return () => replies[Math.min(call++, replies.length - 1)]!;
};

describe('dynamoDbClientConfig, through a real DynamoDBClient against a stub', () => {
  let stub: AwsStub;
  const clients: DynamoDBClient[] = [];
  const client = (overrides: Partial<DynamoDBClientConfig> = {}) => {
    const built = new DynamoDBClient({ ...dynamoDbClientConfig(), endpoint: stub.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, ...overrides });
    clients.push(built);
    return built;
  };

  beforeAll(async () => {
    stub = await startAwsStub(() => ANSWERED);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('retries a 500 up to 5 attempts in all, then throws it with its attempt count', async () => {
    stub.reset(() => awsJsonError('InternalServerError', 'internal error', 500));
    const error = await client().send(put).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InternalServerError', $metadata: { attempts: 5 } });
    expect(stub.requests).toHaveLength(5);
    expect(stub.requests.map((r) => r.headers['amz-sdk-request'])).toEqual([1, 2, 3, 4, 5].map((n) => `attempt=${n}; max=5`));
  });

  it.each([
    ['reset', { reset: true }],
    ['throttled', awsJsonError('ProvisionedThroughputExceededException', 'slow down')],
    ['answered 503', awsJsonError('ServiceUnavailable', 'try again', 503)],
  ])('gets through a connection %s twice, on the third attempt', async (_label, fault) => {
    stub.reset(inTurn(fault, fault, ANSWERED));
    const output = await client().send(put);

    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(stub.requests).toHaveLength(3);
  });

  it.each([
    ['ConditionalCheckFailedException', 'The conditional request failed'],
    ['ValidationException', 'One or more parameter values were invalid'],
    ['TransactionCanceledException', 'Transaction cancelled'],
  ])('does not retry %s: one request, the error as DynamoDB sent it', async (type, message) => {
    stub.reset(() => awsJsonError(type, message));
    await expect(client().send(put)).rejects.toMatchObject({ name: type, message, $metadata: { attempts: 1 } });
    expect(stub.requests).toHaveLength(1);
  });

  it('turns a request that hangs into a TimeoutError, which it retries', async () => {
    stub.reset(() => new Promise<StubReply>(() => {}));
    // The same settings with a shorter request timeout, so the test does not wait 5 × 2 s.
    const { requestHandler } = dynamoDbClientConfig();
    const error = await client({ requestHandler: { ...(requestHandler as object), requestTimeout: 50 } }).send(put).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 5 } });
    expect(stub.requests).toHaveLength(5);
  });

  it('sets the strategy, and timeouts on connecting (1 s) and on each request (2 s) that throw', () => {
    const config = dynamoDbClientConfig();
    expect(config.retryStrategy).toBeInstanceOf(BoundedRetryStrategy);
    expect(config).toMatchObject({ maxAttempts: 5, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } });
    expect(dynamoDbClientConfig()).not.toBe(config);
  });
});

describe('the Lambdas\' store client (functions/adapters.ts)', () => {
  let stub: AwsStub;

  beforeAll(async () => {
    stub = await startAwsStub(() => awsJsonError('InternalServerError', 'internal error', 500));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('gives each of 60 requests failing at once its 5 attempts: no shared quota runs out mid-burst', async () => {
    vi.stubEnv('TICKWORK_TABLE', 'tickwork-test');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', stub.endpoint);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    const store = createStore();

    // 60 first retries would take 60 × 14 tokens from the SDK's bucket of 500: it runs out after 35.
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => store.lastTick()));

    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(stub.requests).toHaveLength(60 * 5);
  });
});
