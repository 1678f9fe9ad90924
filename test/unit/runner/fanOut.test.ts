import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskEvent, type TaskEventDetail } from '../../../src/dispatch/Dispatcher.js';
import { createDispatch } from '../../../src/dispatch/dispatchAt.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { InvalidDispatchError, InvalidTaskEventError, TaskRunFailedError, TickworkError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskContext } from '../../../src/kernel/types.js';
import { createTaskHandler } from '../../../src/runner/createTaskHandler.js';
import { createTickHandler, localSinks } from '../../../src/runner/createTickHandler.js';
import { MAX_DISPATCH_ATTEMPTS, runTick, type RunTickInput } from '../../../src/runner/runTick.js';
import { STALE_DISPATCH_MS } from '../../../src/runner/fanOut.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { lambdaContext } from '../../integration/lambdaContext.js';

const root = mkdtempSync(join(tmpdir(), 'tickwork-fanout-'));
const MINUTE = new Date('2026-11-23T10:05:00Z');
const SLOT = MINUTE.toISOString();
const logger = new Logger({ logLevel: 'SILENT' });

function tick(schedule: Schedule, store: MemoryStore, dispatcher: MemoryDispatcher, overrides: Partial<RunTickInput> = {}) {
  const minute = overrides.minute ?? MINUTE;
  return runTick({
    tasks: schedule.compiled(),
    commands: schedule.commands,
    sinks: localSinks(root),
    stage: 'test',
    store,
    dispatcher,
    deployment: 'blue',
    minute,
    owner: 'tick-1',
    deadline: minute.getTime() + 55_000,
    now: () => minute.getTime() + 100,
    logger,
    ...overrides,
  });
}

function worker(schedule: Schedule, store: MemoryStore, now = () => MINUTE.getTime() + 2_000) {
  return createTaskHandler({ schedule, store, deployment: 'blue', sinks: localSinks(root), logger, now });
}

/** A kernel with one fan-out task that records each run's context, and one inline task. */
function kernel(configure: (b: ReturnType<Schedule['call']>) => unknown = () => {}) {
  const runs: TaskContext[] = [];
  const schedule = new Schedule();
  const task = schedule.call((ctx) => void runs.push(ctx)).name('invoices:export').everyFiveMinutes().onLambda({ timeout: 120 });
  configure(task);
  schedule.call(() => {}).name('inline').everyFiveMinutes();
  return { schedule, runs };
}

