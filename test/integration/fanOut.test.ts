import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskEventDetail } from '../../src/dispatch/Dispatcher.js';
import { createDispatch } from '../../src/dispatch/dispatchAt.js';
import { EventBridgeDispatcher } from '../../src/dispatch/EventBridgeDispatcher.js';
import type { DispatchCall } from '../../src/dispatch/retry.js';
import { Schedule } from '../../src/kernel/Schedule.js';
import type { TaskContext } from '../../src/kernel/types.js';
import { createTaskHandler } from '../../src/runner/createTaskHandler.js';
import { createTickHandler, localSinks } from '../../src/runner/createTickHandler.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { putEventsEntries, putEventsReply, startAwsStub, type AwsStub, type SentEntry, type StubHandler } from '../unit/dispatch/awsStub.js';
import { clientConfig } from '../unit/dispatch/fixtures.js';
import { freshTable, localClient } from './dynamo.js';
import { lambdaContext } from './lambdaContext.js';
import { deferred } from '../deferred.js';

/**
 * Fan-out end to end on DynamoDB Local: the real DynamoDbStore (conditional claims, the worker's
 * conditional start, the release transaction, the run queue) and the real EventBridgeDispatcher and
 * SDK client, talking to a local PutEvents stub. What the stub accepted is turned into the event an
 * EventBridge rule would hand the task's Lambda, and given to the real task handler.
 */

const DEPLOYMENT = 'fanout-it';
const BUS = 'tickwork-it';
const MINUTE = '2026-11-23T10:05:00.000Z';
const logger = new Logger({ logLevel: 'SILENT' });
const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tickwork-fanout-it-')));

/** The stub's default: every entry accepted. */
const accept: StubHandler = (request) => putEventsReply(request);

let client: DynamoDBClient;
let eventBridge: EventBridgeClient;
let stub: AwsStub;

beforeAll(async () => {
  client = localClient();
  stub = await startAwsStub(accept);
  eventBridge = new EventBridgeClient(clientConfig(stub.endpoint));
});

afterAll(async () => {
  eventBridge?.destroy();
  client?.destroy();
  await stub?.close();
});

/** Every entry the stub received, in arrival order. */
function received(): SentEntry[] {
  return stub.requests.flatMap(putEventsEntries);
}

function detailOf(entry: SentEntry): TaskEventDetail {
  return JSON.parse(entry.Detail) as TaskEventDetail;
}

/** The event an EventBridge rule hands the task's Lambda for an accepted entry: EventBridge's envelope around it. */
function delivered(entry: SentEntry): unknown {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: JSON.parse(entry.Detail) as unknown,
  };
}

/** A fresh table, with a tick and a task worker on it sharing one settable clock. */
async function freshDeployment(schedule: Schedule, dispatcherOptions: { onCall?: (call: DispatchCall) => void } = {}) {
  const { tableName } = await freshTable(client);
  const store = new DynamoDbStore({ tableName, client, deployment: DEPLOYMENT });
  const clock = { now: 0 };
  const now = () => clock.now;
  const dispatcher = new EventBridgeDispatcher({ client: eventBridge, busName: BUS, baseDelayMs: 5, ...dispatcherOptions });
  const tickHandler = createTickHandler({ schedule, store, dispatcher, deployment: DEPLOYMENT, stage: 'test', sinks, logger, now });
  const worker = createTaskHandler({ schedule, store, deployment: DEPLOYMENT, sinks, logger, now });
  return {
    store,
    clock,
    worker,
    /** The tick for `minute`, arriving 100 ms into it. */
    tick(minute: string, requestId: string) {
      clock.now = Date.parse(minute) + 100;
      return tickHandler({ scheduledTime: minute }, lambdaContext(requestId));
    },
  };
}

