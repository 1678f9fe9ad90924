import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TASK_EVENT_DETAIL_TYPE, TASK_EVENT_SOURCE, type TaskEventDetail } from '../../../src/dispatch/Dispatcher.js';
import {
  entrySize,
  EventBridgeDispatcher,
  MAX_REQUEST_BYTES,
  type EventBridgeDispatcherOptions,
} from '../../../src/dispatch/EventBridgeDispatcher.js';
import type { DispatchCall } from '../../../src/dispatch/retry.js';
import { InvalidDispatcherConfigError } from '../../../src/errors.js';
import { awsJsonError, putEventsEntries, putEventsReply, startAwsStub, type AwsStub, type SentEntry } from './awsStub.js';
import { clientConfig, detail, details, recordingSleep } from './fixtures.js';

/** The task of a sent entry, read back from its Detail. */
const taskOf = (entry: SentEntry) => (JSON.parse(entry.Detail) as TaskEventDetail).task;

/** A detail whose PutEvents entry is exactly `bytes` long. */
function detailOfEntrySize(task: string, bytes: number): TaskEventDetail {
  const size = (payload: string) => entrySize({ Source: TASK_EVENT_SOURCE, DetailType: TASK_EVENT_DETAIL_TYPE, Detail: JSON.stringify(detail(task, { payload })) });
  return detail(task, { payload: 'x'.repeat(bytes - size('')) });
}