describe('fan-out: the tick claims and dispatches, the worker runs', () => {
  it('sends a fan-out slot as one event and leaves the run to the worker; inline tasks still run inline', async () => {
    const { schedule, runs } = kernel();
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();

    const report = await tick(schedule, store, dispatcher);

    expect(report).toMatchObject({ ran: ['inline'], dispatched: ['invoices:export'], undispatched: [], retried: 0 });
    expect(runs).toHaveLength(0);
    expect(dispatcher.sent).toEqual([{
      version: 1, id: `blue/invoices:export/${SLOT}`, deployment: 'blue', task: 'invoices:export', slot: SLOT, at: SLOT,
      owner: 'tick-1', fence: null, attempt: 1,
    }]);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'dispatched', owner: 'tick-1' });

    const result = await worker(schedule, store)(taskEvent(dispatcher.sent[0]!), lambdaContext('worker-1'));

    expect(result).toEqual({ task: 'invoices:export', slot: SLOT, outcome: 'ran', attempt: 1 });
    expect(runs.map((r) => r.slot)).toEqual([SLOT]);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'succeeded', owner: 'tick-1', latenessMs: 2_000 });
  });

  it('starts one run when the same event is delivered several times, at once or later', async () => {
    const { schedule, runs } = kernel();
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const event = taskEvent(dispatcher.sent[0]!);
    const handler = worker(schedule, store);

    const results = await Promise.all([1, 2, 3].map((i) => handler(event, lambdaContext(`worker-${i}`))));
    const late = await handler(event, lambdaContext('worker-4'));

    expect(runs).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'ran')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'not-started')).toHaveLength(2);
    expect(late).toEqual({ task: 'invoices:export', slot: SLOT, outcome: 'not-started', status: 'succeeded' });
  });

  it('also dispatches once when the tick itself is delivered twice', async () => {
    const { schedule } = kernel();
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    const [a, b] = await Promise.all([tick(schedule, store, dispatcher), tick(schedule, store, dispatcher, { owner: 'tick-2' })]);
    expect([...a.dispatched, ...b.dispatched]).toEqual(['invoices:export']);
    expect(dispatcher.sent).toHaveLength(1);
  });

  it('hands the lease the tick took to the worker, with its fence, and releases it after the run', async () => {
    // A 10-minute Lambda timeout: the tick's lease covers it (plus delivery time), so it outlasts the next slot.
    const { schedule, runs } = kernel((t) => t.withoutOverlapping().onLambda({ timeout: 600 }));
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const [event] = dispatcher.sent;
    expect(event?.fence).toBe(1);

    // While the dispatched run holds the lease, the next slot is skipped as overlapping, and not sent.
    const next = new Date(MINUTE.getTime() + 5 * 60_000);
    const overlapped = await tick(schedule, store, dispatcher, { minute: next, owner: 'tick-2' });
    expect(overlapped.skipped).toContainEqual({ name: 'invoices:export', reason: 'overlapping' });
    expect(dispatcher.sent).toHaveLength(1);

    await worker(schedule, store, () => next.getTime() + 1_000)(taskEvent(event!), lambdaContext('worker-1'));
    expect(runs[0]?.fence).toBe(1);
    // Released: the slot after runs, with the next fence.
    const later = new Date(next.getTime() + 5 * 60_000);
    await tick(schedule, store, dispatcher, { minute: later, owner: 'tick-3' });
    expect(dispatcher.sent.map((e) => e.fence)).toEqual([1, 2]);
  });

  it('takes the lease afresh when the one the tick took has lapsed before the event arrived', async () => {
    const { schedule, runs } = kernel((t) => t.withoutOverlapping(1));
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    // Delivered ten minutes late: the tick's lease (capped at 1 minute) is long gone.
    await worker(schedule, store, () => MINUTE.getTime() + 10 * 60_000)(taskEvent(dispatcher.sent[0]!), lambdaContext('worker-1'));
    expect(runs[0]?.fence).toBe(2);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'succeeded' });
  });

  it('records a failed run, then throws so Lambda may retry; a retry runs only while retries remain', async () => {
    let calls = 0;
    const schedule = new Schedule();
    schedule.call(() => { calls += 1; throw new Error('ledger offline'); }).name('flaky').everyFiveMinutes().onLambda({ retries: 1 });
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const event = taskEvent(dispatcher.sent[0]!);
    const handler = worker(schedule, store);

    await expect(handler(event, lambdaContext('w-1'))).rejects.toThrow(TaskRunFailedError);
    expect(await store.getRun('flaky', SLOT)).toMatchObject({ status: 'failed', error: 'Error: ledger offline' });
    await expect(handler(event, lambdaContext('w-2'))).rejects.toThrow(/flaky.*ledger offline/);
    expect(await handler(event, lambdaContext('w-3'))).toMatchObject({ outcome: 'not-started', status: 'failed' });
    expect(calls).toBe(2);
  });

  it('with no retries, Lambda\'s retry of a failed run reports the failure again without running it, so the event reaches the dead-letter queue', async () => {
    let calls = 0;
    const schedule = new Schedule();
    schedule.call(() => { calls += 1; throw new Error('ledger offline'); }).name('once').everyFiveMinutes().onLambda({});
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const event = taskEvent(dispatcher.sent[0]!);
    const handler = worker(schedule, store);

    await expect(handler(event, lambdaContext('w-1'))).rejects.toThrow(TaskRunFailedError);
    await expect(handler(event, lambdaContext('w-1'))).rejects.toThrow(/"once".*failed and has no retries left/);
    expect(await handler(event, lambdaContext('w-2'))).toMatchObject({ outcome: 'not-started', status: 'failed' }); // a duplicate delivery
    expect(calls).toBe(1);
    expect(await store.getRun('once', SLOT)).toMatchObject({ status: 'failed', error: 'Error: ledger offline' });
  });

  it('a Lambda retry of a worker that died mid-run records it abandoned, runs nothing, and frees the lease', async () => {
    const { schedule, runs } = kernel((task) => task.withoutOverlapping());
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const event = taskEvent(dispatcher.sent[0]!);
    let faulty = true;
    // The store is down for the worker's outcome and release: the run happened, its record says `running`.
    const flaky = new Proxy(store, {
      get(target, key) {
        if ((key === 'completeRun' || key === 'releaseLeaseTakingPending') && faulty) return async () => { throw new Error('ServiceUnavailable'); };
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const run = worker(schedule, flaky);
    await expect(run(event, lambdaContext('worker-1'))).rejects.toThrow();
    faulty = false;
    expect(await run(event, lambdaContext('worker-1'))).toMatchObject({ outcome: 'abandoned' });
    expect(runs).toHaveLength(1);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'failed', reason: 'abandoned' });
    const later = MINUTE.getTime() + 10_000; // well inside the lease the run took
    expect(await store.acquireLease({ task: 'invoices:export', owner: 'tick-2', slot: 'later', now: later, expiresAt: later + 1_000 })).toMatchObject({ acquired: true });
  });

  it('passes the worker\'s timeout signal on to the task', async () => {
    const schedule = new Schedule();
    let aborted: boolean | undefined;
    schedule.call(async ({ signal }) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      aborted = signal.aborted;
    }).name('slow').everyFiveMinutes().onLambda({});
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    // 3.2 s left and a 3 s margin: the run's deadline is 200 ms away.
    const handler = createTaskHandler({ schedule, store, deployment: 'blue', sinks: localSinks(root), logger });
    await expect(handler(taskEvent(dispatcher.sent[0]!), lambdaContext('w-1', 3_200))).rejects.toThrow(/deadline/);
    expect(aborted).toBe(true);
    expect(await store.getRun('slow', SLOT)).toMatchObject({ status: 'timed-out' });
  });
});