describe('fan-out on DynamoDB Local: duplicate delivery of a task event', () => {
  it('runs the task once when the same event reaches ten workers at once, and not on a later redelivery', async () => {
    stub.reset(accept);
    const runs: TaskContext[] = [];
    const schedule = new Schedule();
    schedule.call(async (ctx) => {
      runs.push(ctx);
      // Long enough for every other copy of the event to reach the store while this run is going.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }).name('invoices:export').everyFiveMinutes().onLambda({ timeout: 120 });
    const rig = await freshDeployment(schedule);

    const report = await rig.tick(MINUTE, 'tick-1');
    expect(report).toMatchObject({ dispatched: ['invoices:export'], undispatched: [], retried: 0 });
    expect(await rig.store.getRun('invoices:export', MINUTE)).toMatchObject({ status: 'dispatched', owner: 'tick-1' });
    const [entry, ...others] = received();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ Source: 'tickwork', DetailType: 'Tickwork Task Due', EventBusName: BUS });
    expect(detailOf(entry!)).toEqual({
      version: 1, id: `${DEPLOYMENT}/invoices:export/${MINUTE}`, deployment: DEPLOYMENT, task: 'invoices:export', slot: MINUTE, at: MINUTE,
      owner: 'tick-1', fence: null, attempt: 1,
    });

    rig.clock.now = Date.parse(MINUTE) + 2_000;
    const event = delivered(entry!);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rig.worker(event, lambdaContext(`worker-${i}`))));

    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: 'invoices:export', slot: MINUTE, fence: undefined });
    expect(results.filter((r) => r.outcome === 'ran')).toEqual([{ task: 'invoices:export', slot: MINUTE, outcome: 'ran', attempt: 1 }]);
    const refused = results.filter((r) => r.outcome === 'not-started');
    expect(refused).toHaveLength(9);
    // Refused by the conditional start, having seen the run going or already done — never unclaimed.
    for (const r of refused) expect(['running', 'succeeded']).toContain('status' in r ? r.status : undefined);
    expect(await rig.store.getRun('invoices:export', MINUTE)).toMatchObject({ status: 'succeeded', owner: 'tick-1', latenessMs: 2_000 });

    rig.clock.now = Date.parse(MINUTE) + 60_000;
    expect(await rig.worker(delivered(entry!), lambdaContext('worker-late'))).toEqual({
      task: 'invoices:export', slot: MINUTE, outcome: 'not-started', status: 'succeeded',
    });
    expect(runs).toHaveLength(1);
  });
});

