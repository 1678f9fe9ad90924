import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { taskEvent } from '../../../src/dispatch/Dispatcher.js';
import { LambdaDispatcher, MAX_ASYNC_PAYLOAD_BYTES, type LambdaDispatcherOptions } from '../../../src/dispatch/LambdaDispatcher.js';
import { InvalidDispatcherConfigError } from '../../../src/errors.js';
import { invokedFunction, lambdaError, startAwsStub, type AwsStub, type StubReply } from './awsStub.js';
import { clientConfig, detail, details, recordingSleep } from './fixtures.js';

const ACCEPTED: StubReply = { status: 202 };

describe('LambdaDispatcher, through the real SDK client against an Invoke stub', () => {
  let stub: AwsStub | undefined;
  let client: LambdaClient;
  let sleep: ReturnType<typeof recordingSleep>;

  /** Task `t` runs in function `tickwork-test-t`; jitter pinned at one half. */
  const dispatcher = (options: Partial<LambdaDispatcherOptions> = {}) =>
    new LambdaDispatcher({ client, functionName: (task) => `tickwork-test-${task}`, sleep: sleep.sleep, random: () => 0.5, ...options });
  const invoked = () => (stub?.requests ?? []).map(invokedFunction);

  beforeAll(async () => {
    stub = await startAwsStub(() => ACCEPTED);
    client = new LambdaClient(clientConfig(stub.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await stub?.close();
  });
  beforeEach(() => {
    stub?.reset(() => ACCEPTED);
    sleep = recordingSleep();
  });

  it('invokes each task\'s function once, asynchronously, with the event as an EventBridge rule delivers it', async () => {
    const events = [detail('reports:daily', { fence: 3 }), detail('cleanup', { payload: { days: 30 } })];
    const outcomes = await dispatcher().dispatch(events);

    expect(outcomes).toEqual(events.map((e) => ({ id: e.id, dispatched: true, attempts: 1 })));
    expect(invoked().sort()).toEqual(['tickwork-test-cleanup', 'tickwork-test-reports:daily']);
    for (const request of stub?.requests ?? []) {
      expect(request.method).toBe('POST');
      expect(request.headers['x-amz-invocation-type']).toBe('Event');
      const event = events.find((e) => invokedFunction(request) === `tickwork-test-${e.task}`)!;
      expect(JSON.parse(request.body)).toEqual(taskEvent(event));
    }
  });

  it('retries throttling with growing backoff until Lambda accepts', async () => {
    let calls = 0;
    stub?.reset(() => (++calls <= 3 ? lambdaError('TooManyRequestsException', 'Rate exceeded', 429) : ACCEPTED));
    const [outcome] = await dispatcher().dispatch([detail('a')]);

    expect(outcome).toEqual({ id: detail('a').id, dispatched: true, attempts: 4 });
    expect(sleep.delays).toEqual([50, 100, 200]);
  });

  it('gives up on a 5xx after maxAttempts with the last error', async () => {
    stub?.reset(() => lambdaError('ServiceException', 'internal error', 500));
    const [outcome] = await dispatcher({ maxAttempts: 3 }).dispatch([detail('a')]);

    expect(outcome).toEqual({ id: detail('a').id, dispatched: false, attempts: 3, error: 'ServiceException: internal error' });
    expect(stub?.requests).toHaveLength(3);
  });

  it('retries an answer other than 202, and says what it got', async () => {
    stub?.reset(() => ({ status: 200 }));
    const [outcome] = await dispatcher({ maxAttempts: 2 }).dispatch([detail('a')]);

    expect(outcome).toEqual({ id: detail('a').id, dispatched: false, attempts: 2, error: 'Invoke of tickwork-test-a answered 200, expected 202' });
  });

  it.each([
    ['ResourceNotFoundException', 404],
    ['InvalidRequestContentException', 400],
    ['RequestTooLargeException', 413],
  ])('fails at once on %s (%i), without retrying', async (type, status) => {
    stub?.reset((request) => (invokedFunction(request) === 'tickwork-test-broken' ? lambdaError(type, `${type} happened`, status) : ACCEPTED));
    const events = [detail('ok-1'), detail('broken'), detail('ok-2')];
    const outcomes = await dispatcher().dispatch(events);

    expect(outcomes).toEqual([
      { id: events[0]!.id, dispatched: true, attempts: 1 },
      { id: events[1]!.id, dispatched: false, attempts: 1, error: `${type}: ${type} happened` },
      { id: events[2]!.id, dispatched: true, attempts: 1 },
    ]);
    expect(stub?.requests).toHaveLength(3);
    expect(sleep.delays).toEqual([]);
  });

  it('fails a payload over 1 MB without sending it', async () => {
    const huge = detail('huge', { payload: 'x'.repeat(MAX_ASYNC_PAYLOAD_BYTES) });
    const [small, big] = await dispatcher().dispatch([detail('small'), huge]);

    expect(small).toMatchObject({ dispatched: true, attempts: 1 });
    expect(big).toMatchObject({ id: huge.id, dispatched: false, attempts: 0 });
    expect(big).toHaveProperty('error', expect.stringMatching(/^the payload is \d+ bytes; an asynchronous invoke accepts at most 1048576/));
    expect(invoked()).toEqual(['tickwork-test-small']);
  });

  it('fails an event whose function name cannot be worked out, without sending it', async () => {
    const names: Record<string, () => string> = {
      empty: () => '',
      throws: () => {
        throw new Error('no function for this task');
      },
    };
    const outcomes = await dispatcher({ functionName: (task) => names[task]?.() ?? `fn-${task}` }).dispatch([detail('empty'), detail('throws'), detail('fine')]);

    expect(outcomes.map((o) => [o.dispatched, o.attempts, 'error' in o ? o.error : ''])).toEqual([
      [false, 0, 'functionName("empty") returned "", not a function name'],
      [false, 0, 'the event could not be prepared: no function for this task'],
      [true, 1, ''],
    ]);
    expect(invoked()).toEqual(['fn-fine']);
  });

  it('keeps at most `concurrency` invokes in flight, and reports each to onCall', async () => {
    let inFlight = 0;
    let most = 0;
    stub?.reset(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight -= 1;
      return ACCEPTED;
    });
    let calls = 0;
    const outcomes = await dispatcher({ concurrency: 3, onCall: () => void (calls += 1) }).dispatch(details(12));

    expect(outcomes.every((o) => o.dispatched)).toBe(true);
    expect(most).toBe(3);
    expect(calls).toBe(12);
  });

  it.each([
    ['functionName', 'tickwork-test', /LambdaDispatcher expects functionName to be a function from task name to function name, got "tickwork-test"/],
    ['client', undefined, /LambdaDispatcher expects client to be a LambdaClient, got undefined/],
    ['maxAttempts', 0, /LambdaDispatcher expects maxAttempts to be a whole number ≥ 1, got 0/],
    ['sleep', 5, /LambdaDispatcher expects sleep to be a function, got 5/],
  ])('rejects %s = %j, naming the field', (field, value, message) => {
    const build = () => dispatcher({ [field]: value });
    expect(build).toThrow(message);
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_DISPATCHER_CONFIG', field }));
  });

  it('rejects an unknown option', () => {
    const build = () => dispatcher({ busName: 'x' } as Partial<LambdaDispatcherOptions>);
    expect(build).toThrow(InvalidDispatcherConfigError);
    expect(build).toThrow(/LambdaDispatcher got unknown option busName/);
  });
});