describe('fan-out: the worker refuses events it must not act on, and writes nothing', () => {
  const { schedule } = kernel();
  const store = new MemoryStore('blue');
  const handler = worker(schedule, store);
  const detail: TaskEventDetail = {
    version: 1, id: `blue/invoices:export/${SLOT}`, deployment: 'blue', task: 'invoices:export', slot: SLOT, at: SLOT,
    owner: 'tick-1', fence: null, attempt: 1,
  };

  it.each([
    ['another source', { ...taskEvent(detail), source: 'aws.events' }, 'source'],
    ['another detail-type', { ...taskEvent(detail), 'detail-type': 'Scheduled Event' }, 'detail-type'],
    ['no detail', { source: 'tickwork', 'detail-type': 'Tickwork Task Due' }, 'detail'],
    ['a missing owner', taskEvent({ ...detail, owner: undefined as unknown as string }), 'detail.owner'],
    ['a bad slot time', taskEvent({ ...detail, at: 'yesterday' }), 'detail.at'],
    ['a fractional fence', taskEvent({ ...detail, fence: 1.5 }), 'detail.fence'],
    ['an unknown field', taskEvent({ ...detail, extra: true } as TaskEventDetail), 'detail'],
    ['another deployment', taskEvent({ ...detail, deployment: 'green', id: `green/invoices:export/${SLOT}` }), 'detail.deployment'],
    ['an id that is not the slot\'s', taskEvent({ ...detail, id: 'blue/invoices:export/other' }), 'detail.id'],
    ['an unknown task', taskEvent({ ...detail, task: 'nope', id: `blue/nope/${SLOT}` }), 'detail.task'],
    ['an inline task', taskEvent({ ...detail, task: 'inline', id: `blue/inline/${SLOT}` }), 'detail.task'],
    ['a time that is not the slot\'s', taskEvent({ ...detail, at: '2026-11-23T10:06:00.000Z' }), 'detail.at'],
  ])('refuses an event with %s', async (_, event, field) => {
    const error = await handler(event, lambdaContext('w')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTaskEventError);
    expect(error).toMatchObject({ code: 'INVALID_TASK_EVENT', field });
    expect(await store.getRun('invoices:export', SLOT)).toBeUndefined();
  });

  it('refuses a well-formed event for a slot no tick claimed (forged), without running anything', async () => {
    expect(await handler(taskEvent(detail), lambdaContext('w'))).toEqual({ task: 'invoices:export', slot: SLOT, outcome: 'not-started', status: undefined });
    expect(await store.getRun('invoices:export', SLOT)).toBeUndefined();
  });
});