describe('fan-out on DynamoDB Local: PutEvents failing some entries of a batch', () => {
  it('retries the failed entries in batches, releases the ones never sent, and the next tick sends them as attempt 2', async () => {
    // export-01 … export-23. Names ending in 1, 3 or 5 fail their first two attempts; in 7 or 9, every attempt.
    const names = Array.from({ length: 23 }, (_, i) => `export-${String(i + 1).padStart(2, '0')}`);
    const flaky = names.filter((n) => /[135]$/.test(n));
    const down = names.filter((n) => /[79]$/.test(n));
    const healthy = names.filter((n) => !flaky.includes(n) && !down.includes(n));
    expect([healthy.length, flaky.length, down.length]).toEqual([11, 8, 4]);

    const schedule = new Schedule();
    for (const name of names) schedule.call(() => {}).name(name).everyFiveMinutes().onLambda({});
    const calls: DispatchCall[] = [];
    const rig = await freshDeployment(schedule, { onCall: (call) => calls.push(call) });

    const seen = new Map<string, number>();
    const accepted: string[] = [];
    stub.reset((request) => putEventsReply(request, (entry) => {
      const { task } = detailOf(entry);
      const attempt = (seen.get(task) ?? 0) + 1;
      seen.set(task, attempt);
      if (down.includes(task) || (flaky.includes(task) && attempt <= 2)) return { code: 'InternalFailure', message: `${task} refused on attempt ${attempt}` };
      accepted.push(task);
      return undefined;
    }));

    const report = await rig.tick(MINUTE, 'tick-1');

    expect([...report.dispatched].sort()).toEqual([...healthy, ...flaky].sort());
    expect(report.retried).toBe(flaky.length + down.length);
    expect([...report.undispatched].sort((a, b) => a.name.localeCompare(b.name))).toEqual(down.map((name) => ({
      name, slot: MINUTE, attempt: 1, error: `InternalFailure: ${name} refused on attempt 4`, requeued: true,
    })));
    // Every sent event went out once: a retry resends only what failed.
    expect([...accepted].sort()).toEqual([...healthy, ...flaky].sort());
    // Batches of at most 10: attempt 1 puts 23 entries (10 + 10 + 3), attempts 2 and 3 the 12 failed ones
    // (10 + 2), attempt 4 the four that never pass (4).
    expect(stub.requests).toHaveLength(8);
    expect(stub.requests.map((r) => putEventsEntries(r).length).sort((a, b) => a - b)).toEqual([2, 2, 3, 4, 10, 10, 10, 10]);
    const perAttempt = (n: number) => {
      const made = calls.filter((c) => c.attempt === n);
      return { events: made.map((c) => c.events).sort((a, b) => b - a), failed: made.reduce((sum, c) => sum + c.failed, 0) };
    };
    expect([1, 2, 3, 4, 5].map(perAttempt)).toEqual([
      { events: [10, 10, 3], failed: flaky.length + down.length },
      { events: [10, 2], failed: flaky.length + down.length },
      { events: [10, 2], failed: down.length },
      { events: [4], failed: down.length },
      { events: [], failed: 0 },
    ]);

    // The sent ones wait for their workers; the unsent ones' claims were deleted with their retry queued.
    for (const name of [...healthy, ...flaky]) expect(await rig.store.getRun(name, MINUTE)).toMatchObject({ status: 'dispatched', owner: 'tick-1' });
    for (const name of down) expect(await rig.store.getRun(name, MINUTE)).toBeUndefined();

    stub.reset(accept);
    const next = await rig.tick('2026-11-23T10:06:00.000Z', 'tick-2');

    expect(next).toMatchObject({ queued: down.length, undispatched: [], retried: 0 });
    expect([...next.dispatched].sort()).toEqual(down);
    expect(stub.requests).toHaveLength(1);
    expect(received().map(detailOf).sort((a, b) => a.task.localeCompare(b.task))).toEqual(down.map((task) => ({
      version: 1, id: `${DEPLOYMENT}/${task}/${MINUTE}`, deployment: DEPLOYMENT, task, slot: MINUTE, at: MINUTE, owner: 'tick-2', fence: null, attempt: 2,
    })));
    for (const name of down) expect(await rig.store.getRun(name, MINUTE)).toMatchObject({ status: 'dispatched', owner: 'tick-2' });
    expect(await rig.store.dueRuns(Date.parse('2026-11-24T00:00:00Z'), 100)).toEqual([]);
  });
});

