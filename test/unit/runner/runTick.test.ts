import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { jitterMs } from '../../../src/evaluation/jitter.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { LEASE_MARGIN_MS, MAX_DISPATCH_ATTEMPTS, runTick, type RunTickInput } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import type { Store } from '../../../src/store/Store.js';
import type { TaskContext } from '../../../src/kernel/types.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';
import { localSinks } from '../../../src/runner/createTickHandler.js';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferred } from '../../deferred.js';

const outputRoot = mkdtempSync(join(tmpdir(), 'tickwork-runtick-'));

const MINUTE = new Date('2026-11-23T10:05:00Z');
const logger = new Logger({ logLevel: 'SILENT' });

function input(schedule: Schedule, store: Store, overrides: Partial<RunTickInput> = {}): RunTickInput {
  return {
    tasks: schedule.compiled(),
    commands: schedule.commands,
    sinks: localSinks(outputRoot),
    stage: 'test',
    store,
    minute: MINUTE,
    owner: 'request-1',
    deadline: MINUTE.getTime() + 55_000,
    now: () => MINUTE.getTime() + 100,
    logger,
    ...overrides,
  };
}

describe('runTick', () => {
  it('runs each due task once with its context, and leaves the others alone', async () => {
    const seen: TaskContext[] = [];
    const schedule = new Schedule();
    schedule.call((ctx) => void seen.push(ctx)).name('five').everyFiveMinutes();
    schedule.call(() => { throw new Error('must not run'); }).name('hourly').cron('0 * * * *');

    const report = await runTick(input(schedule, new MemoryStore()));

    expect(report).toEqual({ tick: '2026-11-23T10:05:00.000Z', evaluated: true, due: ['five'], missed: [], ran: ['five'], failed: [], skipped: [], dispatched: [], undispatched: [], queued: 0, retried: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'five', slot: '2026-11-23T10:05:00.000Z', scheduledAt: MINUTE });
    expect(seen[0]?.signal.aborted).toBe(true); // aborted once the run is over, so leftover work stops
  });

  it('does not run a slot twice when the same minute is delivered twice', async () => {
    let runs = 0;
    const schedule = new Schedule();
    schedule.call(() => void runs++).name('counted').everyMinute();
    const store = new MemoryStore();

    await runTick(input(schedule, store, { owner: 'first' }));
    const second = await runTick(input(schedule, store, { owner: 'second' }));

    expect(runs).toBe(1);
    expect(second.skipped).toEqual([{ name: 'counted', reason: 'already-claimed' }]);
    expect(await store.getRun('counted', '2026-11-23T10:05:00.000Z')).toMatchObject({ owner: 'first', status: 'succeeded' });
  });

  it('reports a failing task and still runs the others', async () => {
    let ranOther = false;
    const schedule = new Schedule();
    schedule.call(() => { throw new TypeError('boom'); }).name('broken');
    schedule.call(() => { ranOther = true; }).name('fine');
    const store = new MemoryStore();

    const report = await runTick(input(schedule, store));

    expect(report.failed).toEqual([{ name: 'broken', error: 'TypeError: boom' }]);
    expect(report.ran).toEqual(['fine']);
    expect(ranOther).toBe(true);
    expect(await store.getRun('broken', '2026-11-23T10:05:00.000Z')).toMatchObject({ status: 'failed', error: 'TypeError: boom' });
  });

  it('aborts a run at its deadline and records it as timed out', async () => {
    let signalled = false;
    const schedule = new Schedule();
    schedule.call(({ signal }) => new Promise(() => signal.addEventListener('abort', () => (signalled = true)))).name('stuck');
    const store = new MemoryStore();
    const start = Date.now();

    const report = await runTick(input(schedule, store, { now: Date.now, deadline: start + 50 }));

    expect(signalled).toBe(true);
    expect(report.failed).toEqual([{ name: 'stuck', error: 'Error: Task "stuck" reached its deadline' }]);
    expect((await store.getRun('stuck', '2026-11-23T10:05:00.000Z'))?.status).toBe('timed-out');
  });

  it('skips a withoutOverlapping task while another run holds its lease, and records why', async () => {
    let runs = 0;
    const schedule = new Schedule();
    schedule.call(() => void runs++).name('exclusive').withoutOverlapping();
    const store = new MemoryStore();
    const now = MINUTE.getTime();
    await store.acquireLease({ task: 'exclusive', owner: 'earlier-run', slot: 'earlier', now, expiresAt: now + 60_000 });

    const report = await runTick(input(schedule, store));

    expect(runs).toBe(0);
    expect(report.skipped).toEqual([{ name: 'exclusive', reason: 'overlapping' }]);
    expect(await store.getRun('exclusive', '2026-11-23T10:05:00.000Z')).toMatchObject({ status: 'skipped', reason: 'overlapping' });
  });

  it('takes a lease that ends at the deadline plus a margin, capped by expiresMinutes, and releases it', async () => {
    const requests: { expiresAt: number }[] = [];
    const store = new MemoryStore();
    const spy = withOverrides(store, {
      acquireLease: (r) => (requests.push(r), store.acquireLease(r)),
    });
    const schedule = new Schedule();
    schedule.call(() => {}).name('long-cap').withoutOverlapping(1440);
    schedule.call(() => {}).name('short-cap').withoutOverlapping(1);
    const now = MINUTE.getTime() + 100;
    const deadline = now + 100_000;

    await runTick(input(schedule, spy, { deadline }));

    expect(requests.map((r) => r.expiresAt).sort()).toEqual([now + 60_000, deadline + LEASE_MARGIN_MS].sort());
    // Released: the next run may take it straight away.
    expect(await store.acquireLease({ task: 'long-cap', owner: 'next', slot: 'x', now, expiresAt: now + 1 })).toEqual({ acquired: true, fence: 2 });
  });

  it('fails the tick when the store fails, after settling the other slots', async () => {
    const store = new MemoryStore();
    const failing = withOverrides(store, {
      claimSlot: async (claim) => {
        if (claim.task === 'a') throw new Error('table unreachable');
        return store.claimSlot(claim);
      },
    });
    let bRan = false;
    const schedule = new Schedule();
    schedule.call(() => {}).name('a');
    schedule.call(() => { bRan = true; }).name('b');

    await expect(runTick(input(schedule, failing))).rejects.toThrow('the store failed for 1 of 2 due slots');
    expect(bRan).toBe(true);
  });
});

