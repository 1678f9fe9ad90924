import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { STALE_RUN_MS } from '../../../src/kernel/runBudget.js';
import { localSinks } from '../../../src/runner/createTickHandler.js';
import { runTick, type RunTickInput } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import type { SlotClaim, Store, TickBeginning } from '../../../src/store/Store.js';
import { deferred } from '../../deferred.js';

/*
 * A tick that moved the last evaluated minute and then failed for good (docs/design.md "Failures and
 * retries"): its busy range stays noted unsettled, and the first tick once no attempt of it can still
 * run decides each slot it left (`recoverRange`, reason `tick-failed`).
 */
const logger = new Logger({ logLevel: 'SILENT' });
const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tickwork-recover-')));
const at = (iso: string) => Date.parse(iso);
const MINUTE_MS = 60_000;
const X = '2026-11-23T10:05:00.000Z';

function tick(schedule: Schedule, store: Store, minute: string, now: number, owner = `tick-${minute}`, stage = 'test'): ReturnType<typeof runTick> {
  const input: RunTickInput = {
    tasks: schedule.compiled(), commands: schedule.commands, sinks, stage, store, logger, owner,
    minute: new Date(minute), deadline: now + 55_000, now: () => now,
  };
  return runTick(input);
}

/** The store, with `claimSlot` failing for the claims `down` picks (DynamoDB throttling past every retry). */
function failingClaims(store: MemoryStore, down: (claim: SlotClaim) => boolean): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'claimSlot') {
        return async (claim: SlotClaim) => {
          if (down(claim)) throw new Error('ProvisionedThroughputExceededException: injected past the retries');
          return target.claimSlot(claim);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function unsettled(store: MemoryStore): Promise<{ from: number | undefined; to: number }[]> {
  // An idle minute far back reads the notes without moving anything: the state is past it.
  return [...(await store.beginTick(at('2026-01-01T00:00:00Z'))).unsettled];
}

describe('a tick that failed for good after it moved the last tick', () => {
  it('leaves its range noted; a tick 16 minutes on records each slot it left tick-failed, and the one it ran keeps its record', async () => {
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ name, slot }) => void ran.push(`${name}@${slot}`)).name('kept').everyMinute();
    schedule.call(({ name, slot }) => void ran.push(`${name}@${slot}`)).name('lost').everyFiveMinutes();
    schedule.call(({ name, slot }) => void ran.push(`${name}@${slot}`)).name('prod-only').everyMinute().environments('prod');
    const store = new MemoryStore();
    const failing = failingClaims(store, (claim) => claim.task === 'lost');

    // The tick and both Lambda retries (same request id), a minute and two apart, fail on `lost`'s claim.
    const lastAttempt = at(X) + 1_000 + 3 * MINUTE_MS;
    for (const begun of [at(X) + 1_000, at(X) + 1_000 + MINUTE_MS, lastAttempt]) {
      await expect(tick(schedule, failing, X, begun, 'request-x')).rejects.toThrow('the store failed');
    }
    // The first tick ever; the last retry stamped the note begun again.
    expect(await unsettled(store)).toEqual([{ from: undefined, to: at(X), begunAt: lastAttempt }]);

    // The next minute's tick settles its own range and leaves 10:05's: an attempt of it could still run.
    await tick(schedule, store, '2026-11-23T10:06:00.000Z', at('2026-11-23T10:06:01Z'));
    // Sixteen minutes after 10:05 but not after its last attempt began: still left alone.
    await tick(schedule, store, '2026-11-23T10:07:00.000Z', at(X) + STALE_RUN_MS + 1_000);
    expect(await unsettled(store)).toEqual([{ from: undefined, to: at(X), begunAt: lastAttempt }]);
    expect(await store.getRun('lost', X)).toBeUndefined();

    // Past the last attempt's horizon: recovered by claim.
    const report = await tick(schedule, store, '2026-11-23T10:08:00.000Z', lastAttempt + STALE_RUN_MS + 1_000);
    expect(await store.getRun('lost', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
    expect(await store.getRun('kept', X)).toMatchObject({ status: 'succeeded', owner: 'request-x' });
    expect(await store.getRun('prod-only', X)).toBeUndefined(); // ruled out by its environment: never recorded
    expect(report.missed).toContainEqual({ name: 'lost', from: X, to: X, count: 1, reason: 'tick-failed' });
    expect(await unsettled(store)).toEqual([]);

    // A Lambda retry of the failed tick that still comes finds the slot decided, and runs nothing.
    const late = await tick(schedule, store, X, lastAttempt + STALE_RUN_MS + 30_000, 'request-x');
    expect(late.ran).toEqual([]);
    expect(ran.filter((run) => run.endsWith(X))).toEqual([`kept@${X}`]);
  });

  it('does not recover before every attempt of the tick has ended', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('lost').everyMinute();
    const store = new MemoryStore();
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000)).rejects.toThrow('the store failed');

    await tick(schedule, store, '2026-11-23T10:06:00.000Z', at(X) + STALE_RUN_MS);
    expect(await store.getRun('lost', X)).toBeUndefined();
    expect((await unsettled(store)).map((range) => range.to)).toEqual([at(X)]);
  });

  it('records an inline run that tick left running abandoned, once no attempt that claimed it can still be running it', async () => {
    const schedule = new Schedule();
    const { started, never } = stuckAtX(schedule);
    schedule.call(() => {}).name('lost').everyMinute();
    const store = new MemoryStore();
    // The tick begins at 10:05:01 and fails on every claim; a duplicate delivery begins 49 s later —
    // within a minute of the note, so it leaves the note's stamp — claims `stuck`, and dies mid-run
    // (the run never ends); `lost`'s claim fails on every attempt.
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000, 'request-x')).rejects.toThrow('the store failed');
    const claimedAt = at(X) + 50_000;
    const dying = tick(schedule, failingClaims(store, (claim) => claim.task === 'lost'), X, claimedAt, 'request-d').catch(() => undefined);
    await started.promise;
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'running', owner: 'request-d' });

    // Past the note's horizon, but not the duplicate's claim's: the note stays, `lost` is decided.
    await tick(schedule, store, '2026-11-23T10:06:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(await store.getRun('lost', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'running' });
    expect((await unsettled(store)).map((range) => range.to)).toContain(at(X));

    // Past the retry's horizon too.
    const report = await tick(schedule, store, '2026-11-23T10:07:00.000Z', claimedAt + STALE_RUN_MS + 1_000);
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'request-d' });
    expect(report.failed.map((f) => f.name)).toContain('stuck');
    expect((await unsettled(store)).map((range) => range.to)).not.toContain(at(X));
    never.resolve();
    await dying;
  });

  it('notes nothing for a minute whose only slots its stage rules out, and settles a busy minute in its last write', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('prod-only').everyMinute().environments('prod');
    const store = new MemoryStore();
    const busyFlags: (boolean | undefined)[] = [];
    const watched = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'beginTick') return (minute: number, noting?: TickBeginning) => (busyFlags.push(noting?.busy(minute - MINUTE_MS)), target.beginTick(minute, noting));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await tick(schedule, watched, X, at(X) + 1_000, 'a', 'test');
    await tick(schedule, watched, '2026-11-23T10:06:00.000Z', at('2026-11-23T10:06:01Z'), 'b', 'prod');
    expect(busyFlags).toEqual([false, true]);
    expect(await unsettled(store)).toEqual([]);
  });

  it('notes a range over missed minutes, and settles it once its catch-up is decided', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('hourly').hourly();
    const store = new MemoryStore();
    await tick(schedule, store, X, at(X) + 1_000);
    const down = failingClaims(store, () => true);
    // 10:05 → 11:00: the gap holds `hourly`'s 11:00 slot; the claim fails, and the range stays noted.
    await expect(tick(schedule, down, '2026-11-23T11:00:00.000Z', at('2026-11-23T11:00:01Z'))).rejects.toThrow('the store failed');
    expect(await unsettled(store)).toEqual([{ from: at(X), to: at('2026-11-23T11:00:00Z'), begunAt: at('2026-11-23T11:00:01Z') }]);
    await tick(schedule, store, '2026-11-23T11:00:00.000Z', at('2026-11-23T11:00:30Z'));
    expect(await unsettled(store)).toEqual([]);
    expect(await store.getRun('hourly', '2026-11-23T11:00:00.000Z')).toMatchObject({ status: 'succeeded' });
  });

  it('leaves a late tick that has not failed to decide its own slots: its note counts from when it began', async () => {
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void ran.push(slot)).name('report').everyMinute();
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:04:00.000Z', at('2026-11-23T10:04:01Z'));
    // The tick Lambda was throttled: 10:05 and 10:06 are delivered together, 20 minutes late. 10:05
    // begins first and its claim is slow (the SDK backing off); 10:06 begins meanwhile.
    const late = at(X) + 20 * MINUTE_MS;
    const claiming = deferred();
    const gate = deferred();
    const slow = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'claimSlot') return async (claim: SlotClaim) => (claim.slot === X && (claiming.resolve(), await gate.promise), target.claimSlot(claim));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const first = tick(schedule, slow, X, late, 'request-5');
    await claiming.promise;
    const second = await tick(schedule, store, '2026-11-23T10:06:00.000Z', late + 500, 'request-6');
    gate.resolve();
    const report = await first;
    expect(second.missed).toEqual([]);
    expect(report.ran).toEqual(['report']);
    expect(await store.getRun('report', X)).toMatchObject({ status: 'succeeded', owner: 'request-5' });
    expect(await unsettled(store)).toEqual([]);
  });

  it('records a slot of a task paused now as paused, not tick-failed, so the monitor does not call it late', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('quiet').cron('5 * * * *');
    schedule.call(() => {}).name('always').cron('5 * * * *').evenWhenPaused();
    const store = new MemoryStore();
    await store.pause({ task: 'quiet', note: 'migrating', pausedAt: at('2026-11-23T09:00:00Z') });
    await tick(schedule, store, '2026-11-23T10:04:00.000Z', at('2026-11-23T10:04:01Z'));
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000)).rejects.toThrow('the store failed');
    const report = await tick(schedule, store, '2026-11-23T10:06:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(await store.getRun('quiet', X)).toMatchObject({ status: 'skipped', reason: 'paused' });
    expect(await store.getRun('always', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
    expect(report.skipped).toContainEqual({ name: 'quiet', reason: 'paused' });
  });

  it('reports the missed minutes\' summaries it writes again, and a tick whose settle fails still succeeds', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    // 10:01–10:04 missed; 10:05 closes the gap and fails on every claim and summary.
    const down = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'claimSlot' || key === 'recordMissed') return async () => { throw new Error('ProvisionedThroughputExceededException: injected'); };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(tick(schedule, down, X, at(X) + 1_000)).rejects.toThrow('the store failed');
    // The recovering tick's own settle fails: its note stays, and the tick does not fail for it.
    const settleFails = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'settleTick') return async (minute: number) => { if (minute !== at(X)) throw new Error('ServiceUnavailable: injected'); return target.settleTick(minute); };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const report = await tick(schedule, settleFails, '2026-11-23T10:06:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(report.missed).toEqual(expect.arrayContaining([
      { name: 'beat', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:03:00.000Z', count: 3, reason: 'coalesced' },
      { name: 'beat', from: '2026-11-23T10:04:00.000Z', to: '2026-11-23T10:04:00.000Z', count: 1, reason: 'tick-failed' },
      { name: 'beat', from: X, to: X, count: 1, reason: 'tick-failed' },
    ]));
    expect((await unsettled(store)).map((range) => range.to)).toEqual([at('2026-11-23T10:06:00Z')]);
  });

  it('recovers a range once: in the attempt that moved the minute, not in its 50 duplicates, and reports no summary twice', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute().catchUp({ window: 2 });
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    // 10:01–10:04 missed; 10:05 closes the gap and fails on every claim and summary; 10:06–10:20 go on.
    await expect(tick(schedule, throttledWrites(store), X, at(X) + 1_000, 'request-x')).rejects.toThrow('the store failed');
    for (let minute = at('2026-11-23T10:06:00Z'); minute <= at('2026-11-23T10:20:00Z'); minute += MINUTE_MS) await tick(schedule, store, new Date(minute).toISOString(), minute + 1_000);
    const writes = { claims: 0, summaries: 0, settles: 0 };
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'claimSlot') return async (claim: SlotClaim) => (claim.slot <= X && writes.claims++, target.claimSlot(claim));
        if (key === 'recordMissed') return async (missed: Parameters<MemoryStore['recordMissed']>[0]) => (missed.from <= X && writes.summaries++, target.recordMissed(missed));
        if (key === 'settleTick') return async (minute: number) => (minute === at(X) && writes.settles++, target.settleTick(minute));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const now = at(X) + 1_000 + STALE_RUN_MS + 1_000;
    const reports = await Promise.all(Array.from({ length: 50 }, (_, i) => tick(schedule, counting, '2026-11-23T10:21:00.000Z', now + i, `dup-${i}`)));
    // 10:04 and 10:05 claimed tick-failed, 10:01–10:02 (outside the 2-minute window) and 10:03 (coalesced) summarised.
    expect(writes).toEqual({ claims: 2, summaries: 2, settles: 1 });
    expect(reports.flatMap((r) => r.missed).map((m) => `${m.from} ${m.reason}`).sort()).toEqual([
      '2026-11-23T10:01:00.000Z outside-catch-up-window', '2026-11-23T10:03:00.000Z coalesced', '2026-11-23T10:04:00.000Z tick-failed', `${X} tick-failed`,
    ]);
    // A tick whose settle failed is recovered later: its summaries, reported when it wrote them, are not reported again.
    const report = await tick(schedule, store, '2026-11-23T10:22:00.000Z', now + MINUTE_MS);
    expect(report.missed).toEqual([]);
  });

  it('records a slot due before the pause tick-failed: only a pause already on when the slot came due records it paused', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('report').cron('5 * * * *');
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:04:00.000Z', at('2026-11-23T10:04:01Z'));
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000)).rejects.toThrow('the store failed');
    await store.pause({ note: 'incident', pausedAt: at('2026-11-23T10:10:00Z') });
    await tick(schedule, store, '2026-11-23T10:21:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(await store.getRun('report', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
  });

  it('a gap whose only slots its stage rules out notes nothing and writes nothing', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('prod-only').everyMinute().environments('prod');
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    const report = await tick(schedule, store, '2026-11-23T10:10:00.000Z', at('2026-11-23T10:10:01Z'));
    expect(await store.unsettled()).toEqual([]);
    expect(report.missed).toEqual([]);
    expect(await store.missedBetween('prod-only', { from: '2026-11-23T10:00:00.000Z', to: '2026-11-23T10:10:00.000Z', limit: 10 })).toEqual([]);
  });

  it('a duplicate that finds the slots held by the running tick leaves the note to it; should that tick die, its run is recorded abandoned', async () => {
    const schedule = new Schedule();
    const { started, never } = stuckAtX(schedule);
    const store = new MemoryStore();
    let settles = 0;
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'settleTick') return async (minute: number) => (settles++, target.settleTick(minute));
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const original = tick(schedule, counting, X, at(X) + 1_000, 'request-o').catch(() => undefined);
    await started.promise;
    const duplicates = await Promise.all(Array.from({ length: 50 }, (_, i) => tick(schedule, counting, X, at(X) + 2_000 + i, `dup-${i}`)));
    expect(duplicates.every((report) => report.ran.length === 0)).toBe(true);
    expect(settles).toBe(0);
    // The original dies mid-run (it never ends): a tick once its claim is stale records the run.
    await tick(schedule, store, '2026-11-23T10:21:00.000Z', at(X) + 2_000 + STALE_RUN_MS);
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'request-o' });
    never.resolve();
    await original;
  });
});