describe('fan-out on DynamoDB Local: a withoutOverlapping() task in its own Lambda', () => {
  it('hands the worker the tick\'s fence, skips the next slot while the run goes on, and gives the slot after fence + 1', async () => {
    stub.reset(accept);
    const runs: TaskContext[] = [];
    const entered = deferred();
    const finish = deferred();
    const schedule = new Schedule();
    schedule.call(async (ctx) => {
      runs.push(ctx);
      if (runs.length === 1) {
        entered.resolve();
        await finish.promise;
      }
    }).name('ledger:sync').everyFiveMinutes().withoutOverlapping().onLambda({ timeout: 600 });
    const rig = await freshDeployment(schedule);

    expect(await rig.tick(MINUTE, 'tick-1')).toMatchObject({ dispatched: ['ledger:sync'], skipped: [] });
    const [first] = received();
    expect(detailOf(first!)).toMatchObject({ slot: MINUTE, owner: 'tick-1', fence: 1 });

    // The worker starts 2 s after the slot with ten minutes to run, and stays in the task until told.
    rig.clock.now = Date.parse(MINUTE) + 2_000;
    const running = rig.worker(delivered(first!), lambdaContext('worker-1', 600_000));
    // A worker that ends without entering the task fails here at once, rather than at the test's timeout.
    await Promise.race([entered.promise, running.then((report) => { throw new Error(`the worker ended without running the task: ${JSON.stringify(report)}`); })]);
    expect(await rig.store.getRun('ledger:sync', MINUTE)).toMatchObject({ status: 'running' });

    const overlapped = await rig.tick('2026-11-23T10:10:00.000Z', 'tick-2');
    expect(overlapped).toMatchObject({ dispatched: [], skipped: [{ name: 'ledger:sync', reason: 'overlapping' }] });
    expect(received()).toHaveLength(1);
    expect(await rig.store.getRun('ledger:sync', '2026-11-23T10:10:00.000Z')).toMatchObject({ status: 'skipped', reason: 'overlapping', owner: 'tick-2' });

    finish.resolve();
    expect(await running).toEqual({ task: 'ledger:sync', slot: MINUTE, outcome: 'ran', attempt: 1 });
    expect(runs[0]?.fence).toBe(1);
    expect(await rig.store.getRun('ledger:sync', MINUTE)).toMatchObject({ status: 'succeeded', owner: 'tick-1' });

    const after = await rig.tick('2026-11-23T10:15:00.000Z', 'tick-3');
    expect(after).toMatchObject({ dispatched: ['ledger:sync'], skipped: [] });
    const second = received()[1];
    expect(detailOf(second!)).toMatchObject({ slot: '2026-11-23T10:15:00.000Z', owner: 'tick-3', fence: 2 });
    rig.clock.now = Date.parse('2026-11-23T10:15:02.000Z');
    expect(await rig.worker(delivered(second!), lambdaContext('worker-2', 600_000))).toMatchObject({ outcome: 'ran' });
    expect(runs.map((r) => [r.slot, r.fence])).toEqual([[MINUTE, 1], ['2026-11-23T10:15:00.000Z', 2]]);
  });
});

describe('fan-out on DynamoDB Local: a one-off from dispatchAfter', () => {
  it('is dispatched once by two concurrent ticks after it is due, and its worker gets the payload', async () => {
    stub.reset(accept);
    const runs: TaskContext[] = [];
    const schedule = new Schedule();
    // Never due by its own schedule within the test: only the one-off runs.
    schedule.call((ctx) => void runs.push(ctx)).name('customer:export').cron('0 0 1 1 *').onLambda({});
    const rig = await freshDeployment(schedule);
    const queued = await createDispatch({ store: rig.store, schedule, now: () => Date.parse(MINUTE) }).dispatchAfter(90_000, 'customer:export', { customer: 42 });
    expect(queued).toMatchObject({ task: 'customer:export', at: new Date('2026-11-23T10:06:30.000Z') });

    expect(await rig.tick('2026-11-23T10:06:00.000Z', 'tick-early')).toMatchObject({ queued: 0, dispatched: [] });
    expect(received()).toEqual([]);

    const [a, b] = await Promise.all(['tick-a', 'tick-b'].map((id) => rig.tick('2026-11-23T10:07:00.000Z', id)));
    expect([...a!.dispatched, ...b!.dispatched]).toEqual(['customer:export']);
    const entries = received();
    expect(entries).toHaveLength(1);
    expect(detailOf(entries[0]!)).toMatchObject({ task: 'customer:export', slot: queued.slot, at: '2026-11-23T10:06:30.000Z', attempt: 1, payload: { customer: 42 } });
    expect(await rig.store.dueRuns(Date.parse('2026-11-24T00:00:00Z'), 100)).toEqual([]);

    rig.clock.now = Date.parse('2026-11-23T10:07:02.000Z');
    expect(await rig.worker(delivered(entries[0]!), lambdaContext('worker-1'))).toMatchObject({ outcome: 'ran' });
    expect(runs.map((r) => [r.name, r.slot, r.payload])).toEqual([['customer:export', queued.slot, { customer: 42 }]]);
    expect(await rig.store.getRun('customer:export', queued.slot)).toMatchObject({ status: 'succeeded' });
  });
});
