import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { InvalidBackfillError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { ReadModel } from '../../../src/operate/ReadModel.js';
import { backfill, BACKFILL_OWNER_PREFIX, type BackfillContext, type BackfillSlot } from '../../../src/operate/backfill.js';
import { localSinks } from '../../../src/runner/sinks.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

const NOW = Date.parse('2026-11-23T12:00:30Z');
const logger = new Logger({ logLevel: 'SILENT' });
const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tickwork-backfill-')));

function context(schedule: Schedule, store: MemoryStore, extra: Partial<BackfillContext> = {}): BackfillContext {
  return { tasks: schedule.compiled(), commands: schedule.commands, store, deployment: 'default', stage: 'test', sinks, logger, now: () => NOW, ...extra };
}

const at = (iso: string) => new Date(iso);

describe('backfill', () => {
  it('runs the real slots of the range, in time order, under the slot identities the tick claims', async () => {
    const ran: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void ran.push(slot)).name('hourly').hourly();
    schedule.call(() => { throw new Error('must not run'); }).name('other').hourly();
    const store = new MemoryStore();

    const report = await backfill(context(schedule, store), { task: 'hourly', from: at('2026-11-23T09:00:00Z'), to: at('2026-11-23T11:00:00Z') });

    expect(ran).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-23T10:00:00.000Z', '2026-11-23T11:00:00.000Z']);
    expect(report).toMatchObject({ task: 'hourly', dryRun: false, runsIn: 'inline', from: '2026-11-23T09:00:00.000Z', to: '2026-11-23T11:00:00.000Z' });
    expect(report.owner.startsWith(BACKFILL_OWNER_PREFIX)).toBe(true);
    expect(report.slots.map((s) => [s.slot, s.outcome])).toEqual([
      ['2026-11-23T09:00:00.000Z', 'ran'], ['2026-11-23T10:00:00.000Z', 'ran'], ['2026-11-23T11:00:00.000Z', 'ran'],
    ]);
    expect(report.slots[0]).toMatchObject({ status: 'succeeded', durationMs: expect.any(Number) });
    // The records say who ran them: the backfill's owner.
    expect(await store.getRun('hourly', '2026-11-23T10:00:00.000Z')).toMatchObject({ owner: report.owner, status: 'succeeded' });
    expect(await store.getRun('other', '2026-11-23T10:00:00.000Z')).toBeUndefined();
    // history and why say where the run came from.
    const model = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });
    const history = await model.history('hourly', { since: at('2026-11-23T09:00:00Z'), until: at('2026-11-23T12:00:00Z'), limit: 10 });
    expect(history.map((e) => e.kind === 'run' && e.source)).toEqual(['backfill', 'backfill', 'backfill']);
    const why = await model.why('hourly', at('2026-11-23T10:00:00Z'), NOW);
    expect(why.findings.find((f) => f.step === 'claim')?.finding).toContain(`claimed by ${report.owner} (a backfill)`);
  });

  it('leaves a slot already claimed or decided alone and names its holder (one left running for 2 hours has no outcome); a second backfill runs nothing', async () => {
    let runs = 0;
    const schedule = new Schedule();
    schedule.call(() => void runs++).name('hourly').hourly();
    const store = new MemoryStore();
    await store.claimSlot({ task: 'hourly', slot: '2026-11-23T10:00:00.000Z', owner: 'tick-10', claimedAt: NOW - 7_200_000 });
    const range = { task: 'hourly', from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T11:00:00Z') };

    const first = await backfill(context(schedule, store), range);
    const second = await backfill(context(schedule, store), range);

    expect(first.slots).toEqual([
      { slot: '2026-11-23T10:00:00.000Z', outcome: 'already-claimed', holder: { owner: 'tick-10', status: 'running', stranded: true } },
      expect.objectContaining({ slot: '2026-11-23T11:00:00.000Z', outcome: 'ran', status: 'succeeded' }),
    ]);
    expect(second.slots).toEqual([
      { slot: '2026-11-23T10:00:00.000Z', outcome: 'already-claimed', holder: { owner: 'tick-10', status: 'running', stranded: true } },
      { slot: '2026-11-23T11:00:00.000Z', outcome: 'already-claimed', holder: { owner: first.owner, status: 'succeeded' } },
    ]);
    expect(runs).toBe(1);
  });

  it('a dry run lists what would run, runs nothing and writes nothing', async () => {
    let runs = 0;
    const schedule = new Schedule();
    schedule.call(() => void runs++).name('quarter').everyFifteenMinutes().unlessBetween('10:20', '10:40');
    const store = new MemoryStore();
    await store.claimSlot({ task: 'quarter', slot: '2026-11-23T10:00:00.000Z', owner: 'tick', claimedAt: NOW });
    const progress: number[] = [];

    const report = await backfill(context(schedule, store), {
      task: 'quarter', from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T10:45:00Z'), dryRun: true,
      onProgress: ({ done, total }) => progress.push(done / total),
    });

    expect(report.slots).toEqual<BackfillSlot[]>([
      { slot: '2026-11-23T10:00:00.000Z', outcome: 'already-claimed', holder: { owner: 'tick', status: 'running' } },
      { slot: '2026-11-23T10:15:00.000Z', outcome: 'would-run' },
      { slot: '2026-11-23T10:30:00.000Z', outcome: 'filtered', reason: 'inside-unless-between' },
      { slot: '2026-11-23T10:45:00.000Z', outcome: 'would-run' },
    ]);
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(runs).toBe(0);
    expect(await store.getRun('quarter', '2026-11-23T10:15:00.000Z')).toBeUndefined();
  });

  it('sends a fan-out task\'s slots through the dispatcher with the claim the tick would make', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('remote').hourly().onLambda({ timeout: 60 });
    const store = new MemoryStore();
    const dispatcher = new MemoryDispatcher();

    const report = await backfill(context(schedule, store, { dispatcher }), { task: 'remote', from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T11:00:00Z') });

    expect(report.runsIn).toBe('lambda');
    expect(report.slots).toEqual([
      { slot: '2026-11-23T10:00:00.000Z', outcome: 'dispatched' },
      { slot: '2026-11-23T11:00:00.000Z', outcome: 'dispatched' },
    ]);
    expect(dispatcher.sent.map((e) => [e.task, e.slot, e.owner, e.attempt])).toEqual([
      ['remote', '2026-11-23T10:00:00.000Z', report.owner, 1],
      ['remote', '2026-11-23T11:00:00.000Z', report.owner, 1],
    ]);
    expect(await store.getRun('remote', '2026-11-23T10:00:00.000Z')).toMatchObject({ status: 'dispatched', owner: report.owner });
  });

  it('a fan-out slot whose event cannot be sent is released and queued for the tick, as a tick does', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('remote').hourly().runInBackground();
    const store = new MemoryStore();
    const dispatcher = new MemoryDispatcher({ fail: () => 'no route' });

    const report = await backfill(context(schedule, store, { dispatcher }), { task: 'remote', from: at('2026-11-23T11:00:00Z'), to: at('2026-11-23T11:00:00Z') });

    expect(report.slots).toEqual([{ slot: '2026-11-23T11:00:00.000Z', outcome: 'not-dispatched', error: 'no route', requeued: true }]);
    expect(await store.getRun('remote', '2026-11-23T11:00:00.000Z')).toBeUndefined();
    expect(await store.dueRuns(NOW, 10)).toEqual([expect.objectContaining({ task: 'remote', slot: '2026-11-23T11:00:00.000Z', attempt: 1 })]);
  });

  it('a withoutOverlapping() fan-out task queued for the tick goes one slot per backfill: the rest would meet its lease there', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('remote').hourly().withoutOverlapping().runInBackground();
    const store = new MemoryStore();
    const dispatcher = new MemoryDispatcher({ fail: () => 'no route' });

    const report = await backfill(context(schedule, store, { dispatcher }), { task: 'remote', from: at('2026-11-23T09:00:00Z'), to: at('2026-11-23T11:00:00Z') });

    expect(report.slots.map((s) => s.outcome)).toEqual(['not-dispatched', 'deferred', 'deferred']);
    expect((await store.dueRuns(NOW, 10)).map((q) => q.slot)).toEqual(['2026-11-23T09:00:00.000Z']);
    for (const slot of ['2026-11-23T10:00:00.000Z', '2026-11-23T11:00:00.000Z']) expect(await store.getRun('remote', slot)).toBeUndefined();
  });

  it('withoutOverlapping: runs one slot after another, and leaves slots unclaimed while another run holds the lease', async () => {
    const fences: (number | undefined)[] = [];
    const schedule = new Schedule();
    schedule.call(({ fence }) => void fences.push(fence)).name('exclusive').hourly().withoutOverlapping();
    const store = new MemoryStore();

    const first = await backfill(context(schedule, store), { task: 'exclusive', from: at('2026-11-23T09:00:00Z'), to: at('2026-11-23T10:00:00Z') });
    expect(first.slots.map((s) => s.outcome)).toEqual(['ran', 'ran']);
    expect(fences).toEqual([1, 2]);

    await store.acquireLease({ task: 'exclusive', owner: 'tick-12', slot: '2026-11-23T12:00:00.000Z', now: NOW, expiresAt: NOW + 60_000 });
    const second = await backfill(context(schedule, store), { task: 'exclusive', from: at('2026-11-23T11:00:00Z'), to: at('2026-11-23T12:00:00Z') });
    const holder = { owner: 'tick-12', slot: '2026-11-23T12:00:00.000Z', expiresAt: NOW + 60_000 };
    expect(second.slots).toEqual([
      { slot: '2026-11-23T11:00:00.000Z', outcome: 'deferred', holder },
      { slot: '2026-11-23T12:00:00.000Z', outcome: 'deferred', holder },
    ]);
    expect(await store.getRun('exclusive', '2026-11-23T11:00:00.000Z')).toBeUndefined();
  });

  it('a when() refusal is recorded on the slot, as the tick records it', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('gated').hourly().when(({ scheduledAt }) => scheduledAt.getUTCHours() !== 10);
    const store = new MemoryStore();

    const report = await backfill(context(schedule, store), { task: 'gated', from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T11:00:00Z') });

    expect(report.slots.map((s) => s.outcome)).toEqual(['skipped', 'ran']);
    expect(report.slots[0]).toEqual({ slot: '2026-11-23T10:00:00.000Z', outcome: 'skipped', reason: 'when-false' });
    expect(await store.getRun('gated', '2026-11-23T10:00:00.000Z')).toMatchObject({ status: 'skipped', reason: 'when-false' });
  });

  it.each([
    ['an unknown task', { task: 'nope' }, 'task', 'unknown task "nope"'],
    ['from after to', { from: at('2026-11-23T11:00:00Z'), to: at('2026-11-23T10:00:00Z') }, 'from', 'is after to'],
    ['a future to', { to: at('2026-11-23T12:01:00Z') }, 'to', 'is in the future'],
    ['more slots than the limit', { from: at('2026-11-23T00:00:00Z'), limit: 5 }, 'limit', 'has 12 slots'],
    ['a range older than the retention', { from: at('2026-10-01T00:00:00Z') }, 'from', 'older than the 30 days'],
  ] as const)('refuses %s before any write', async (_, override, field, message) => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('hourly').hourly();
    const store = new MemoryStore();
    const request = { task: 'hourly', from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T11:00:00Z'), ...override };

    const error = await backfill(context(schedule, store), request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidBackfillError);
    expect(error).toMatchObject({ code: 'INVALID_BACKFILL', field });
    expect((error as Error).message).toContain(message);
    expect(await store.getRun('hourly', '2026-11-23T10:00:00.000Z')).toBeUndefined();
  });

  it('refuses a paused task, dry run included, and a fan-out task without a dispatcher', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('hourly').hourly();
    schedule.call(() => {}).name('remote').hourly().runInBackground();
    const store = new MemoryStore();
    await store.pause({ task: 'hourly', note: 'migrating', pausedAt: NOW });
    const range = { from: at('2026-11-23T10:00:00Z'), to: at('2026-11-23T11:00:00Z') };

    await expect(backfill(context(schedule, store), { task: 'hourly', ...range })).rejects.toThrow(/is paused \("migrating"\): resume it/);
    await expect(backfill(context(schedule, store), { task: 'hourly', ...range, dryRun: true })).rejects.toThrow(InvalidBackfillError);
    await expect(backfill(context(schedule, store), { task: 'remote', ...range })).rejects.toMatchObject({ field: 'dispatcher' });
    expect(await store.getRun('hourly', '2026-11-23T10:00:00.000Z')).toBeUndefined();
    expect(await store.getRun('remote', '2026-11-23T10:00:00.000Z')).toBeUndefined();
  });
});