describe('a tick that decided its range and only failed to settle it', () => {
  it('is recovered later, its summaries reported again: counted twice, where a failed tick\'s are never lost', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute().catchUp({ window: 2 });
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    const settleFails = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'settleTick') return async () => { throw new Error('ProvisionedThroughputExceededException: injected'); };
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const first = await tick(schedule, settleFails, X, at(X) + 1_000);
    expect(first.missed.map((m) => m.reason).sort()).toEqual(['coalesced', 'outside-catch-up-window']);
    expect((await store.unsettled()).map((range) => range.to)).toEqual([at(X)]);
    for (let minute = at('2026-11-23T10:06:00Z'); minute <= at('2026-11-23T10:20:00Z'); minute += MINUTE_MS) await tick(schedule, store, new Date(minute).toISOString(), minute + 1_000);
    const later = await tick(schedule, store, '2026-11-23T10:21:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(await store.unsettled()).toEqual([]);
    expect(later.missed.map((m) => m.reason).sort()).toEqual(['coalesced', 'outside-catch-up-window']);
  });

  it('a summary a tick that failed for good wrote before it threw reaches the recovery\'s report (the metrics read reports)', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute().catchUp({ window: 2 });
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    // 10:05 closes the gap, writes its summaries, fails every claim: it throws, so no report, no metrics.
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000)).rejects.toThrow('the store failed');
    const later = await tick(schedule, store, '2026-11-23T10:21:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(later.missed.map((m) => `${m.from} ${m.reason}`)).toContain('2026-11-23T10:01:00.000Z outside-catch-up-window');
  });
});

