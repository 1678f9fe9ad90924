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
import type { SlotClaim, Store } from '../../../src/store/Store.js';
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

    // The tick and both Lambda retries (same request id) fail on `lost`'s claim.
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(tick(schedule, failing, X, at(X) + 1_000 + attempt * 60_000, 'request-x')).rejects.toThrow('the store failed');
    }
    expect(await unsettled(store)).toEqual([{ from: undefined, to: at(X) }]); // the first tick ever

    // The next minute's tick settles its own range and leaves 10:05's: an attempt of it could still run.
    await tick(schedule, store, '2026-11-23T10:06:00.000Z', at('2026-11-23T10:06:01Z'));
    expect(await unsettled(store)).toEqual([{ from: undefined, to: at(X) }]); // the first tick ever
    expect(await store.getRun('lost', X)).toBeUndefined();

    // 10:22, one minute past the horizon: recovered by claim.
    const report = await tick(schedule, store, '2026-11-23T10:07:00.000Z', at(X) + STALE_RUN_MS + 1_000);
    expect(await store.getRun('lost', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
    expect(await store.getRun('kept', X)).toMatchObject({ status: 'succeeded', owner: 'request-x' });
    expect(await store.getRun('prod-only', X)).toBeUndefined(); // ruled out by its environment: never recorded
    expect(report.missed).toContainEqual({ name: 'lost', from: X, to: X, count: 1, reason: 'tick-failed' });
    expect(await unsettled(store)).toEqual([]);

    // A Lambda retry of the failed tick that still comes finds the slot decided, and runs nothing.
    const late = await tick(schedule, store, X, at(X) + STALE_RUN_MS + 30_000, 'request-x');
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

  it('records an inline run that tick left running abandoned, once no late retry can still be running it', async () => {
    const schedule = new Schedule();
    const started = deferred();
    const never = deferred();
    schedule.call(async ({ slot }) => {
      if (slot !== X) return;
      started.resolve();
      await never.promise;
    }).name('stuck').everyMinute();
    schedule.call(() => {}).name('lost').everyMinute();
    const store = new MemoryStore();
    // A late Lambda retry claims `stuck` 9 minutes after its minute, then its invocation dies mid-run
    // (the run never ends); `lost`'s claim fails on every attempt.
    const claimedAt = at(X) + 9 * MINUTE_MS;
    const dying = tick(schedule, failingClaims(store, (claim) => claim.task === 'lost'), X, claimedAt, 'request-x').catch(() => undefined);
    await started.promise;
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'running' });

    // Past the range's horizon, but within the retry's own: the note stays, `lost` is decided.
    await tick(schedule, store, '2026-11-23T10:06:00.000Z', at(X) + STALE_RUN_MS + 1_000);
    expect(await store.getRun('lost', X)).toMatchObject({ status: 'skipped', reason: 'tick-failed' });
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'running' });
    expect((await unsettled(store)).map((range) => range.to)).toContain(at(X));

    // Past the retry's horizon too.
    const report = await tick(schedule, store, '2026-11-23T10:07:00.000Z', claimedAt + STALE_RUN_MS + 1_000);
    expect(await store.getRun('stuck', X)).toMatchObject({ status: 'failed', reason: 'abandoned', owner: 'request-x' });
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
        if (key === 'beginTick') return (minute: number, options?: { busy?: boolean }) => (busyFlags.push(options?.busy), target.beginTick(minute, options));
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
    expect(await unsettled(store)).toEqual([{ from: at(X), to: at('2026-11-23T11:00:00Z') }]);
    await tick(schedule, store, '2026-11-23T11:00:00.000Z', at('2026-11-23T11:00:30Z'));
    expect(await unsettled(store)).toEqual([]);
    expect(await store.getRun('hourly', '2026-11-23T11:00:00.000Z')).toMatchObject({ status: 'succeeded' });
  });
});