describe('fan-out: a function runs only its own task', () => {
  it('refuses an event for another fan-out task than the one it was generated for', async () => {
    const { schedule } = kernel();
    schedule.call(() => {}).name('other:export').everyFiveMinutes().runInBackground();
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher);
    const other = dispatcher.sent.find((e) => e.task === 'other:export')!;
    const handler = createTaskHandler({ schedule, store, deployment: 'blue', sinks: localSinks(root), logger, task: 'invoices:export' });
    await expect(handler(taskEvent(other), lambdaContext('w'))).rejects.toMatchObject({ code: 'INVALID_TASK_EVENT', field: 'detail.task' });
    expect(await store.getRun('other:export', SLOT)).toMatchObject({ status: 'dispatched' });
    expect(() => createTaskHandler({ schedule, store, deployment: 'blue', logger, task: 'inline' })).toThrow(/runs inline/);
    expect(() => createTaskHandler({ schedule, store, deployment: 'blue', logger, task: 'gone' })).toThrow(/not in the kernel/);
  });

  it('records a replaced run as replaced, returns without failing, and never restarts it', async () => {
    const schedule = new Schedule();
    const starts: string[] = [];
    schedule.call(async ({ slot, signal }) => {
      starts.push(slot.slice(11, 16));
      if (slot === SLOT) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    }).name('feed').everyMinute().withoutOverlapping({ expiresMinutes: 10, policy: 'replace' }).onLambda({ retries: 2 });
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher, { now: Date.now });
    const handler = createTaskHandler({ schedule, store, deployment: 'blue', sinks: localSinks(root), logger });
    const running = handler(taskEvent(dispatcher.sent[0]!), lambdaContext('w-1', 120_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The next minute's tick finds the lease held and buffers its slot behind it.
    const next = new Date(MINUTE.getTime() + 60_000);
    const second = await tick(schedule, store, dispatcher, { minute: next, owner: 'tick-2', now: Date.now });
    expect(second.skipped).toEqual([{ name: 'feed', reason: 'buffered' }]);

    expect(await running).toEqual({ task: 'feed', slot: SLOT, outcome: 'replaced', attempt: 1 });
    expect(starts).toEqual(['10:05', '10:06']); // the worker ran the newer slot after stopping its own
    expect(await store.getRun('feed', SLOT)).toMatchObject({ status: 'replaced' });
    expect(await store.getRun('feed', next.toISOString())).toMatchObject({ status: 'succeeded' });
    expect(await handler(taskEvent(dispatcher.sent[0]!), lambdaContext('w-2'))).toMatchObject({ outcome: 'not-started', status: 'replaced' });
  }, 20_000);
});