describe('settling a range that other invocations share', () => {
  const Y = '2026-11-23T10:06:00.000Z';
  const notes = async (store: MemoryStore) => (await store.unsettled()).map((range) => new Date(range.to).toISOString());
  /** `store` whose claims of `task` wait for `gate` first. */
  const gatedClaims = (store: MemoryStore, task: string, gate: Promise<unknown>): Store => new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'claimSlot') return async (claim: SlotClaim) => (claim.task === task && (await gate), target.claimSlot(claim));
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  it('a busy tick that meets a queued one-off another tick is still running settles its own range', async () => {
    const schedule = new Schedule();
    const started = deferred();
    const release = deferred();
    schedule.call(async () => { started.resolve(); await release.promise; }).name('slow').cron('0 0 1 1 *');
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    await store.enqueue({ id: 'q', task: 'slow', slot: `${X}#q`, at: at(X), attempt: 0, enqueuedAt: at(X) - 1_000 });
    const first = tick(schedule, store, X, at(X) + 1_000);
    await started.promise;
    expect((await tick(schedule, store, Y, at(Y) + 1_000)).ran).toEqual(['beat']);
    release.resolve();
    await first;
    expect(await notes(store)).toEqual([]);
  });

  it('an onOneServer slot another deployment is running leaves no note in this deployment', async () => {
    const schedule = new Schedule();
    const started = deferred();
    const release = deferred();
    schedule.call(async () => { started.resolve(); await release.promise; }).name('report').everyMinute().onOneServer();
    const table = new MemoryStore('blue');
    const green = table.withDeployment('green');
    const blueTick = tick(schedule, table, X, at(X) + 1_000, 'blue');
    await started.promise;
    expect((await tick(schedule, green, X, at(X) + 2_000, 'green')).skipped).toEqual([{ name: 'report', reason: 'already-claimed' }]);
    release.resolve();
    await blueTick;
    expect(await notes(table)).toEqual([]);
    expect(await notes(green)).toEqual([]);
  });

  it('two deliveries that split the claims: the last to finish settles the range', async () => {
    const schedule = new Schedule();
    const a = deferred();
    const b = deferred();
    const running = { a: deferred(), b: deferred() };
    schedule.call(async () => { running.a.resolve(); await a.promise; }).name('a').everyMinute();
    schedule.call(async () => { running.b.resolve(); await b.promise; }).name('b').everyMinute();
    const store = new MemoryStore();
    // The original reaches b's claim late, the duplicate a's (interleaving, throttling).
    const original = tick(schedule, gatedClaims(store, 'b', running.b.promise), X, at(X) + 1_000, 'original');
    const duplicate = tick(schedule, gatedClaims(store, 'a', running.a.promise), X, at(X) + 1_500, 'duplicate');
    await Promise.all([running.a.promise, running.b.promise]);
    a.resolve();
    b.resolve();
    expect((await Promise.all([original, duplicate])).map((report) => report.ran)).toEqual([['a'], ['b']]);
    expect(await notes(store)).toEqual([]);
  });

  it('a slot due while the scheduler was paused is recorded paused, though the task got its own pause only later', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('report').cron('5 * * * *');
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:04:00.000Z', at('2026-11-23T10:04:01Z'));
    await store.pause({ note: 'freeze', pausedAt: at('2026-11-23T10:00:00Z') });
    await expect(tick(schedule, failingClaims(store, () => true), X, at(X) + 1_000)).rejects.toThrow('the store failed');
    await store.pause({ task: 'report', note: 'also this one', pausedAt: at('2026-11-23T10:10:00Z') });
    await tick(schedule, store, '2026-11-23T10:21:00.000Z', at(X) + 1_000 + STALE_RUN_MS + 1_000);
    expect(await store.getRun('report', X)).toMatchObject({ status: 'skipped', reason: 'paused' });
  });
});

