import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { faultyClient } from './faults.js';

/**
 * docs/design.md "Every write is safe to retry": each conditional write, its first reply lost after DynamoDB
 * Local applied it. The SDK retries the same request, which now fails its condition against the
 * write it made itself; the store must report the write's success, not a rival's claim.
 */
describe('a reply lost after the write succeeded, for every conditional write, on DynamoDB Local', () => {
  let armed: string | undefined;
  /** Another writer's turn, between the armed write and the SDK's retry of it. */
  let between: (() => Promise<unknown>) | undefined;
  /** Transactions still to be cancelled by an (injected) conflict with another writer. */
  let conflicts = 0;
  /** Another writer's turn, before the first write of a catch-up range is sent. */
  let beforeRange: (() => Promise<unknown>) | undefined;
  const client = faultyClient({
    rates: { throttle: 0, serverError: 0, lostReply: 0, slow: 0 },
    random: () => 1,
    active: () => false,
    counts: { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 },
    // The next request of the armed command loses its reply, once.
    // The first request that writes a catch-up range waits for another writer's turn, once.
    beforeSend: async (command, input) => {
      if (conflicts > 0 && command === 'TransactWriteItemsCommand') {
        conflicts--;
        throw new TransactionCanceledException({ message: 'injected: transaction conflict', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
      }
      if (beforeRange === undefined || !JSON.stringify(input).includes('covered#')) return;
      const turn = beforeRange;
      beforeRange = undefined;
      await turn();
    },
    loseReply: (command) => {
      if (command !== armed) return false;
      armed = undefined;
      const turn = between;
      between = undefined;
      return turn ?? true;
    },
  });
  afterAll(() => client.destroy());
  let store: DynamoDbStore;
  beforeEach(async () => {
    armed = undefined;
    between = undefined;
    beforeRange = undefined;
    conflicts = 0;
    store = new DynamoDbStore({ tableName: `lost-${randomUUID()}`, client });
    await store.ensureTable();
  });
  const slot = '2026-11-23T10:05:00.000Z';
  const losing = async <T>(command: string, write: () => Promise<T>): Promise<T> => {
    armed = command;
    const result = await write();
    expect(armed, `${command} was sent`).toBeUndefined();
    return result;
  };

  it('claim: the slot is the claimer\'s, and runs', async () => {
    expect(await losing('PutItemCommand', () => store.claimSlot({ task: 't', slot, owner: 'tick', claimedAt: 1 }))).toEqual({ claimed: true });
    expect(await store.claimSlot({ task: 't', slot, owner: 'rival', claimedAt: 2 })).toMatchObject({ claimed: false, holder: { owner: 'tick' } });
  });

  it('lease acquire: acquired with its fence, and the run it supersedes still reported', async () => {
    await store.acquireLease({ task: 'l', owner: 'dead', slot: 's0', now: 1_000, expiresAt: 2_000 });
    await store.bufferBehindLease({ task: 'l', slot: 's1', owner: 'tick-1', now: 1_500 });
    expect(await losing('UpdateItemCommand', () => store.acquireLease({ task: 'l', owner: 'a', slot: 's2', now: 3_000, expiresAt: 9_000 })))
      .toEqual({ acquired: true, fence: 2, superseded: { slot: 's1', owner: 'tick-1' }, lapsed: { slot: 's0', owner: 'dead' } });
  });

  it('lease extend and release: done, and the waiting run handed back', async () => {
    await store.acquireLease({ task: 'l', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
    await store.bufferBehindLease({ task: 'l', slot: 's2', owner: 'tick-2', now: 2_000 });
    expect(await losing('UpdateItemCommand', () => store.extendLease({ task: 'l', owner: 'a', now: 3_000, expiresAt: 8_000 }))).toEqual({ extended: true, pending: { slot: 's2', owner: 'tick-2' } });
    expect(await losing('UpdateItemCommand', () => store.releaseLeaseTakingPending('l', 'a'))).toEqual({ released: true, pending: { slot: 's2', owner: 'tick-2' } });
  });

  it('buffer behind a lease: buffered', async () => {
    await store.acquireLease({ task: 'l', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
    expect(await losing('UpdateItemCommand', () => store.bufferBehindLease({ task: 'l', slot: 's2', owner: 'tick-2', now: 2_000 }))).toEqual({ buffered: true });
  });

  it('buffer, when the holder takes the buffered run before the retry: buffered once, never handed back twice', async () => {
    await store.acquireLease({ task: 'l', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
    between = async () => {
      expect(await store.releaseLeaseTakingPending('l', 'a')).toEqual({ released: true, pending: { slot: 's2', owner: 'tick-2' } });
      await store.acquireLease({ task: 'l', owner: 'a', slot: 's2', now: 2_100, expiresAt: 5_000 });
    };
    expect(await losing('UpdateItemCommand', () => store.bufferBehindLease({ task: 'l', slot: 's2', owner: 'tick-2', now: 2_000 }))).toEqual({ buffered: true });
    expect(await store.releaseLeaseTakingPending('l', 'a')).toEqual({ released: true, pending: undefined });
  });

  it('release, when another run takes the lease before the retry: released, and the waiting run still handed back', async () => {
    await store.acquireLease({ task: 'l', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
    await store.bufferBehindLease({ task: 'l', slot: 's2', owner: 'tick-2', now: 2_000 });
    between = () => store.acquireLease({ task: 'l', owner: 'c', slot: 's3', now: 3_000, expiresAt: 9_000 });
    expect(await losing('UpdateItemCommand', () => store.releaseLeaseTakingPending('l', 'a'))).toEqual({ released: true, pending: { slot: 's2', owner: 'tick-2' } });
  });

  it('worker start: started, attempt 1', async () => {
    await store.claimSlot({ task: 'f', slot, owner: 'tick', claimedAt: 1, dispatch: true });
    expect(await losing('UpdateItemCommand', () => store.startRun({ task: 'f', slot, owner: 'tick', worker: 'w', startedAt: 2, retries: 0 }))).toEqual({ started: true, attempt: 1 });
  });

  it('outcome, including one that only applies from an expected status: recorded', async () => {
    await store.claimSlot({ task: 'f', slot, owner: 'tick', claimedAt: 1, dispatch: true });
    expect(await losing('UpdateItemCommand', () => store.completeRun({ task: 'f', slot, owner: 'tick', status: 'skipped', reason: 'undispatched', finishedAt: 2, ifStatus: 'dispatched' }))).toBe(true);
    expect(await store.getRun('f', slot)).toMatchObject({ status: 'skipped', reason: 'undispatched' });
  });

  it('release on undispatch: released and queued once', async () => {
    await store.claimSlot({ task: 'f', slot, owner: 'tick', claimedAt: 1, dispatch: true });
    const retry = { id: 'r', task: 'f', slot, at: 1_000, attempt: 1, enqueuedAt: 1_000 };
    expect(await losing('TransactWriteItemsCommand', () => store.releaseDispatch({ task: 'f', slot, owner: 'tick', onOneServer: false, retry }))).toBe(true);
    expect(await store.getRun('f', slot)).toBeUndefined();
    expect(await store.dueRuns(5_000, 10)).toEqual([retry]);
  });

  it('release on undispatch with its lease: released, queued once, the lease free', async () => {
    await store.claimSlot({ task: 'f', slot, owner: 'tick', claimedAt: 1, dispatch: true });
    await store.acquireLease({ task: 'f', owner: 'tick', slot, now: 1_000, expiresAt: 400_000 });
    const retry = { id: 'r', task: 'f', slot, at: 1_000, attempt: 1, enqueuedAt: 1_000 };
    expect(await losing('TransactWriteItemsCommand', () => store.releaseDispatch({ task: 'f', slot, owner: 'tick', onOneServer: false, retry, releaseLease: true }))).toBe(true);
    expect(await store.getRun('f', slot)).toBeUndefined();
    expect(await store.dueRuns(5_000, 10)).toEqual([retry]);
    expect((await store.lease('f'))?.owner).toBeUndefined();
  });

  it('enqueue and dequeue: queued, then gone', async () => {
    const run = { id: 'q', task: 't', slot: `${slot}#q`, at: 1_000, attempt: 0, enqueuedAt: 1 };
    // One transaction: the run and the queue's mark on the tick state.
    expect(await losing('TransactWriteItemsCommand', () => store.enqueue(run))).toBe(true);
    expect((await store.beginTick(60_000)).queue).toMatchObject({ earliest: 1_000 });
    expect(await losing('DeleteItemCommand', () => store.dequeue(run))).toBe(true);
    expect(await store.dueRuns(5_000, 10)).toEqual([]);
  });

  it('resume: the pause is lifted, and said to be, not "was not paused"', async () => {
    await store.pause({ note: 'migrating', pausedAt: 1 });
    await store.pause({ task: 'reports:daily', note: 'vendor down', pausedAt: 2 });
    expect(await losing('UpdateItemCommand', () => store.resume())).toBe(true);
    expect(await losing('UpdateItemCommand', () => store.resume('reports:daily'))).toBe(true);
    expect(await store.pauses()).toEqual({ all: undefined, tasks: new Map() });
    expect(await store.resume(), 'nothing left to lift').toBe(false);
    expect(await store.resume('reports:daily')).toBe(false);
  });

  it('resume of a task whose name is long and not ASCII: its token names an attribute DynamoDB takes', async () => {
    const task = `rapports:${'🗓️'.repeat(150)}`;
    await store.pause({ task, note: 'vendor down', pausedAt: 2 });
    expect(await losing('UpdateItemCommand', () => store.resume(task))).toBe(true);
    expect((await store.pauses()).tasks.size).toBe(0);
  });

  it('resume, when another pause is lifted between the write and the retry: still said to be lifted', async () => {
    await store.pause({ note: 'migrating', pausedAt: 1 });
    await store.pause({ task: 'reports:daily', note: 'vendor down', pausedAt: 2 });
    between = async () => expect(await store.resume('reports:daily')).toBe(true);
    expect(await losing('UpdateItemCommand', () => store.resume())).toBe(true);
    expect(await store.pauses()).toEqual({ all: undefined, tasks: new Map() });
  });

  it('tick advance: the tick still decides its minutes', async () => {
    await store.advanceTick(60_000);
    expect(await losing('UpdateItemCommand', () => store.advanceTick(120_000))).toEqual({ decides: true, from: 60_000 });
  });

  it('tick advance over a gap: the tick still decides the whole gap, and a late tick inside it nothing', async () => {
    await store.advanceTick(60_000);
    expect(await losing('TransactWriteItemsCommand', () => store.advanceTick(300_000))).toEqual({ decides: true, from: 60_000 });
    expect(await store.advanceTick(180_000)).toEqual({ decides: false, lastTick: 300_000 });
  });

  it('tick advance over a gap, when a late tick inside the gap arrives after the write and before its reply: the late tick decides nothing', async () => {
    await store.advanceTick(60_000);
    let late: Promise<unknown> | undefined;
    between = () => (late = store.advanceTick(180_000));
    armed = 'TransactWriteItemsCommand';
    expect(await store.advanceTick(300_000)).toEqual({ decides: true, from: 60_000 });
    expect(await late).toEqual({ decides: false, lastTick: 300_000 });
  });

  it('tick advance over a gap, when a late tick inside the gap arrives before the range is written: no minute decided twice', async () => {
    await store.advanceTick(60_000);
    let late: Promise<unknown> | undefined;
    beforeRange = () => (late = store.advanceTick(180_000));
    const closing = await store.advanceTick(300_000);
    expect(late, 'the late tick had its turn').toBeDefined();
    // The late tick closes its own gap (1, 3]; the other then decides (3, 5]: the ranges do not overlap.
    expect(await late).toEqual({ decides: true, from: 60_000 });
    expect(closing).toEqual({ decides: true, from: 180_000 });
  });

  it('a transaction cancelled by a conflict with another writer is sent again, and goes through', async () => {
    await store.advanceTick(60_000);
    conflicts = 2;
    expect(await store.advanceTick(300_000)).toEqual({ decides: true, from: 60_000 });
    expect(conflicts).toBe(0);
    expect(await store.advanceTick(180_000)).toEqual({ decides: false, lastTick: 300_000 });
  });
});