describe('fan-out: events that could not be sent', () => {
  it('retries a failed entry within the tick, then releases the slot and queues it for the next tick', async () => {
    const { schedule, runs } = kernel((t) => t.withoutOverlapping());
    const store = new MemoryStore('blue');
    const down = new MemoryDispatcher({ fail: (detail) => (detail.task === 'invoices:export' ? 'InternalFailure: try later' : undefined) });

    const report = await tick(schedule, store, down);

    expect(report.dispatched).toEqual([]);
    expect(report.retried).toBe(1);
    expect(report.undispatched).toEqual([{ name: 'invoices:export', slot: SLOT, attempt: 1, error: expect.stringContaining('InternalFailure: try later'), requeued: true }]);
    expect(await store.getRun('invoices:export', SLOT)).toBeUndefined(); // released
    expect(await store.acquireLease({ task: 'invoices:export', owner: 'probe', slot: SLOT, now: MINUTE.getTime() + 200, expiresAt: MINUTE.getTime() + 300 }))
      .toMatchObject({ acquired: true }); // its lease released too
    await store.releaseLease('invoices:export', 'probe');

    // The next tick sends it as attempt 2, and the worker runs it as the original slot.
    const up = new MemoryDispatcher();
    const next = new Date(MINUTE.getTime() + 60_000);
    const retry = await tick(schedule, store, up, { minute: next, owner: 'tick-2' });
    expect(retry).toMatchObject({ queued: 1, dispatched: ['invoices:export'], undispatched: [] });
    expect(up.sent).toEqual([expect.objectContaining({ slot: SLOT, at: SLOT, attempt: 2, owner: 'tick-2' })]);
    await worker(schedule, store, () => next.getTime() + 1_000)(taskEvent(up.sent[0]!), lambdaContext('w'));
    expect(runs.map((r) => r.slot)).toEqual([SLOT]);
    expect(await store.dueRuns(next.getTime() + 60_000, 10)).toEqual([]);
  });

  it('leaves a slot alone whose send reported failure but got through (a lost reply): the worker has it', async () => {
    const { schedule, runs } = kernel((t) => t.withoutOverlapping());
    const store = new MemoryStore('blue');
    const handler = worker(schedule, store);
    // Every attempt "fails", but the first one reached the worker, which started the run at once.
    let delivered: Promise<unknown> | undefined;
    const lossy = new MemoryDispatcher({
      fail: (detail) => {
        delivered ??= handler(taskEvent(JSON.parse(JSON.stringify(detail)) as TaskEventDetail), lambdaContext('worker-1'));
        return 'TimeoutError: socket hang up';
      },
    });
    const report = await tick(schedule, store, lossy);
    await delivered;

    expect(report).toMatchObject({ dispatched: ['invoices:export'], undispatched: [] });
    expect(runs).toHaveLength(1);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'succeeded' });
    expect(await store.dueRuns(MINUTE.getTime() + 3_600_000, 10)).toEqual([]); // nothing queued to run it again
  });

  it('sends a slot whose tick died between claiming and sending, when that tick is retried', async () => {
    const { schedule, runs } = kernel();
    const store = new MemoryStore('blue');
    // The first delivery claimed the slot, then its Lambda died before PutEvents.
    await store.claimSlot({ task: 'invoices:export', slot: SLOT, owner: 'dead-tick', claimedAt: MINUTE.getTime() + 100, dispatch: true });
    const dispatcher = new MemoryDispatcher();
    const soon = await tick(schedule, store, dispatcher, { owner: 'duplicate', now: () => MINUTE.getTime() + 5_000 });
    expect(soon.skipped).toContainEqual({ name: 'invoices:export', reason: 'already-claimed' }); // it may still be sending

    // Lambda retries the failed tick with the same event and the same request id, minutes later.
    const retry = await tick(schedule, store, dispatcher, { owner: 'dead-tick', now: () => MINUTE.getTime() + 180_000 });
    expect(retry.dispatched).toEqual(['invoices:export']);
    const handler = worker(schedule, store, () => MINUTE.getTime() + 181_000);
    expect(await handler(taskEvent(dispatcher.sent[0]!), lambdaContext('w-new'))).toMatchObject({ outcome: 'ran' });
    expect(runs).toHaveLength(1);
  });

  it('leaves another tick\'s dispatched claim alone while its event may still be on the way, and takes it over after', async () => {
    const { schedule, runs } = kernel((task) => task.withoutOverlapping());
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(schedule, store, dispatcher, { owner: 'first-tick' });
    const inFlight = [...dispatcher.sent];
    expect(inFlight).toHaveLength(1);
    // A late duplicate of the minute (the Scheduler retrying) while the event waits in Lambda's queue.
    const late = await tick(schedule, store, dispatcher, { owner: 'late-tick', now: () => MINUTE.getTime() + 30 * 60_000 });
    expect(late.skipped).toContainEqual({ name: 'invoices:export', reason: 'already-claimed' });
    expect(dispatcher.sent).toEqual(inFlight); // nothing sent again
    // The event arrives: it runs, once.
    expect(await worker(schedule, store, () => MINUTE.getTime() + 31 * 60_000)(taskEvent(inFlight[0]!), lambdaContext('w-1'))).toMatchObject({ outcome: 'ran' });
    expect(runs).toHaveLength(1);

    // A claim never sent at all: only once no event of it can arrive any more is it taken over.
    const other = new MemoryStore('blue');
    await other.claimSlot({ task: 'invoices:export', slot: SLOT, owner: 'dead-tick', claimedAt: MINUTE.getTime() + 100, dispatch: true });
    const sender = new MemoryDispatcher();
    const after = await tick(schedule, other, sender, { owner: 'much-later', now: () => MINUTE.getTime() + 100 + STALE_DISPATCH_MS + 1 });
    expect(after.dispatched).toEqual(['invoices:export']);
  });

  it(`gives a slot up after ${MAX_DISPATCH_ATTEMPTS} ticks failed to send it, and records why`, async () => {
    const { schedule } = kernel();
    const store = new MemoryStore('blue');
    const down = new MemoryDispatcher({ fail: () => 'AccessDeniedException: not allowed' });
    const reports = [];
    for (let i = 0; i < MAX_DISPATCH_ATTEMPTS; i += 1) {
      const minute = new Date(MINUTE.getTime() + i * 60_000);
      reports.push(await tick(schedule, store, down, { minute, owner: `tick-${i}`, now: () => minute.getTime() + 100 }));
    }
    expect(reports.map((r) => r.undispatched.map((u) => [u.attempt, u.requeued]))).toEqual([[[1, true]], [[2, true]], [[3, true]], [[4, true]], [[5, false]]]);
    expect(await store.getRun('invoices:export', SLOT)).toMatchObject({ status: 'skipped', reason: 'undispatched', error: expect.stringContaining('AccessDeniedException') });
    expect(await store.dueRuns(MINUTE.getTime() + 3_600_000, 10)).toEqual([]);
  });

  it('refuses to build a tick for a kernel with fan-out tasks and no dispatcher', () => {
    const { schedule } = kernel();
    expect(() => createTickHandler({ schedule, store: new MemoryStore() })).toThrow(TickworkError);
    expect(() => createTickHandler({ schedule, store: new MemoryStore() })).toThrow(/"invoices:export".*needs a dispatcher/);
  });
});