describe('catch-up and the static filters', () => {
  it('policy once runs the latest slot inside between(), and writes nothing for the slots outside it', async () => {
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void ran.push(slot)).name('w').everyMinute().between('09:00', '10:02');
    const store = new MemoryStore();
    await tick(schedule, store, '2026-11-23T10:00:00.000Z', at('2026-11-23T10:00:01Z'));
    const report = await tick(schedule, store, '2026-11-23T10:04:00.000Z', at('2026-11-23T10:04:01Z'));
    expect(ran.slice(1)).toEqual(['2026-11-23T10:02:00.000Z']);
    expect(report.missed).toEqual([{ name: 'w', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:01:00.000Z', count: 1, reason: 'coalesced' }]);
    expect(await store.getRun('w', '2026-11-23T10:03:00.000Z')).toBeUndefined();
  });
});

/** A task `stuck`, due every minute, whose run of X starts and never ends (until `never` resolves). */
function stuckAtX(schedule: Schedule): { started: ReturnType<typeof deferred>; never: ReturnType<typeof deferred> } {
  const started = deferred();
  const never = deferred();
  schedule.call(async ({ slot }) => {
    if (slot !== X) return;
    started.resolve();
    await never.promise;
  }).name('stuck').everyMinute();
  return { started, never };
}

/** The store, with every claim and missed-slots summary failing past the SDK's retries. */
function throttledWrites(store: MemoryStore): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'claimSlot' || key === 'recordMissed') return async () => { throw new Error('ProvisionedThroughputExceededException: injected'); };
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