describe('runTick catch-up (fake clock)', () => {
  const at = (iso: string) => Date.parse(iso);
  /** Runs the tick for `minute` with the clock at `now`; every run is counted by the task itself. */
  function ticker(configure: (s: Schedule, count: (slot: string) => void) => void) {
    const counts = new Map<string, number>();
    const schedule = new Schedule();
    configure(schedule, (slot) => counts.set(slot, (counts.get(slot) ?? 0) + 1));
    const store = new MemoryStore();
    const tick = (minute: string, now = at(minute) + 200, owner = `tick-${minute}`) =>
      runTick(input(schedule, store, { minute: new Date(minute), now: () => now, deadline: now + 50_000, owner }));
    return { tick, counts, store };
  }

  it('after 3 missing minutes runs the latest missed slot once, reports the rest, and never runs a slot twice', async () => {
    const { tick, counts, store } = ticker((s, count) => s.call(({ slot }) => count(slot)).name('t').everyMinute());
    await tick('2026-11-23T10:00:00Z');
    const report = await tick('2026-11-23T10:04:00Z');
    expect(report.ran).toEqual(['t', 't']);
    expect(report.missed).toEqual([{ name: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:00.000Z', count: 2, reason: 'coalesced' }]);
    expect([...counts.keys()].map((k) => k.slice(11, 16))).toEqual(['10:00', '10:03', '10:04']);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(store.missed()).toEqual([{ task: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:00.000Z', count: 2, reason: 'coalesced', tick: '2026-11-23T10:04:00.000Z' }]);
  });

  it('after 2 hours records what is older than the window as missed', async () => {
    const { tick, counts } = ticker((s, count) => s.call(({ slot }) => count(slot)).name('t').everyMinute());
    await tick('2026-11-23T08:00:00Z');
    const report = await tick('2026-11-23T10:00:00Z');
    expect(report.missed.map((m) => [m.reason, m.count])).toEqual([['outside-catch-up-window', 114], ['coalesced', 4]]);
    expect(counts.size).toBe(3); // 08:00, 09:59 (for the window), 10:00
  });

  it('a tick delivered twice, concurrently, runs each slot once', async () => {
    const { tick, counts } = ticker((s, count) => s.call(({ slot }) => count(slot)).name('t').everyMinute().catchUp({ policy: 'all' }));
    await tick('2026-11-23T10:00:00Z');
    const reports = await Promise.all([tick('2026-11-23T10:03:00Z', undefined, 'a'), tick('2026-11-23T10:03:00Z', undefined, 'b')]);
    expect(reports.flatMap((r) => r.ran)).toHaveLength(3); // 10:01, 10:02, 10:03 — once each across both
    expect([...counts.values()]).toEqual([1, 1, 1, 1]);
  });

  it('runs a task\'s caught-up slots one after another, so a withoutOverlapping task keeps them all', async () => {
    const log: string[] = [];
    const { tick } = ticker((s) => s.call(async ({ slot }) => {
      log.push(`start ${slot.slice(11, 16)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`end ${slot.slice(11, 16)}`);
    }).name('t').everyMinute().withoutOverlapping().catchUp({ policy: 'all' }));
    await tick('2026-11-23T10:00:00Z');
    log.length = 0;
    const report = await tick('2026-11-23T10:03:00Z');
    expect(report.ran).toEqual(['t', 't', 't']);
    expect(report.skipped).toEqual([]);
    expect(log).toEqual(['start 10:01', 'end 10:01', 'start 10:02', 'end 10:02', 'start 10:03', 'end 10:03']);
  });

  it.each(['once', 'skip'] as const)('a retry of a minute that a later catch-up decided (policy %s) runs nothing: the slot stays decided', async (policy) => {
    const { tick, counts, store } = ticker((s, count) => s.call(({ slot }) => count(slot)).name('t').everyMinute().catchUp({ policy }));
    await tick('2026-11-23T10:00:00Z');
    await tick('2026-11-23T10:04:00Z'); // 10:01–10:03 missed: once runs 10:03 and coalesces 10:01–10:02; skip skips all three
    const before = new Map(counts);
    // Lambda's retry of the 10:01 tick arrives at 10:05:30.
    const retry = await tick('2026-11-23T10:01:00Z', at('2026-11-23T10:05:30Z'), 'tick-10:01-retry');
    expect(retry).toMatchObject({ evaluated: false, due: [], ran: [], skipped: [] });
    expect(counts).toEqual(before);
    expect(counts.has('2026-11-23T10:01:00.000Z')).toBe(false);
    expect(await store.getRun('t', '2026-11-23T10:01:00.000Z')).toBeUndefined();
  });

  it('a Lambda retry of a tick that failed half-way records the run it left behind and runs nothing twice', async () => {
    const counts = new Map<string, number>();
    const schedule = new Schedule();
    for (const name of ['a', 'b']) schedule.call(({ slot }) => void counts.set(`${name}@${slot}`, (counts.get(`${name}@${slot}`) ?? 0) + 1)).name(name).everyMinute();
    const store = new MemoryStore();
    let faulty = true;
    // The first attempt runs a, then cannot record its outcome: the store is down for it.
    const flaky = withOverrides(store, {
      completeRun: async (outcome) => {
        if (faulty && outcome.task === 'a') throw new Error('ServiceUnavailable');
        return store.completeRun(outcome);
      },
    });
    const attempt = () => runTick(input(schedule, flaky, { owner: 'request-1' }));
    await expect(attempt()).rejects.toThrow(AggregateError);
    faulty = false;
    const retry = await attempt(); // the same request id, as Lambda retries it
    expect(retry.failed).toEqual([{ name: 'a', error: expect.stringContaining('Abandoned') }]);
    expect(retry.skipped).toEqual([{ name: 'b', reason: 'already-claimed' }]);
    expect(await store.getRun('a', MINUTE.toISOString())).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect(await store.getRun('b', MINUTE.toISOString())).toMatchObject({ status: 'succeeded' });
    expect([...counts.values()]).toEqual([1, 1]);
  });

  it('a Lambda retry settles a fan-out slot its first attempt decided failed (a condition threw) but never recorded', async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').everyMinute().onLambda({}).when(() => { throw new Error('flag service down'); });
    const store = new MemoryStore();
    const { store: flaky, heal } = downForOutcomes(store);
    const dispatcher = new MemoryDispatcher();
    await expect(runTick(input(schedule, flaky, { owner: 'request-1', dispatcher }))).rejects.toThrow(AggregateError);
    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ status: 'running' });
    heal();
    const retry = await runTick(input(schedule, flaky, { owner: 'request-1', dispatcher }));
    expect(retry.failed).toEqual([{ name: 'fan', error: expect.stringContaining('Abandoned') }]);
    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect(dispatcher.sent).toEqual([]);
  });

  it('a Lambda retry that records an abandoned leased run frees its lease', async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('exclusive').everyMinute().withoutOverlapping();
    const store = new MemoryStore();
    const { store: flaky, heal } = downForOutcomes(store, { release: true });
    await expect(runTick(input(schedule, flaky, { owner: 'request-1' }))).rejects.toThrow(AggregateError);
    heal();
    const retry = await runTick(input(schedule, flaky, { owner: 'request-1' }));
    expect(retry.failed).toEqual([{ name: 'exclusive', error: expect.stringContaining('Abandoned') }]);
    const next = MINUTE.getTime() + 60_000;
    expect(await store.acquireLease({ task: 'exclusive', owner: 'request-2', slot: 'next', now: next, expiresAt: next + 1_000 })).toMatchObject({ acquired: true });
  });

  it('a Lambda retry of a tick that died running the run buffered behind its own records that run abandoned and frees the lease', async () => {
    const store = new MemoryStore();
    const next = new Date(MINUTE.getTime() + 60_000);
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(async ({ slot }) => {
      ran.push(slot);
      // While the 10:05 run holds the lease, the 10:06 tick buffers its slot behind it.
      if (slot === MINUTE.toISOString()) await runTick(input(schedule, store, { owner: 'tick-10:06', minute: next, now: () => next.getTime() + 100, deadline: next.getTime() + 55_000 }));
    }).name('b').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    let faulty = true;
    // The 10:05 tick runs the buffered 10:06 run next, and cannot record its outcome.
    const flaky = withOverrides(store, {
      completeRun: async (outcome) => {
        if (faulty && outcome.slot === next.toISOString() && outcome.status === 'succeeded') throw new Error('ServiceUnavailable');
        return store.completeRun(outcome);
      },
    });
    await expect(runTick(input(schedule, flaky, { owner: 'tick-10:05' }))).rejects.toThrow(AggregateError);
    expect(ran).toEqual([MINUTE.toISOString(), next.toISOString()]);
    expect(await store.getRun('b', next.toISOString())).toMatchObject({ status: 'skipped', reason: 'buffered' });
    faulty = false;
    await runTick(input(schedule, flaky, { owner: 'tick-10:05' })); // Lambda's retry
    expect(await store.getRun('b', next.toISOString())).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'tick-10:06' });
    expect(await store.lease('b')).toBeUndefined();
    expect(ran).toHaveLength(2);
  });

  it('a run whose outcome could not be written frees its lease, so the next slot runs', async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('x').everyMinute().withoutOverlapping();
    const store = new MemoryStore();
    const { store: flaky, heal } = downForOutcomes(store);
    await expect(runTick(input(schedule, flaky, { owner: 'tick-10:05' }))).rejects.toThrow(AggregateError);
    heal();
    const next = new Date(MINUTE.getTime() + 60_000);
    const report = await runTick(input(schedule, flaky, { owner: 'tick-10:06', minute: next, now: () => next.getTime() + 100, deadline: next.getTime() + 55_000 }));
    expect(report.ran).toEqual(['x']);
  });

  it('a run handed over from behind the lease whose holder died is recorded abandoned by the next holder, once the lease lapses', async () => {
    const store = new MemoryStore();
    const at = (minutes: number) => new Date(MINUTE.getTime() + minutes * 60_000);
    const tickAt = (minutes: number, owner: string, target: Store = store) =>
      runTick(input(schedule, target, { owner, minute: at(minutes), now: () => at(minutes).getTime() + 100, deadline: at(minutes).getTime() + 55_000 }));
    const schedule = new Schedule();
    schedule.call(async ({ slot }) => {
      if (slot === MINUTE.toISOString()) await tickAt(1, 'tick-10:06');
    }).name('b').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const flaky = withOverrides(store, {
      completeRun: async (outcome) => {
        if (outcome.slot === at(1).toISOString() && outcome.status === 'succeeded') throw new Error('ServiceUnavailable');
        return store.completeRun(outcome);
      },
    });
    await expect(tickAt(0, 'tick-10:05', flaky)).rejects.toThrow(AggregateError);
    // No Lambda retry comes; five minutes on, the lease has lapsed and the next slots take it (the
    // latest missed one, caught up, and 10:10's own).
    expect((await tickAt(5, 'tick-10:10')).ran).toEqual(['b', 'b']);
    expect(await store.getRun('b', at(1).toISOString())).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'tick-10:06' });
  });

  it('a queued one-off stays queued until its outcome is recorded, so the Lambda retry of a tick that died on it settles it', async () => {
    const { schedule, store, queued, runs } = await queuedOneOff();
    const { store: flaky, heal } = downForOutcomes(store);
    await expect(runTick(input(schedule, flaky, { owner: 'request-1' }))).rejects.toThrow(AggregateError);
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10), 'still queued: no outcome yet').toEqual([queued]);
    heal();
    const retry = await runTick(input(schedule, flaky, { owner: 'request-1' }));
    expect(retry.failed).toEqual([{ name: 'once', error: expect.stringContaining('Abandoned') }]);
    expect(await store.getRun('once', queued.slot)).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10)).toEqual([]);
    expect(runs()).toBe(1);
  });

  it('a queued one-off whose every Lambda attempt failed is recorded abandoned by a later tick, and leaves the queue', async () => {
    const { schedule, store, queued, runs } = await queuedOneOff();
    const { store: down } = downForOutcomes(store);
    // The first attempt and both of Lambda's retries fail to record the outcome.
    for (let attempt = 0; attempt < 3; attempt++) await expect(runTick(input(schedule, down, { owner: 'request-1' }))).rejects.toThrow(AggregateError);
    const at = (minutes: number) => {
      const minute = MINUTE.getTime() + minutes * 60_000;
      return { minute: new Date(minute), now: () => minute + 100, deadline: minute + 55_000 };
    };
    // A tick while the claim could still have a run behind it leaves it alone: up to 16 minutes after
    // it to the millisecond (15 minutes of Lambda, a minute of skew; each tick reads its clock 100 ms in).
    expect((await runTick(input(schedule, store, { owner: 'request-2', ...at(16) }))).skipped).toEqual([{ name: 'once', reason: 'already-claimed' }]);
    expect(await store.getRun('once', queued.slot)).toMatchObject({ status: 'running', owner: 'request-1' });
    // Past any Lambda's lifetime, the next tick records it abandoned and lets the entry go.
    const later = await runTick(input(schedule, store, { owner: 'request-3', ...at(17) }));
    expect(later.failed).toEqual([{ name: 'once', error: expect.stringContaining('Abandoned') }]);
    expect(await store.getRun('once', queued.slot)).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'request-1' });
    expect(await store.dueRuns(MINUTE.getTime() + 30 * 60_000, 10)).toEqual([]);
    expect(runs()).toBe(1);
  });

  it('a queued one-off another tick is still running stays queued for that tick; one with an outcome leaves', async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('once').cron('0 0 1 1 *');
    const store = new MemoryStore();
    const queued = { id: 'q1', task: 'once', slot: `${MINUTE.toISOString()}#q1`, at: MINUTE.getTime(), attempt: 0, enqueuedAt: MINUTE.getTime() - 1_000 };
    await store.enqueue(queued);
    await store.claimSlot({ task: 'once', slot: queued.slot, owner: 'other', claimedAt: MINUTE.getTime() });
    const seen = await runTick(input(schedule, store, { owner: 'request-1' }));
    expect(seen.skipped).toEqual([{ name: 'once', reason: 'already-claimed' }]);
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10)).toEqual([queued]);
    await store.completeRun({ task: 'once', slot: queued.slot, owner: 'other', status: 'succeeded', finishedAt: MINUTE.getTime() + 50 });
    await runTick(input(schedule, store, { owner: 'request-2' }));
    expect(await store.dueRuns(MINUTE.getTime() + 60_000, 10)).toEqual([]);
  });

  it('a tick 90 s late runs its minute, and a stale one changes nothing', async () => {
    const { tick, counts } = ticker((s, count) => s.call(({ slot }) => count(slot)).name('t').everyMinute());
    await tick('2026-11-23T10:00:00Z');
    const late = await tick('2026-11-23T10:01:00Z', at('2026-11-23T10:02:30Z'));
    expect(late).toMatchObject({ ran: ['t'], missed: [] });
    await tick('2026-11-23T10:02:00Z');
    const stale = await tick('2026-11-23T10:01:00Z', at('2026-11-23T10:03:10Z'), 'retry');
    expect(stale).toMatchObject({ ran: [], missed: [], skipped: [{ name: 't', reason: 'already-claimed' }] });
    expect([...counts.values()]).toEqual([1, 1, 1]);
  });
});

describe('runTick locks and run records', () => {
  it('runs an onOneServer task once across deployments sharing a table, other tasks once in each', async () => {
    const runs: string[] = [];
    const schedule = new Schedule();
    schedule.call(() => void runs.push('report')).name('report').onOneServer();
    schedule.call(() => void runs.push('local')).name('local');
    const table = new MemoryStore();
    await Promise.all(['blue', 'green'].map((deployment) => runTick(input(schedule, table.withDeployment(deployment), { owner: deployment }))));
    expect(runs.sort()).toEqual(['local', 'local', 'report']);
  });

  it('records when the run started and how late', async () => {
    const store = new MemoryStore();
    const schedule = new Schedule();
    schedule.call(() => {}).name('t');
    const now = MINUTE.getTime() + 90_000;
    await runTick(input(schedule, store, { now: () => now, deadline: now + 30_000 }));
    expect(await store.lastRun('t')).toMatchObject({ status: 'succeeded', startedAt: now, latenessMs: 90_000 });
  });

  it("sizes a withoutOverlapping lease by the task's own timeout when it has one", async () => {
    const requests: { expiresAt: number }[] = [];
    const store = new MemoryStore();
    const spy = withOverrides(store, { acquireLease: (r) => (requests.push(r), store.acquireLease(r)) });
    const schedule = new Schedule();
    schedule.call(() => {}).name('t').timeout(30).withoutOverlapping(); // 30 s ends before the tick's 55 s
    const now = MINUTE.getTime() + 100;
    await runTick(input(schedule, spy));
    expect(requests.map((r) => r.expiresAt)).toEqual([now + 30_000 + LEASE_MARGIN_MS]);
  });
});

describe('runTick lease expiry', () => {
  it('sizes a withoutOverlapping lease from the run\'s real start, after its jitter, so the next run cannot start beside it', async () => {
    const requests: { expiresAt: number }[] = [];
    let clock = MINUTE.getTime() + 100;
    const store = new MemoryStore();
    // The clock moves past the jitter once the lease is asked for, so the test does not wait it out.
    const spy = withOverrides(store, { acquireLease: (r) => (requests.push(r), (clock += 90_000), store.acquireLease(r)) });
    const schedule = new Schedule();
    schedule.call(() => {}).name('t').timeout(20).jitter(60).withoutOverlapping();
    await runTick(input(schedule, spy, { now: () => clock, deadline: MINUTE.getTime() + 115_000 }));
    const start = MINUTE.getTime() + jitterMs('t', MINUTE.toISOString(), 60);
    expect(start).toBeGreaterThan(MINUTE.getTime() + 100);
    expect(requests.map((r) => r.expiresAt)).toEqual([start + 20_000 + LEASE_MARGIN_MS]);
  });
});

describe('runTick overlap policies', () => {
  /** A task whose 10:00 run is slow; ticks for 10:01 and 10:02 arrive while it runs. */
  async function overlapping(configure: (t: TaskBuilder) => TaskBuilder) {
    const runs: string[] = [];
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const schedule = new Schedule();
    configure(schedule.call(async ({ slot }) => {
      runs.push(`start ${slot.slice(11, 16)}`);
      if (slot.endsWith('10:00:00.000Z')) await slow;
    }).name('t'));
    const store = new MemoryStore();
    const tick = (minute: string) => {
      const at = Date.parse(minute);
      // A 5-minute budget: the 10:00 run's lease still holds when the 10:02 tick arrives.
      return runTick(input(schedule, store, { minute: new Date(at), now: () => at + 100, deadline: at + 300_000, owner: minute }));
    };
    const first = tick('2026-11-23T10:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await tick('2026-11-23T10:01:00Z');
    const third = await tick('2026-11-23T10:02:00Z');
    release();
    return { runs, first: await first, second, third, store };
  }

  it('bufferOne runs exactly one more time after a long run, and skips the rest', async () => {
    const { runs, second, third, store } = await overlapping((t) => t.withoutOverlapping({ policy: 'bufferOne' }));
    expect(second.skipped).toEqual([{ name: 't', reason: 'buffered' }]);
    expect(third.skipped).toEqual([{ name: 't', reason: 'overlapping' }]);
    expect(runs).toEqual(['start 10:00', 'start 10:01']);
    expect(await store.getRun('t', '2026-11-23T10:01:00.000Z')).toMatchObject({ owner: '2026-11-23T10:01:00Z', status: 'succeeded' });
    expect(await store.getRun('t', '2026-11-23T10:02:00.000Z')).toMatchObject({ status: 'skipped', reason: 'overlapping' });
  });

  it('skip (the default) records overlapping as the reason and runs nothing more', async () => {
    const { runs, second, third, store } = await overlapping((t) => t.withoutOverlapping());
    expect([second.skipped, third.skipped]).toEqual([[{ name: 't', reason: 'overlapping' }], [{ name: 't', reason: 'overlapping' }]]);
    expect(runs).toEqual(['start 10:00']);
    expect(await store.getRun('t', '2026-11-23T10:01:00.000Z')).toMatchObject({ status: 'skipped', reason: 'overlapping' });
  });

  it('allowOverlapping lets a group member run over itself', async () => {
    const { runs } = await overlapping((t) => t.withoutOverlapping().allowOverlapping());
    expect(runs).toEqual(['start 10:00', 'start 10:01', 'start 10:02']);
  });

  it('replace stops the running run for the newer slot, and starts that one only once the first has stopped', async () => {
    const events: string[] = [];
    const fences: (number | undefined)[] = [];
    const schedule = new Schedule();
    schedule.call(async ({ slot, signal, fence }) => {
      events.push(`start ${slot.slice(11, 16)}`);
      fences.push(fence);
      if (!slot.endsWith('10:00:00.000Z')) return;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      events.push('stopped 10:00');
    }).name('t').withoutOverlapping({ expiresMinutes: 10, policy: 'replace' });
    const store = new MemoryStore();
    const tick = (minute: string, now: () => number = Date.now) => {
      const at = Date.parse(minute);
      return runTick(input(schedule, store, { minute: new Date(at), now, deadline: Date.now() + 60_000, owner: minute }));
    };
    const first = tick('2026-11-23T10:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await tick('2026-11-23T10:01:00Z');
    expect(second.skipped).toEqual([{ name: 't', reason: 'buffered' }]);

    const report = await first; // the holder's heartbeat sees the waiting slot, stops its run, then runs the waiting one
    expect(events).toEqual(['start 10:00', 'stopped 10:00', 'start 10:01']);
    expect(fences).toEqual([1, 2]);
    expect(report.failed).toEqual([{ name: 't', error: expect.stringContaining('RunReplacedError') }]);
    expect(await store.getRun('t', '2026-11-23T10:00:00.000Z')).toMatchObject({ status: 'replaced', error: expect.stringContaining('replaced by its run for 2026-11-23T10:01:00.000Z') });
    expect(await store.getRun('t', '2026-11-23T10:01:00.000Z')).toMatchObject({ status: 'succeeded', owner: '2026-11-23T10:01:00Z' });
  }, 20_000);

  it('replace: newest work wins — a third slot takes the place of the one waiting, which is recorded superseded', async () => {
    const events: string[] = [];
    const schedule = new Schedule();
    schedule.call(async ({ slot, signal }) => {
      events.push(`start ${slot.slice(11, 16)}`);
      if (slot.endsWith('10:00:00.000Z')) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    }).name('t').withoutOverlapping({ expiresMinutes: 10, policy: 'replace' });
    const store = new MemoryStore();
    const tick = (minute: string) => runTick(input(schedule, store, { minute: new Date(minute), now: Date.now, deadline: Date.now() + 60_000, owner: minute }));
    const first = tick('2026-11-23T10:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await tick('2026-11-23T10:01:00Z')).skipped).toEqual([{ name: 't', reason: 'buffered' }]);
    expect((await tick('2026-11-23T10:02:00Z')).skipped).toEqual([{ name: 't', reason: 'buffered' }]);
    await first;
    expect(events).toEqual(['start 10:00', 'start 10:02']);
    expect(await store.getRun('t', '2026-11-23T10:01:00.000Z')).toMatchObject({ status: 'skipped', reason: 'superseded' });
    expect(await store.getRun('t', '2026-11-23T10:02:00.000Z')).toMatchObject({ status: 'succeeded' });
  }, 20_000);

  it('replace never starts the newer run while the old one ignores its signal: the lease is kept until it lapses', async () => {
    const events: string[] = [];
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const schedule = new Schedule();
    schedule.call(async ({ slot }) => {
      events.push(`start ${slot.slice(11, 16)}`);
      if (slot.endsWith('10:00:00.000Z')) await stuck; // ignores its signal
    }).name('t').withoutOverlapping({ expiresMinutes: 10, policy: 'replace' });
    const store = new MemoryStore();
    const tick = (minute: string) => {
      const at = Date.parse(minute);
      return runTick(input(schedule, store, { minute: new Date(at), now: Date.now, deadline: Date.now() + 60_000, owner: minute }));
    };
    const first = tick('2026-11-23T10:00:00Z');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await tick('2026-11-23T10:01:00Z');

    const report = await first;
    expect(report.failed).toEqual([{ name: 't', error: expect.stringContaining('RunReplacedError') }]);
    expect(events).toEqual(['start 10:00']); // the waiting run did not start beside the one still going
    const probe = await store.acquireLease({ task: 't', owner: 'probe', slot: 'x', now: Date.now(), expiresAt: Date.now() + 1_000 });
    expect(probe).toMatchObject({ acquired: false, holder: { owner: '2026-11-23T10:00:00Z' } });
    release();
  }, 20_000);

  it('rejects an unknown policy', () => {
    expect(() => new Schedule().call(() => {}).name('t').withoutOverlapping({ policy: 'latest' as never }))
      .toThrow(`Task "t": withoutOverlapping() expects policy 'skip', 'bufferOne', 'replace', got "latest"`);
  });
});

describe('runTick pauses', () => {
  it('skips paused tasks with reason paused, except evenWhenPaused ones, until resumed', async () => {
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(() => void ran.push('a')).name('a');
    schedule.call(() => void ran.push('b')).name('b');
    schedule.call(() => void ran.push('heartbeat')).name('heartbeat').evenWhenPaused();
    const store = new MemoryStore();
    const tick = (minute: number) => {
      const at = MINUTE.getTime() + minute * 60_000;
      return runTick(input(schedule, store, { minute: new Date(at), now: () => at + 100, deadline: at + 50_000 }));
    };

    await store.pause({ task: 'a', note: 'bad data', pausedAt: 1 });
    expect((await tick(0)).skipped).toEqual([{ name: 'a', reason: 'paused' }]);
    await store.pause({ note: 'migration', pausedAt: 2 });
    expect((await tick(1)).skipped).toEqual([{ name: 'a', reason: 'paused' }, { name: 'b', reason: 'paused' }]);
    await store.resume();
    await store.resume('a');
    expect((await tick(2)).skipped).toEqual([]);
    expect(ran.sort()).toEqual(['a', 'b', 'b', 'heartbeat', 'heartbeat', 'heartbeat']);
  });
});

describe('runTick fence tokens', () => {
  it('hands a withoutOverlapping task a fence that grows run after run, and none to other tasks', async () => {
    const fences: Record<string, (number | undefined)[]> = { fenced: [], plain: [] };
    const schedule = new Schedule();
    schedule.call(({ fence }) => void fences.fenced?.push(fence)).name('fenced').withoutOverlapping();
    schedule.call(({ fence }) => void fences.plain?.push(fence)).name('plain');
    const store = new MemoryStore();
    for (const minute of [0, 1, 2]) {
      const at = MINUTE.getTime() + minute * 60_000;
      await runTick(input(schedule, store, { minute: new Date(at), now: () => at + 100, deadline: at + 55_000 }));
    }
    expect(fences).toEqual({ fenced: [1, 2, 3], plain: [undefined, undefined, undefined] });
  });
});

describe('runTick sub-minute tasks', () => {
  it('runs every slot of each sub-minute task once, each claimed on its own (late, policy all)', async () => {
    const runs = new Map<string, string[]>();
    const schedule = new Schedule();
    const helpers = ['everySecond', 'everyTwoSeconds', 'everyFiveSeconds', 'everyTenSeconds', 'everyFifteenSeconds', 'everyTwentySeconds', 'everyThirtySeconds'] as const;
    for (const helper of helpers) {
      schedule.call(({ slot }) => void runs.set(helper, [...(runs.get(helper) ?? []), slot])).name(helper)[helper]().catchUp({ policy: 'all', maxRuns: 100 });
    }
    const store = new MemoryStore();
    // The clock stands at the end of the minute, so every slot is already past: policy `all` runs them.
    const end = MINUTE.getTime() + 60_000;
    const report = await runTick(input(schedule, store, { now: () => end, deadline: end + 30_000 }));

    expect(helpers.map((h) => runs.get(h)?.length)).toEqual([60, 30, 12, 6, 4, 3, 2]);
    expect(report.ran).toHaveLength(117);
    expect(new Set(runs.get('everySecond')).size).toBe(60);
    expect(await store.getRun('everyFifteenSeconds', '2026-11-23T10:05:45.000Z')).toMatchObject({ status: 'succeeded' });

    const again = await runTick(input(schedule, store, { owner: 'duplicate', now: () => end, deadline: end + 30_000 }));
    expect(again.ran).toEqual([]);
    expect(again.skipped).toHaveLength(117);
  });
});

describe('runTick: a buffered run and the write that says so', () => {
  it('the holder runs the buffered slot before the buffering tick\'s record of it lands (a slow request): the outcome stays', async () => {
    const next = new Date(MINUTE.getTime() + 60_000);
    const ran: string[] = [];
    const blocker = deferred();
    const started = deferred();
    const schedule = new Schedule();
    schedule.call(async ({ slot }) => {
      ran.push(slot);
      if (slot === MINUTE.toISOString()) {
        started.resolve();
        await blocker.promise;
      }
    }).name('buf').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore();
    const bufferedBehind = deferred();
    const gate = deferred();
    // The second tick's "buffered" record is slow to land.
    const slow = withOverrides(store, {
      bufferBehindLease: async (request) => {
        const result = await store.bufferBehindLease(request);
        bufferedBehind.resolve();
        return result;
      },
      completeRun: async (outcome) => {
        if (outcome.reason === 'buffered') await gate.promise;
        return store.completeRun(outcome);
      },
    });
    const first = runTick(input(schedule, store, { owner: 'tick-a' }));
    await started.promise;
    const second = runTick(input(schedule, slow, { owner: 'tick-b', minute: next, now: () => next.getTime() + 100, deadline: next.getTime() + 55_000 }));
    await bufferedBehind.promise;
    blocker.resolve(); // the first run ends; its tick takes the buffered slot and runs it at once
    await first;
    expect(await store.getRun('buf', next.toISOString())).toMatchObject({ status: 'succeeded', owner: 'tick-b' });
    gate.resolve();
    expect((await second).skipped).toEqual([{ name: 'buf', reason: 'buffered' }]);
    expect(await store.getRun('buf', next.toISOString())).toMatchObject({ status: 'succeeded', owner: 'tick-b' });
    expect(ran).toEqual([MINUTE.toISOString(), next.toISOString()]);
  });
});

describe('runTick: a Lambda retry of a tick that buffered a slot and could not record so', () => {
  /**
   * 10:05's run holds the lease; the 10:06 tick puts its slot behind it, and its "buffered" write fails
   * past every retry, so the tick fails with the claim still saying `running`. Lambda retries it.
   */
  async function bufferedThenRetried(overlap: { policy: 'bufferOne' | 'replace' }) {
    const next = new Date(MINUTE.getTime() + 60_000);
    const started: string[] = [];
    const gate = deferred();
    const held = deferred();
    const schedule = new Schedule();
    schedule.call(async ({ slot, signal }) => {
      started.push(slot);
      if (slot !== MINUTE.toISOString()) return;
      held.resolve();
      // `replace` stops this run for the waiting slot; `bufferOne` lets it end at the gate.
      await Promise.race([gate.promise, new Promise((resolve) => signal.addEventListener('abort', resolve))]);
    }).name('buf').everyMinute().withoutOverlapping(overlap);
    const store = new MemoryStore();
    let down = false;
    const faulty = withOverrides(store, {
      completeRun: async (outcome) => {
        if (down && outcome.slot === next.toISOString()) throw new Error('ProvisionedThroughputExceededException');
        return store.completeRun(outcome);
      },
    });
    const tickOf = (minute: Date, owner: string, via: Store) => runTick(input(schedule, via, { owner, minute, now: () => minute.getTime() + 100, deadline: minute.getTime() + 55_000 }));
    const holder = tickOf(MINUTE, 'tick-10:05', store);
    await held.promise;
    down = true;
    await expect(tickOf(next, 'tick-10:06', faulty)).rejects.toThrow();
    down = false;
    const retry = await tickOf(next, 'tick-10:06', faulty);
    const afterRetry = await store.getRun('buf', next.toISOString());
    gate.resolve();
    await holder;
    return { retry, afterRetry, started, store, slot: next.toISOString() };
  }

  it('inline: when the holder finishes the slot while the retry looks, the retry reports no failure', async () => {
    const next = new Date(MINUTE.getTime() + 60_000);
    const slot = next.toISOString();
    const schedule = new Schedule();
    schedule.call(() => undefined).name('buf').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore();
    // The failed attempt's claim, still `running`; the holder took the slot from behind the lease.
    await store.claimSlot({ task: 'buf', slot, owner: 'tick-10:06', claimedAt: next.getTime() + 100 });
    let finished = false;
    const racing = withOverrides(store, {
      lease: async (task) => {
        // Between the retry's claim and its read of the lease, the holder records the run's outcome and lets the lease go.
        if (!finished) {
          finished = true;
          await store.completeRun({ task, slot, owner: 'tick-10:06', status: 'succeeded', finishedAt: next.getTime() + 2_000, durationMs: 1_500 });
        }
        return store.lease(task);
      },
    });
    const retry = await runTick(input(schedule, racing, { owner: 'tick-10:06', minute: next, now: () => next.getTime() + 3_000, deadline: next.getTime() + 55_000 }));
    expect(finished).toBe(true);
    expect(retry.failed).toEqual([]);
    expect(retry.skipped).toEqual([{ name: 'buf', reason: 'already-claimed' }]);
    expect(await store.getRun('buf', slot)).toMatchObject({ status: 'succeeded' });
  });

  it('inline: when the holder is already running the slot, the retry leaves it to the holder, not recorded abandoned', async () => {
    const next = new Date(MINUTE.getTime() + 60_000);
    const slot = next.toISOString();
    const started: string[] = [];
    // Each slot's run says when it is inside, and waits for its gate.
    const gates = new Map([MINUTE.toISOString(), slot].map((s) => [s, { inside: deferred(), open: deferred() }]));
    const schedule = new Schedule();
    schedule.call(async ({ slot: running }) => {
      started.push(running);
      gates.get(running)!.inside.resolve();
      await gates.get(running)!.open.promise;
    }).name('buf').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore();
    let down = false;
    const faulty = withOverrides(store, {
      completeRun: async (outcome) => {
        if (down && outcome.slot === slot) throw new Error('ProvisionedThroughputExceededException');
        return store.completeRun(outcome);
      },
    });
    const tickOf = (minute: Date, owner: string, via: Store) => runTick(input(schedule, via, { owner, minute, now: () => minute.getTime() + 100, deadline: minute.getTime() + 55_000 }));
    const holder = tickOf(MINUTE, 'tick-10:05', store);
    await gates.get(MINUTE.toISOString())!.inside.promise;
    down = true;
    await expect(tickOf(next, 'tick-10:06', faulty)).rejects.toThrow();
    down = false;
    // 10:05's run ends; its tick takes 10:06 from behind the lease and is running it when the retry comes.
    gates.get(MINUTE.toISOString())!.open.resolve();
    await gates.get(slot)!.inside.promise;
    const retry = await tickOf(next, 'tick-10:06', faulty);
    expect(retry.failed).toEqual([]);
    expect(retry.skipped).toEqual([{ name: 'buf', reason: 'already-claimed' }]);
    expect(await store.getRun('buf', slot)).toMatchObject({ status: 'running' });
    gates.get(slot)!.open.resolve();
    await holder;
    expect(started).toEqual([MINUTE.toISOString(), slot]);
    expect(await store.getRun('buf', slot)).toMatchObject({ status: 'succeeded', owner: 'tick-10:06' });
  });

  it.each([['bufferOne'], ['replace']] as const)('inline, %s: the retry records the slot buffered, not abandoned, and the holder then runs it', async (policy) => {
    const { retry, afterRetry, started, store, slot } = await bufferedThenRetried({ policy });
    expect(afterRetry).toMatchObject({ status: 'skipped', reason: 'buffered', owner: 'tick-10:06' });
    expect(retry.failed).toEqual([]);
    expect(retry.skipped).toEqual([{ name: 'buf', reason: 'buffered' }]);
    expect(started).toEqual([MINUTE.toISOString(), slot]);
    expect(await store.getRun('buf', slot)).toMatchObject({ status: 'succeeded', owner: 'tick-10:06' });
  });
});

describe('runTick: a Lambda retry of a tick that buffered a fan-out slot and could not record so', () => {
  const next = new Date(MINUTE.getTime() + 60_000);
  const slot = next.toISOString();
  /**
   * 10:05's worker holds the lease; the 10:06 tick puts its fan-out slot behind it, and its "buffered"
   * write fails past every retry, so the tick fails with the claim still saying `dispatched`. `retry`
   * is Lambda's retry of that tick.
   */
  async function bufferedThenFailed(policy: 'bufferOne' | 'replace') {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').everyMinute().withoutOverlapping({ policy }).onLambda({});
    const store = new MemoryStore();
    await store.acquireLease({ task: 'fan', owner: 'worker-10:05', slot: MINUTE.toISOString(), now: MINUTE.getTime(), expiresAt: MINUTE.getTime() + 600_000 });
    let down = true;
    const faulty = withOverrides(store, {
      completeRun: async (outcome) => {
        if (down && outcome.slot === slot) throw new Error('ProvisionedThroughputExceededException');
        return store.completeRun(outcome);
      },
    });
    const dispatcher = new MemoryDispatcher();
    const tick = () => runTick(input(schedule, faulty, { owner: 'tick-10:06', minute: next, now: () => next.getTime() + 100, deadline: next.getTime() + 55_000, dispatcher }));
    await expect(tick()).rejects.toThrow();
    expect(await store.getRun('fan', slot)).toMatchObject({ status: 'dispatched' });
    down = false;
    const tickAt = (minute: Date, owner: string) => runTick(input(schedule, store, { owner, minute, now: () => minute.getTime() + 100, deadline: minute.getTime() + 55_000, dispatcher }));
    return { store, dispatcher, retry: tick, tickAt };
  }

  it.each([['bufferOne'], ['replace']] as const)('%s: the retry records it buffered — not overlapping, not superseded by itself — and it stays on the lease', async (policy) => {
    const { store, dispatcher, retry } = await bufferedThenFailed(policy);
    expect((await retry()).skipped).toEqual([{ name: 'fan', reason: 'buffered' }]);
    expect(await store.getRun('fan', slot)).toMatchObject({ status: 'skipped', reason: 'buffered', owner: 'tick-10:06' });
    expect((await store.lease('fan'))?.pending).toMatchObject({ slot, owner: 'tick-10:06' });
    expect(dispatcher.sent).toEqual([]);
  });

  it.each([['bufferOne'], ['replace']] as const)('%s: when the holder took the slot from behind the lease before the retry, the retry leaves it to the holder — it is not buffered again to run twice', async (policy) => {
    const { store, dispatcher, retry, tickAt } = await bufferedThenFailed(policy);
    // 10:05's worker finishes, takes 10:06 off the lease as it releases it, and holds the lease to run it.
    expect((await store.releaseLeaseTakingPending('fan', 'worker-10:05')).pending).toMatchObject({ slot });
    expect((await store.acquireLease({ task: 'fan', owner: 'worker-10:05', slot, now: next.getTime() + 5_000, expiresAt: next.getTime() + 600_000 })).acquired).toBe(true);
    expect((await retry()).skipped).toEqual([{ name: 'fan', reason: 'already-claimed' }]);
    expect(dispatcher.sent).toEqual([]);
    expect((await store.lease('fan'))?.pending, 'nothing waits behind the holder: it would run the slot a second time').toBeUndefined();
    // Said to be buffered (handed on), so a holder that dies running it has it recorded, not left `dispatched`.
    expect(await store.getRun('fan', slot)).toMatchObject({ status: 'skipped', reason: 'buffered', owner: 'tick-10:06' });
    // The holder's Lambda is killed mid-run; a quarter of an hour on, a tick takes the lapsed lease.
    await tickAt(new Date(next.getTime() + 15 * 60_000), 'tick-10:21');
    expect(await store.lease('fan')).toMatchObject({ owner: 'tick-10:21' });
    expect(await store.getRun('fan', slot), 'a run that started and never ended is recorded abandoned').toMatchObject({ status: 'failed', reason: 'abandoned' });
  });
});

describe('runTick: a superseded run whose record could not be written', () => {
  it('is recorded superseded by the next acquire of the lease, not left saying buffered', async () => {
    const at = (minutes: number) => MINUTE.getTime() + minutes * 60_000;
    const slot = (minutes: number) => new Date(at(minutes)).toISOString();
    const schedule = new Schedule();
    schedule.call(() => undefined).name('buf').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore();
    // A holder of 10:05 that died, and 10:06 buffered behind it.
    await store.advanceTick(at(1));
    await store.claimSlot({ task: 'buf', slot: slot(0), owner: 'dead', claimedAt: at(0) });
    await store.acquireLease({ task: 'buf', owner: 'dead', slot: slot(0), now: at(0), expiresAt: at(1) + 30_000 });
    await store.claimSlot({ task: 'buf', slot: slot(1), owner: 'waiter', claimedAt: at(1) });
    await store.bufferBehindLease({ task: 'buf', slot: slot(1), owner: 'waiter', now: at(1) });
    await store.completeRun({ task: 'buf', slot: slot(1), owner: 'waiter', status: 'skipped', reason: 'buffered', finishedAt: at(1) });
    // 10:07 takes the lapsed lease, which supersedes 10:06 — and the store fails that record past every retry.
    let down = true;
    const faulty = withOverrides(store, {
      completeRun: async (outcome) => {
        if (down && outcome.reason === 'superseded') throw new Error('ServiceUnavailable');
        return store.completeRun(outcome);
      },
    });
    const tick = (minutes: number, owner: string, via: Store) => runTick(input(schedule, via, { owner, minute: new Date(at(minutes)), now: () => at(minutes) + 100, deadline: at(minutes) + 55_000 }));
    await expect(tick(2, 'tick-10:07', faulty)).rejects.toThrow(AggregateError);
    down = false;
    await tick(2, 'tick-10:07', faulty); // Lambda's retry settles its own claim and frees the lease
    expect(await store.getRun('buf', slot(1))).toMatchObject({ status: 'skipped', reason: 'buffered' });

    await tick(3, 'tick-10:08', store);

    expect(await store.getRun('buf', slot(1))).toMatchObject({ status: 'skipped', reason: 'superseded', owner: 'waiter' });
    expect(await store.getRun('buf', slot(3))).toMatchObject({ status: 'succeeded' });
  });
});

describe('runTick fan-out leases under faults', () => {
  it('an unsent leased slot gives its lease back with its claim, in one write: a fault cannot leave the lease held', async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').everyMinute().withoutOverlapping().onLambda({});
    const store = new MemoryStore();
    // The separate lease release a tick used to make after the claim's fails here, as a store fault would.
    const faulty = withOverrides(store, { releaseLease: async () => { throw new Error('ServiceUnavailable'); } });
    const dispatcher = new MemoryDispatcher({ fail: () => 'InternalFailure: injected' });
    const report = await runTick(input(schedule, faulty, { dispatcher }));
    expect(report.undispatched).toMatchObject([{ name: 'fan', requeued: true }]);
    expect(await store.getRun('fan', MINUTE.toISOString())).toBeUndefined();
    expect((await store.lease('fan'))?.owner).toBeUndefined();
  });

  it("a Lambda retry of a tick that gave a leased slot up frees the lease its first attempt could not", async () => {
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').cron('0 0 1 1 *').withoutOverlapping().onLambda({}); // only its queued retry is due
    const store = new MemoryStore();
    let down = true;
    const faulty = withOverrides(store, { releaseLease: async (task, owner) => { if (down) throw new Error('ServiceUnavailable'); return store.releaseLease(task, owner); } });
    const dispatcher = new MemoryDispatcher({ fail: () => 'InternalFailure: injected' });
    // The last dispatch attempt: the slot is given up (recorded `undispatched`), then the lease release fails.
    const queued = { id: 'retry#fan', task: 'fan', slot: MINUTE.toISOString(), at: MINUTE.getTime(), attempt: MAX_DISPATCH_ATTEMPTS - 1, enqueuedAt: MINUTE.getTime() };
    await store.enqueue(queued);
    const attempt = () => runTick(input(schedule, faulty, { dispatcher, tasks: schedule.compiled(), minute: new Date(MINUTE.getTime() + 60_000), now: () => MINUTE.getTime() + 60_100, deadline: MINUTE.getTime() + 115_000 }));
    await expect(attempt()).rejects.toThrow(AggregateError);
    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ status: 'skipped', reason: 'undispatched' });
    expect(await store.lease('fan')).toMatchObject({ slot: MINUTE.toISOString() });
    down = false;
    await attempt();
    expect((await store.lease('fan'))?.owner).toBeUndefined();
  });
});

describe('runTick: a Lambda retry of a tick that died between a fan-out claim and its send', () => {
  it.each([
    ['paused meanwhile', { status: 'skipped', reason: 'paused' }, { kind: 'skipped' }],
    ['its when() now says no', { status: 'skipped', reason: 'when-false' }, { kind: 'skipped' }],
    ['its when() now throws', { status: 'failed', reason: 'condition-threw', error: 'when() condition threw: Error: flag service down' }, { kind: 'failed' }],
  ] as const)('records the decision it makes now (%s) in place of the unsent claim, and frees the lease', async (change, record, outcome) => {
    let state: 'ok' | 'no' | 'throw' = 'ok';
    const failures: unknown[] = [];
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').everyMinute().withoutOverlapping().onLambda({})
      .when(() => { if (state === 'throw') throw new Error('flag service down'); return state === 'ok'; })
      .onFailure((error) => void failures.push(error));
    const store = new MemoryStore();
    // The first attempt ends (a crash, its timeout) after claiming the slot and taking the lease, before any event goes out.
    const crashing = { dispatch: async () => { throw new Error('Task timed out after 60 seconds'); } };
    await expect(runTick(input(schedule, store, { dispatcher: crashing }))).rejects.toThrow();
    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ status: 'dispatched', owner: 'request-1' });
    if (change === 'paused meanwhile') await store.pause({ task: 'fan', note: 'incident', pausedAt: MINUTE.getTime() + 30_000 });
    if (change === 'its when() now says no') state = 'no';
    if (change === 'its when() now throws') state = 'throw';

    const dispatcher = new MemoryDispatcher();
    const retry = await runTick(input(schedule, store, { dispatcher, now: () => MINUTE.getTime() + 65_000, deadline: MINUTE.getTime() + 115_000 }));

    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ ...record, owner: 'request-1' });
    expect(outcome.kind === 'failed' ? retry.failed.map((f) => f.name) : retry.skipped).toEqual(outcome.kind === 'failed' ? ['fan'] : [{ name: 'fan', reason: record.reason }]);
    expect((await store.lease('fan'))?.owner).toBeUndefined();
    expect(dispatcher.sent).toEqual([]);
    expect(failures).toHaveLength(outcome.kind === 'failed' ? 1 : 0);
  });

  it('leaves the record to the worker when the earlier event did go out and its worker started', async () => {
    let state: 'ok' | 'no' = 'ok';
    const schedule = new Schedule();
    schedule.call(() => undefined).name('fan').everyMinute().onLambda({}).when(() => state === 'ok');
    const store = new MemoryStore();
    const sent = new MemoryDispatcher();
    await runTick(input(schedule, store, { dispatcher: sent }));
    await store.startRun({ task: 'fan', slot: MINUTE.toISOString(), owner: 'request-1', worker: 'worker-1', startedAt: MINUTE.getTime() + 200, retries: 0 });
    state = 'no';
    const retry = await runTick(input(schedule, store, { dispatcher: new MemoryDispatcher(), now: () => MINUTE.getTime() + 65_000, deadline: MINUTE.getTime() + 115_000 }));
    expect(retry.skipped).toEqual([{ name: 'fan', reason: 'already-claimed' }]);
    expect(await store.getRun('fan', MINUTE.toISOString())).toMatchObject({ status: 'running' });
  });
});

describe('runTick sub-minute tasks under a Lambda retry', () => {
  const slotAt = (seconds: number) => new Date(MINUTE.getTime() + seconds * 1000).toISOString();

  it("a retry a minute later settles what its first attempt left running, and records no slot it ran as missed", async () => {
    const runs = new Map<string, number>();
    const schedule = new Schedule();
    schedule.call(({ slot }) => void runs.set(slot, (runs.get(slot) ?? 0) + 1)).name('quarter').everyFifteenSeconds();
    const store = new MemoryStore();
    let faulty = true;
    // The first attempt arrives 50 s late: :00 and :15 are coalesced, :30 runs for them, :45 is on time.
    // It cannot record :30's outcome (the store is down for it) and fails, leaving :30 `running`.
    const flaky = withOverrides(store, {
      completeRun: async (outcome) => {
        if (faulty && outcome.slot === slotAt(30)) throw new Error('ServiceUnavailable');
        return store.completeRun(outcome);
      },
    });
    const attempt = (at: number) => runTick(input(schedule, flaky, { owner: 'request-1', now: () => at, deadline: at + 50_000 }));
    await expect(attempt(MINUTE.getTime() + 50_000)).rejects.toThrow(AggregateError);
    expect(await store.getRun('quarter', slotAt(30))).toMatchObject({ status: 'running' });
    faulty = false;

    // Lambda retries it with the same request id a minute later: every slot of the minute is now past.
    const retry = await attempt(MINUTE.getTime() + 110_000);

    expect(retry.failed).toEqual([{ name: 'quarter', error: expect.stringContaining('Abandoned') }]);
    expect(retry.ran).toEqual([]);
    expect(retry.missed).toEqual([]);
    expect(await store.getRun('quarter', slotAt(0))).toMatchObject({ status: 'skipped', reason: 'coalesced' });
    expect(await store.getRun('quarter', slotAt(15))).toMatchObject({ status: 'skipped', reason: 'coalesced' });
    expect(await store.getRun('quarter', slotAt(30))).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect(await store.getRun('quarter', slotAt(45))).toMatchObject({ status: 'succeeded' });
    expect(store.missed()).toEqual([]);
    expect([...runs]).toEqual([[slotAt(30), 1], [slotAt(45), 1]]);
  });

  it('a retry decides the slots its first attempt never reached, one claim each, and runs the latest', async () => {
    const runs: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void runs.push(slot)).name('quarter').everyFifteenSeconds();
    const store = new MemoryStore();
    // The first attempt, on time, runs :00 and dies before reaching the later slots (a crash: no retry of its own).
    await runTick(input(schedule, store, { owner: 'request-1', now: () => MINUTE.getTime() + 100, deadline: MINUTE.getTime() + 55_000, tasks: [] }));
    await store.claimSlot({ task: 'quarter', slot: slotAt(0), owner: 'request-1', claimedAt: MINUTE.getTime() + 100 });
    await store.completeRun({ task: 'quarter', slot: slotAt(0), owner: 'request-1', status: 'succeeded', startedAt: MINUTE.getTime() + 100, finishedAt: MINUTE.getTime() + 200, durationMs: 100, latenessMs: 100 });

    const retry = await runTick(input(schedule, store, { owner: 'request-1', now: () => MINUTE.getTime() + 65_000, deadline: MINUTE.getTime() + 115_000 }));

    expect(retry.ran).toEqual(['quarter']);
    expect(retry.skipped).toEqual([{ name: 'quarter', reason: 'already-claimed' }]);
    expect(retry.missed).toEqual([
      { name: 'quarter', from: slotAt(15), to: slotAt(15), count: 1, reason: 'coalesced' },
      { name: 'quarter', from: slotAt(30), to: slotAt(30), count: 1, reason: 'coalesced' },
    ]);
    expect(runs).toEqual([slotAt(45)]);
    expect(await store.getRun('quarter', slotAt(0))).toMatchObject({ status: 'succeeded' });
    expect(await store.getRun('quarter', slotAt(30))).toMatchObject({ status: 'skipped', reason: 'coalesced' });
    // A duplicate that reads the minute differently (it arrived in time for :30) cannot run a decided slot.
    const duplicate = await runTick(input(schedule, store, { owner: 'request-2', now: () => MINUTE.getTime() + 31_000, deadline: MINUTE.getTime() + 90_000 }));
    expect(duplicate.ran).toEqual([]);
    expect(runs).toEqual([slotAt(45)]);
  });
});

describe('runTick filters and output', () => {
  it('skips filtered slots with their reason, before claiming anything', async () => {
    const store = new MemoryStore();
    const schedule = new Schedule();
    schedule.call(() => {}).name('prod-only').environments('prod');
    schedule.call(() => {}).name('never').when(() => false);
    schedule.call(() => {}).name('runs');

    const report = await runTick(input(schedule, store));

    expect(report.skipped).toEqual([
      { name: 'prod-only', reason: 'environment' },
      { name: 'never', reason: 'when-false' },
    ]);
    expect(report.ran).toEqual(['runs']);
    expect(await store.getRun('prod-only', '2026-11-23T10:05:00.000Z')).toBeUndefined();
  });

  it('records a throwing condition as a failed run, calls the failure hooks once, and decides the slot for good', async () => {
    const store = new MemoryStore();
    const schedule = new Schedule();
    const failures: string[] = [];
    let flagServiceDown = true;
    schedule.call(() => { throw new Error('the action must not run'); }).name('t')
      .skip(() => { if (flagServiceDown) throw new Error('flag service down'); return false; })
      .onFailure((error) => void failures.push(String(error)));
    const report = await runTick(input(schedule, store));
    expect(report.failed).toEqual([{ name: 't', error: 'skip() condition threw: Error: flag service down' }]);
    expect(await store.getRun('t', '2026-11-23T10:05:00.000Z')).toMatchObject({
      status: 'failed', reason: 'condition-threw', error: 'skip() condition threw: Error: flag service down',
    });
    expect(failures).toEqual(['Error: skip() condition threw: Error: flag service down']);
    // A duplicate of the tick, once the flag service is back, neither runs the slot nor calls the hooks again.
    flagServiceDown = false;
    const again = await runTick(input(schedule, store));
    expect(again.skipped).toEqual([{ name: 't', reason: 'already-claimed' }]);
    expect(failures).toHaveLength(1);
  });

  it('keeps an excerpt of the output on the run record and delivers it as declared', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tickwork-output-'));
    const store = new MemoryStore();
    const schedule = new Schedule();
    schedule.call(({ write }) => write('all good\n')).name('ok')
      .appendOutputTo('logs/ok.log').emailOutputTo('ops@example.com').emailOutputOnFailure('oncall@example.com');
    schedule.call(({ write }) => { write('about to fail\n'); throw new Error('nope'); }).name('bad')
      .sendOutputTo(join(root, 'bad.log')).emailOutputOnFailure('oncall@example.com');
    schedule.call(() => {}).name('silent').emailOutputTo('ops@example.com', true);

    await runTick(input(schedule, store, { sinks: localSinks(root) }));
    const next = Date.parse('2026-11-23T10:06:00Z');
    await runTick(input(schedule, store, { sinks: localSinks(root), minute: new Date(next), now: () => next + 100, deadline: next + 55_000 }));

    expect(await store.getRun('ok', '2026-11-23T10:05:00.000Z')).toMatchObject({ status: 'succeeded', output: 'all good\n' });
    expect(await store.getRun('silent', '2026-11-23T10:05:00.000Z')).not.toHaveProperty('output');
    expect(readFileSync(join(root, '.tickwork', 'logs', 'ok.log'), 'utf8')).toBe('all good\nall good\n');
    expect(readFileSync(join(root, 'bad.log'), 'utf8')).toBe('about to fail\n');
    const mails = readdirSync(join(root, '.tickwork', 'outbox')).map((file) => readFileSync(join(root, '.tickwork', 'outbox', file), 'utf8'));
    // ok: mailed twice (two runs); bad: failure mail twice; silent: never (no output); ok's failure mail: never.
    expect(mails.filter((m) => /^To: ops@example.com/m.test(m) && m.includes('[tickwork] ok succeeded'))).toHaveLength(2);
    expect(mails.filter((m) => /^To: oncall@example.com/m.test(m) && m.includes('[tickwork] bad failed') && m.includes('Error: nope'))).toHaveLength(2);
    expect(mails).toHaveLength(4);
  });
});

/** The store with some methods replaced; the rest delegate to it. */
/** `store` with its outcome writes — and with `release`, its lease releases — failing until `heal()`: an outage mid-tick. */
/** A task due only as a one-off, queued for MINUTE, and how many times it has run. */
async function queuedOneOff() {
  let count = 0;
  const schedule = new Schedule();
  schedule.call(() => void count++).name('once').cron('0 0 1 1 *');
  const store = new MemoryStore();
  const queued = { id: 'q1', task: 'once', slot: `${MINUTE.toISOString()}#q1`, at: MINUTE.getTime(), attempt: 0, enqueuedAt: MINUTE.getTime() - 1_000 };
  await store.enqueue(queued);
  return { schedule, store, queued, runs: () => count };
}

function downForOutcomes(store: Store, { release = false } = {}): { store: Store; heal: () => void } {
  let down = true;
  const failing = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (down) throw new Error('ServiceUnavailable');
    return write(...args);
  };
  const overrides: Partial<Store> = { completeRun: failing(store.completeRun.bind(store)) };
  if (release) overrides.releaseLeaseTakingPending = failing(store.releaseLeaseTakingPending.bind(store));
  return { store: withOverrides(store, overrides), heal: () => void (down = false) };
}

function withOverrides(store: Store, overrides: Partial<Store>): Store {
  return {
    ensureTable: () => store.ensureTable(),
    claimSlot: (claim) => store.claimSlot(claim),
    completeRun: (outcome) => store.completeRun(outcome),
    startRun: (start) => store.startRun(start),
    releaseDispatch: (request) => store.releaseDispatch(request),
    enqueue: (run) => store.enqueue(run),
    dueRuns: (now, limit) => store.dueRuns(now, limit),
    dequeue: (run) => store.dequeue(run),
    beginTick: (minute, noting) => store.beginTick(minute, noting),
    settleTick: (minute) => store.settleTick(minute),
    unsettled: () => store.unsettled(),
    settleQueue: (seen) => store.settleQueue(seen),
    getRun: (task, slot) => store.getRun(task, slot),
    acquireLease: (request) => store.acquireLease(request),
    lease: (task) => store.lease(task),
    releaseLease: (task, owner) => store.releaseLease(task, owner),
    extendLease: (request) => store.extendLease(request),
    releaseLeaseTakingPending: (task, owner) => store.releaseLeaseTakingPending(task, owner),
    bufferBehindLease: (request) => store.bufferBehindLease(request),
    lastRun: (task) => store.lastRun(task),
    shared: () => store.shared(),
    lastTick: () => store.lastTick(),
    advanceTick: (minute) => store.advanceTick(minute),
    recordMissed: (missed) => store.recordMissed(missed),
    runsBetween: (task, range) => store.runsBetween(task, range),
    missedBetween: (task, range) => store.missedBetween(task, range),
    pause: (request) => store.pause(request),
    resume: (task) => store.resume(task),
    pauses: () => store.pauses(),
    ...overrides,
  };
}