describe('EventBridgeDispatcher, through the real SDK client against a PutEvents stub', () => {
  let stub: AwsStub | undefined;
  let client: EventBridgeClient;
  let sleep: ReturnType<typeof recordingSleep>;

  /** A dispatcher on bus `tickwork-test`; jitter pinned at one half, so each delay is half its ceiling. */
  const dispatcher = (options: Partial<EventBridgeDispatcherOptions> = {}) =>
    new EventBridgeDispatcher({ client, busName: 'tickwork-test', sleep: sleep.sleep, random: () => 0.5, ...options });
  const sent = () => (stub?.requests ?? []).map(putEventsEntries);

  beforeAll(async () => {
    stub = await startAwsStub((request) => putEventsReply(request));
    client = new EventBridgeClient(clientConfig(stub.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await stub?.close();
  });
  beforeEach(() => {
    stub?.reset((request) => putEventsReply(request));
    sleep = recordingSleep();
  });

  describe('batching', () => {
    it('sends 25 events as 3 PutEvents calls of 10, 10 and 5 entries, in order', async () => {
      const events = details(25);
      const outcomes = await dispatcher().dispatch(events);

      // The three requests are in flight together and may arrive in any order; their contents may not.
      expect(sent()).toHaveLength(3);
      expect(sent().map((entries) => entries.map(taskOf))).toEqual(
        expect.arrayContaining([0, 10, 20].map((from) => events.slice(from, from + 10).map((e) => e.task))),
      );
      expect(outcomes).toEqual(events.map((e) => ({ id: e.id, dispatched: true, attempts: 1 })));
      expect(sleep.delays).toEqual([]);
    });

    it('builds each entry from the detail: tickwork source, detail-type, JSON detail, the bus name, no Resources or Time', async () => {
      const event = detail('reports:daily', { fence: 7, payload: { region: 'eu' } });
      await dispatcher().dispatch([event]);

      expect(sent()).toEqual([[{ Source: 'tickwork', DetailType: 'Tickwork Task Due', Detail: JSON.stringify(event), EventBusName: 'tickwork-test' }]]);
    });

    it('also splits on size: 100 KiB entries go two to a request', async () => {
      const events = Array.from({ length: 5 }, (_, i) => detailOfEntrySize(`big-${i}`, 100 * 1024));
      const outcomes = await dispatcher().dispatch(events);

      expect(sent().map((entries) => entries.length).sort()).toEqual([1, 2, 2]);
      expect(outcomes.every((o) => o.dispatched)).toBe(true);
    });

    it('fills a request up to exactly 256 KiB, and starts a new one a byte later', async () => {
      const half = MAX_REQUEST_BYTES / 2;
      await dispatcher().dispatch([detailOfEntrySize('a', half), detailOfEntrySize('b', half)]);
      expect(sent().map((entries) => entries.length)).toEqual([2]);

      stub?.reset((request) => putEventsReply(request));
      await dispatcher().dispatch([detailOfEntrySize('a', half), detailOfEntrySize('b', half + 1)]);
      expect(sent().map((entries) => entries.map(taskOf)).sort()).toEqual([['a'], ['b']]);
    });

    it('fails an entry over 256 KiB without sending it, and still sends the others', async () => {
      const events = [detail('small-1'), detailOfEntrySize('huge', MAX_REQUEST_BYTES + 1), detail('small-2')];
      const outcomes = await dispatcher().dispatch(events);

      expect(sent().map((entries) => entries.map(taskOf))).toEqual([['small-1', 'small-2']]);
      expect(outcomes[0]).toEqual({ id: events[0]!.id, dispatched: true, attempts: 1 });
      expect(outcomes[1]).toMatchObject({ id: events[1]!.id, dispatched: false, attempts: 0 });
      expect(outcomes[1]).toHaveProperty('error', expect.stringContaining(`is ${MAX_REQUEST_BYTES + 1} bytes`));
      expect(outcomes[2]).toEqual({ id: events[2]!.id, dispatched: true, attempts: 1 });
    });

    it('keeps at most `concurrency` requests in flight', async () => {
      let inFlight = 0;
      let most = 0;
      stub?.reset(async (request) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return putEventsReply(request);
      });
      await dispatcher({ concurrency: 2 }).dispatch(details(60));

      expect(stub?.requests).toHaveLength(6);
      expect(most).toBe(2);
    });
  });

  describe('retries', () => {
    it('retries only the entries PutEvents reported as failed, re-batched, then reports them delivered on attempt 2', async () => {
      let call = 0;
      stub?.reset((request) => {
        call += 1;
        return putEventsReply(request, (entry) =>
          call <= 2 && ['task-3', 'task-11'].includes(taskOf(entry)) ? { code: 'InternalFailure', message: 'try again' } : undefined,
        );
      });
      const events = details(12);
      const outcomes = await dispatcher({ concurrency: 1 }).dispatch(events);

      expect(sent().map((entries) => entries.map(taskOf))).toEqual([
        events.slice(0, 10).map((e) => e.task),
        ['task-10', 'task-11'],
        ['task-3', 'task-11'],
      ]);
      expect(outcomes).toEqual(events.map((e) => ({ id: e.id, dispatched: true, attempts: ['task-3', 'task-11'].includes(e.task) ? 2 : 1 })));
      expect(sleep.delays).toEqual([50]);
    });

    it('gives up after maxAttempts with the last ErrorCode and ErrorMessage, backing off more each time', async () => {
      stub?.reset((request) => putEventsReply(request, (entry) => (taskOf(entry) === 'task-1' ? { code: 'InternalFailure', message: 'no luck' } : undefined)));
      const events = details(3);
      const outcomes = await dispatcher().dispatch(events);

      expect(outcomes).toEqual([
        { id: events[0]!.id, dispatched: true, attempts: 1 },
        { id: events[1]!.id, dispatched: false, attempts: 4, error: 'InternalFailure: no luck' },
        { id: events[2]!.id, dispatched: true, attempts: 1 },
      ]);
      expect(stub?.requests).toHaveLength(4);
      expect(sleep.delays).toEqual([50, 100, 200]);
    });

    it('caps the backoff at maxDelayMs', async () => {
      stub?.reset((request) => putEventsReply(request, () => ({ code: 'InternalFailure', message: 'down' })));
      await dispatcher({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999 }).dispatch([detail('a')]);

      expect(sleep.delays).toEqual([99, 199, 299, 299, 299]);
    });

    it.each([
      ['a 500 InternalException', awsJsonError('InternalException', 'service unavailable', 500), 'InternalException: service unavailable'],
      ['a throttling error', awsJsonError('ThrottlingException', 'Rate exceeded'), 'ThrottlingException: Rate exceeded'],
    ])('counts a call that throws (%s) as a failure of all its entries, and retries them', async (_, failed, error) => {
      stub?.reset(() => failed);
      const events = details(3);
      const outcomes = await dispatcher().dispatch(events);
      expect(outcomes).toEqual(events.map((e) => ({ id: e.id, dispatched: false, attempts: 4, error })));

      let calls = 0;
      stub?.reset((request) => (++calls === 1 ? failed : putEventsReply(request)));
      expect(await dispatcher().dispatch(events)).toEqual(events.map((e) => ({ id: e.id, dispatched: true, attempts: 2 })));
      expect(sent().map((entries) => entries.length)).toEqual([3, 3]);
    });

    it('reports every request to onCall: its attempt, its entries and how many failed', async () => {
      let call = 0;
      stub?.reset((request) => putEventsReply(request, (entry) => (++call <= 11 && taskOf(entry) === 'task-0' ? { code: 'InternalFailure', message: 'x' } : undefined)));
      const calls: DispatchCall[] = [];
      await dispatcher({ concurrency: 1, onCall: (c) => calls.push(c) }).dispatch(details(11));

      expect(calls).toEqual([
        { attempt: 1, events: 10, failed: 1 },
        { attempt: 1, events: 1, failed: 0 },
        { attempt: 2, events: 1, failed: 0 },
      ]);
    });

    it('logs each retry round at warn, with the first error', async () => {
      const logger = new Logger({ logLevel: 'SILENT' });
      const warn = vi.spyOn(logger, 'warn');
      stub?.reset((request) => putEventsReply(request, (entry) => (taskOf(entry) === 'task-0' ? { code: 'InternalFailure', message: 'down' } : undefined)));
      await dispatcher({ logger, maxAttempts: 3 }).dispatch(details(2));

      expect(warn.mock.calls).toEqual([
        ['Retrying task events', { attempt: 2, events: 1, delayMs: 50, error: 'InternalFailure: down' }],
        ['Retrying task events', { attempt: 3, events: 1, delayMs: 100, error: 'InternalFailure: down' }],
      ]);
    });

    it('sends nothing and returns no outcomes for no events', async () => {
      expect(await dispatcher().dispatch([])).toEqual([]);
      expect(stub?.requests).toHaveLength(0);
    });
  });

  describe('the bus', () => {
    it.each([
      ['arn:aws:events:us-east-1:123456789012:event-bus/tickwork-dev', 'tickwork-dev'],
      ['arn:aws-cn:events:cn-north-1:123456789012:event-bus/tickwork-dev', 'tickwork-dev'],
      ['arn:aws:events:eu-west-1:123456789012:event-bus/aws.partner/example.com/123/orders', 'aws.partner/example.com/123/orders'],
      ['default', 'default'],
      ['tickwork_prod.v2-eu', 'tickwork_prod.v2-eu'],
    ])('sends EventBusName as the name: %s → %s', async (busName, name) => {
      const sender = dispatcher({ busName });
      await sender.dispatch([detail('a')]);

      expect(sender.busName).toBe(name);
      expect(sent()[0]?.[0]?.EventBusName).toBe(name);
    });

    it.each([
      [''],
      ['tickwork dev'],
      ['x'.repeat(257)],
      ['arn:aws:events:us-east-1:12345:event-bus/tickwork-dev'],
      ['arn:aws:sqs:us-east-1:123456789012:tickwork-dev'],
      ['arn:aws:events:us-east-1:123456789012:rule/tickwork-dev'],
      [undefined],
      [42],
    ])('rejects busName %j, naming the field and what it expects', (busName) => {
      const build = () => dispatcher({ busName: busName as string });

      expect(build).toThrow(InvalidDispatcherConfigError);
      expect(build).toThrow(/busName to be an event bus name .* or its ARN \(arn:aws:events:<region>:<account>:event-bus\/<name>\), got /);
      try {
        build();
      } catch (error) {
        expect(error).toMatchObject({ code: 'INVALID_DISPATCHER_CONFIG', field: 'busName' });
      }
    });
  });

  describe('options', () => {
    it('rejects an unknown option by name', () => {
      const build = () => new EventBridgeDispatcher({ client, busName: 'b', busname: 'b' } as EventBridgeDispatcherOptions);
      expect(build).toThrow(/EventBridgeDispatcher got unknown option busname; expected only client, busName, maxAttempts/);
    });

    it.each([
      ['maxAttempts', 0],
      ['concurrency', 1.5],
      ['baseDelayMs', -1],
      ['client', {}],
    ])('rejects %s = %j', (field, value) => {
      const build = () => dispatcher({ [field]: value });
      expect(build).toThrow(InvalidDispatcherConfigError);
      expect(build).toThrow(`EventBridgeDispatcher expects ${field} to be`);
    });

    it('leaves the caller\'s options object as it was', () => {
      const options = Object.freeze({ client, busName: 'arn:aws:events:us-east-1:123456789012:event-bus/frozen' });
      expect(new EventBridgeDispatcher(options).busName).toBe('frozen');
      expect(options.busName).toBe('arn:aws:events:us-east-1:123456789012:event-bus/frozen');
    });
  });
});

describe('entrySize, as the EventBridge user guide counts a PutEvents entry', () => {
  it.each([
    ['Source + DetailType + Detail bytes', { Source: 'tickwork', DetailType: 'Tickwork Task Due', Detail: '{}' }, 8 + 17 + 2],
    ['UTF-8 bytes, not characters', { Source: 's', DetailType: 'd', Detail: '"é€😀"' }, 1 + 1 + (2 + 2 + 3 + 4)],
    ['14 bytes for Time when set', { Source: 's', DetailType: 'd', Time: new Date(0) }, 1 + 1 + 14],
    ['each of Resources', { Source: 's', DetailType: 'd', Resources: ['arn:a', 'arn:bb'] }, 1 + 1 + 5 + 6],
    ['nothing for EventBusName', { Source: 's', DetailType: 'd', EventBusName: 'a-long-bus-name' }, 2],
  ])('%s', (_, entry, size) => {
    expect(entrySize(entry)).toBe(size);
  });
});
