import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../../functions/adapters.js';
import { EventBridgeDispatcher } from '../../../src/dispatch/EventBridgeDispatcher.js';
import { LambdaDispatcher } from '../../../src/dispatch/LambdaDispatcher.js';
import { DELIVERY_DEFAULTS } from '../../../src/dispatch/retry.js';
import { InvalidDispatcherConfigError } from '../../../src/errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/dynamoDbLocal.js';
import { awsJsonError, lambdaError, startAwsStub, type AwsStub, type StubReply } from './awsStub.js';
import { clientConfig, details, recordingSleep } from './fixtures.js';

/**
 * One retry layer: the dispatcher's. Every request a dispatcher's SDK client sends reaches the stub, so
 * its count is the number of HTTP requests a batch costs — the SDK's own retries included, if any.
 */
const transports = [
  {
    kind: 'eventbridge',
    failing: awsJsonError('InternalException', 'service unavailable', 500),
    build: (client: Record<string, unknown>) =>
      new EventBridgeDispatcher({ client: new EventBridgeClient(client), busName: 'tickwork-test', sleep: recordingSleep().sleep }),
  },
  {
    kind: 'lambda',
    failing: lambdaError('ServiceException', 'internal error', 500),
    build: (client: Record<string, unknown>) =>
      new LambdaDispatcher({ client: new LambdaClient(client), functionName: (task) => `tickwork-test-${task}`, sleep: recordingSleep().sleep }),
  },
] as const;

describe.each(transports)('the $kind dispatcher is the only layer that retries', ({ kind, failing, build }) => {
  let stub: AwsStub;
  const alwaysFailing = (): StubReply => failing;

  beforeAll(async () => {
    stub = await startAwsStub(alwaysFailing);
  });
  afterAll(async () => {
    await stub?.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    stub.reset(alwaysFailing);
  });

  it(`the Lambdas' dispatcher sends a batch that always fails ${DELIVERY_DEFAULTS.maxAttempts} times, not 3 × ${DELIVERY_DEFAULTS.maxAttempts}`, async () => {
    vi.stubEnv('TICKWORK_DISPATCHER', kind);
    vi.stubEnv('TICKWORK_BUS', 'tickwork-test');
    vi.stubEnv('TICKWORK_FUNCTION_PREFIX', 'tickwork-test-');
    vi.stubEnv(kind === 'eventbridge' ? 'AWS_ENDPOINT_URL_EVENTBRIDGE' : 'AWS_ENDPOINT_URL_LAMBDA', stub.endpoint);
    vi.stubEnv('AWS_REGION', LOCAL_REGION);
    vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_MAX_ATTEMPTS', '');

    // One event: one PutEvents entry or one Invoke, so every request is an attempt at the same thing.
    const [outcome] = await createDispatcher(new Logger({ logLevel: 'SILENT' })).dispatch(details(1));

    expect(outcome).toMatchObject({ dispatched: false, attempts: DELIVERY_DEFAULTS.maxAttempts });
    expect(stub.requests).toHaveLength(DELIVERY_DEFAULTS.maxAttempts);
  });

  it('refuses a client that retries on its own before sending anything, naming the client', async () => {
    const dispatcher = build({ endpoint: stub.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

    const error = await dispatcher.dispatch(details(3)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidDispatcherConfigError);
    expect(error).toMatchObject({ code: 'INVALID_DISPATCHER_CONFIG', field: 'client' });
    expect((error as Error).message).toMatch(
      /Dispatcher expects client to be an? (EventBridgeClient|LambdaClient) built with maxAttempts: 1, since the dispatcher retries itself \(4 attempts\); got a client that makes up to 3 attempts per request$/,
    );
    expect(stub.requests).toHaveLength(0);
  });

  it('refuses a client configured with more attempts, once per dispatcher and every time', async () => {
    const dispatcher = build({ ...clientConfig(stub.endpoint), maxAttempts: 2 });
    await expect(dispatcher.dispatch(details(1))).rejects.toThrow('makes up to 2 attempts per request');
    await expect(dispatcher.dispatch(details(1))).rejects.toThrow(InvalidDispatcherConfigError);
    expect(stub.requests).toHaveLength(0);
  });

  it('names the client when its maxAttempts cannot be read', async () => {
    const maxAttempts = async (): Promise<number> => {
      throw new Error('no profile named "ci"');
    };
    const dispatcher = build({ ...clientConfig(stub.endpoint), maxAttempts });
    await expect(dispatcher.dispatch(details(1))).rejects.toMatchObject({
      field: 'client',
      message: expect.stringMatching(/Dispatcher could not read its client's maxAttempts: no profile named "ci"$/),
    });
    expect(stub.requests).toHaveLength(0);
  });

  it('with a one-attempt client, makes exactly one request per attempt', async () => {
    const outcomes = await build(clientConfig(stub.endpoint)).dispatch(details(1));
    expect(outcomes).toMatchObject([{ dispatched: false, attempts: 4 }]);
    expect(stub.requests).toHaveLength(4);
  });
});

describe('a dispatcher\'s client is checked when the dispatcher is built, as far as it can be', () => {
  it.each([
    ['EventBridgeDispatcher', () => new EventBridgeDispatcher({ client: { send: async () => ({}) } as never, busName: 'b' })],
    ['LambdaDispatcher', () => new LambdaDispatcher({ client: { send: async () => ({}) } as never, functionName: (t) => t })],
  ])('%s refuses something with send() but no SDK config', (_owner, build) => {
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_DISPATCHER_CONFIG', field: 'client' }));
  });
});