describe('dispatchAt / dispatchAfter: delayed one-off runs', () => {
  it('runs a one-off once, when due, with its payload — inline or in the task\'s own Lambda', async () => {
    const { schedule, runs } = kernel((t) => t.when(() => false)); // conditions do not apply to one-offs
    const inlineRuns: TaskContext[] = [];
    schedule.call((ctx) => void inlineRuns.push(ctx)).name('notify').cron('0 0 1 1 *');
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    const dispatch = createDispatch({ store, schedule, now: () => MINUTE.getTime() });

    const fanOut = await dispatch.dispatchAfter(90_000, 'invoices:export', { customer: 42 });
    const inline = await dispatch.dispatchAt(new Date(MINUTE.getTime() + 30_000), 'notify', ['a', 'b']);
    expect(fanOut).toMatchObject({ task: 'invoices:export', at: new Date(MINUTE.getTime() + 90_000) });
    expect(fanOut.slot).toBe(`2026-11-23T10:06:30.000Z#${fanOut.id}`);

    const early = await tick(schedule, store, dispatcher, { minute: MINUTE, now: () => MINUTE.getTime() + 100 });
    expect(early).toMatchObject({ queued: 0, dispatched: [] });
    expect(inlineRuns).toHaveLength(0);

    // Two ticks for the same minute, after both are due: each one-off starts once.
    const due = new Date(MINUTE.getTime() + 2 * 60_000);
    const input = { minute: due, now: () => due.getTime() + 100 };
    const [a, b] = await Promise.all([tick(schedule, store, dispatcher, input), tick(schedule, store, dispatcher, { ...input, owner: 'tick-2' })]);
    expect([...a.ran, ...b.ran]).toEqual(['notify']);
    expect([...a.dispatched, ...b.dispatched]).toEqual(['invoices:export']);
    expect(inlineRuns.map((r) => [r.slot, r.payload])).toEqual([[inline.slot, ['a', 'b']]]);
    expect(dispatcher.sent).toEqual([expect.objectContaining({ slot: fanOut.slot, at: '2026-11-23T10:06:30.000Z', payload: { customer: 42 } })]);

    await worker(schedule, store, () => due.getTime() + 1_000)(taskEvent(dispatcher.sent[0]!), lambdaContext('w'));
    expect(runs.map((r) => [r.slot, r.payload])).toEqual([[fanOut.slot, { customer: 42 }]]);
    expect(await store.dueRuns(due.getTime() + 3_600_000, 10)).toEqual([]);
    expect(await store.lastRun('notify')).toMatchObject({ slot: inline.slot, status: 'succeeded' });
  });

  it('keeps a one-off\'s payload while it waits behind a running run (bufferOne)', async () => {
    const seen: unknown[] = [];
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const schedule = new Schedule();
    schedule.call(async ({ slot, payload }) => {
      seen.push(payload);
      if (slot === SLOT) await slow;
    }).name('sync').everyFiveMinutes().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore('blue');
    const first = tick(schedule, store, new MemoryDispatcher());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await createDispatch({ store, schedule, now: () => MINUTE.getTime() }).dispatchAfter(0, 'sync', { customer: 7 });
    const next = new Date(MINUTE.getTime() + 60_000);
    const second = await tick(schedule, store, new MemoryDispatcher(), { minute: next, owner: 'tick-2', now: () => next.getTime() });
    expect(second.skipped).toEqual([{ name: 'sync', reason: 'buffered' }]);
    release();
    await first;
    expect(seen).toEqual([undefined, { customer: 7 }]);
  });

  it('records a one-off of a paused task as skipped instead of keeping it', async () => {
    const { schedule, runs } = kernel();
    const store = new MemoryStore('blue');
    await store.pause({ task: 'invoices:export', note: 'ledger migration', pausedAt: 0 });
    const queued = await createDispatch({ store, schedule, now: () => MINUTE.getTime() - 60_000 }).dispatchAfter(0, 'invoices:export');
    const report = await tick(schedule, store, new MemoryDispatcher());
    expect(report.skipped).toContainEqual({ name: 'invoices:export', reason: 'paused' });
    expect(runs).toHaveLength(0);
    expect(await store.getRun('invoices:export', queued.slot)).toMatchObject({ status: 'skipped', reason: 'paused' });
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10)).toEqual([]);
  });

  it('drops, and records, a queued run of a task the kernel no longer has', async () => {
    const { schedule } = kernel();
    const store = new MemoryStore('blue');
    await store.enqueue({ id: 'x', task: 'retired', slot: `${SLOT}#x`, at: MINUTE.getTime(), attempt: 0, enqueuedAt: 0 });
    await tick(schedule, store, new MemoryDispatcher());
    expect(store.missed()).toEqual([expect.objectContaining({ task: 'retired', reason: 'unknown-task', count: 1 })]);
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10)).toEqual([]);
  });

  it.each([
    ['an unknown task', (d: ReturnType<typeof createDispatch>) => d.dispatchAfter(0, 'nope'), 'name'],
    ['an invalid date', (d: ReturnType<typeof createDispatch>) => d.dispatchAt(new Date('soon'), 'inline'), 'at'],
    ['a negative delay', (d: ReturnType<typeof createDispatch>) => d.dispatchAfter(-1, 'inline'), 'delayMs'],
    ['a payload that is not JSON', (d: ReturnType<typeof createDispatch>) => d.dispatchAfter(0, 'inline', { n: 1n }), 'payload'],
    ['an oversized payload', (d: ReturnType<typeof createDispatch>) => d.dispatchAfter(0, 'inline', 'x'.repeat(70_000)), 'payload'],
    ['a date past year 9999', (d: ReturnType<typeof createDispatch>) => d.dispatchAt(new Date(Date.UTC(10_000, 0, 1)), 'inline'), 'at'],
  ])('refuses %s with a typed error and queues nothing', async (_, call, field) => {
    const { schedule } = kernel();
    const store = new MemoryStore('blue');
    const error = await (async () => call(createDispatch({ store, schedule })))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDispatchError);
    expect(error).toMatchObject({ field });
    expect(await store.dueRuns(Date.now() + 3_600_000, 10)).toEqual([]);
  });
});
