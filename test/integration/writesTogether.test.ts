import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOGETHER_MAX, TOGETHER_MIN } from '../../src/store/writesTogether.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { faultyClient } from './faults.js';

/**
 * docs/design.md "Performance": the claims and outcomes a tick writes at the same moment go out together,
 * as TransactWriteItems, and each is answered exactly as its own request would be — on DynamoDB Local,
 * with rivals, lost replies and a transaction that never gets through.
 */
describe('claims and outcomes written together, on DynamoDB Local', () => {
  const sent: string[] = [];
  /** Loses the reply of every transaction while set (DynamoDB Local applied it; the client hears a reset). */
  let loseTransactions = 0;
  /** Refuses every transaction while set, as DynamoDB does past every retry when throttling. */
  let throttleTransactions = false;
  const client = faultyClient({
    rates: { throttle: 0, serverError: 0, lostReply: 0, slow: 0 },
    random: () => 1,
    active: () => false,
    counts: { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 },
    beforeSend: async (command) => {
      sent.push(command);
      if (throttleTransactions && command === 'TransactWriteItemsCommand') {
        throw new ProvisionedThroughputExceededException({ message: 'injected: throughput exceeded', $metadata: { httpStatusCode: 400 } });
      }
    },
    loseReply: (command) => {
      if (command !== 'TransactWriteItemsCommand' || loseTransactions === 0) return false;
      loseTransactions--;
      return true;
    },
  });
  afterAll(() => client.destroy());
  let store: DynamoDbStore;
  beforeEach(async () => {
    sent.length = 0;
    loseTransactions = 0;
    throttleTransactions = false;
    store = new DynamoDbStore({ tableName: `together-${randomUUID()}`, client });
    await store.ensureTable();
    sent.length = 0;
  });
  const slot = '2026-11-23T10:05:00.000Z';
  const tasks = (count: number) => Array.from({ length: count }, (_, i) => `task-${String(i).padStart(2, '0')}`);
  const claimAll = (names: readonly string[], owner = 'tick') => Promise.all(names.map((task) => store.claimSlot({ task, slot, owner, claimedAt: 1 })));
  const count = (command: string) => sent.filter((c) => c === command).length;

  it(`fewer than ${TOGETHER_MIN} claims at once go one request each (a transaction costs two write units a write)`, async () => {
    expect(await claimAll(tasks(TOGETHER_MIN - 1))).toEqual(tasks(TOGETHER_MIN - 1).map(() => ({ claimed: true })));
    expect({ puts: count('PutItemCommand'), transactions: count('TransactWriteItemsCommand') }).toEqual({ puts: TOGETHER_MIN - 1, transactions: 0 });
  });

  it(`a busy minute's claims go in transactions of at most ${TOGETHER_MAX}, split evenly`, async () => {
    const names = tasks(60);
    expect(await claimAll(names)).toEqual(names.map(() => ({ claimed: true })));
    expect({ puts: count('PutItemCommand'), transactions: count('TransactWriteItemsCommand') }).toEqual({ puts: 0, transactions: 3 });
    expect(await store.claimSlot({ task: 'task-59', slot, owner: 'rival', claimedAt: 2 })).toMatchObject({ claimed: false, holder: { owner: 'tick' } });
  });

  it('slots a rival holds are answered with the holder; the others are claimed on their own after the cancelled transaction', async () => {
    const names = tasks(20);
    await Promise.all(names.slice(0, 3).map((task) => store.claimSlot({ task, slot, owner: 'rival', claimedAt: 0 })));
    sent.length = 0;
    const results = await claimAll(names);
    expect(results.slice(0, 3)).toEqual(names.slice(0, 3).map(() => expect.objectContaining({ claimed: false, holder: expect.objectContaining({ owner: 'rival' }) })));
    expect(results.slice(3)).toEqual(names.slice(3).map(() => ({ claimed: true })));
    expect({ transactions: count('TransactWriteItemsCommand'), puts: count('PutItemCommand') }).toEqual({ transactions: 1, puts: 17 });
  });

  it('a transaction whose reply is lost: the SDK sends it again, and every claim in it is the claimer\'s', async () => {
    loseTransactions = 1;
    const names = tasks(12);
    expect(await claimAll(names)).toEqual(names.map(() => ({ claimed: true })));
    expect(loseTransactions).toBe(0);
    for (const task of names) expect(await store.getRun(task, slot)).toMatchObject({ owner: 'tick', status: 'running' });
  });

  it('a transaction that landed but whose every reply was lost: each claim goes again alone with its token, and is found to be the claimer\'s own', async () => {
    loseTransactions = Number.POSITIVE_INFINITY;
    const names = tasks(12);
    expect(await claimAll(names)).toEqual(names.map(() => ({ claimed: true })));
    expect(count('PutItemCommand')).toBe(12);
    expect(await store.claimSlot({ task: 'task-00', slot, owner: 'rival', claimedAt: 2 })).toMatchObject({ claimed: false, holder: { owner: 'tick' } });
  });

  it('a transaction throttled past every retry: each claim goes alone, and one a rival holds stays the rival\'s', async () => {
    await store.claimSlot({ task: 'task-05', slot, owner: 'rival', claimedAt: 0 });
    throttleTransactions = true;
    const names = tasks(10);
    const results = await claimAll(names);
    expect(results[5]).toMatchObject({ claimed: false, holder: { owner: 'rival' } });
    expect(results.filter((r) => r.claimed)).toHaveLength(9);
  });

  it('writes still go out under a test\'s fake timers (the next turn is Node\'s own setImmediate)', async () => {
    vi.useFakeTimers();
    try {
      expect(await claimAll(tasks(9))).toEqual(tasks(9).map(() => ({ claimed: true })));
    } finally {
      vi.useRealTimers();
    }
  });

  it('outcomes recorded together: each written over its own claim, and one whose owner is not the claimer is refused alone', async () => {
    const names = tasks(10);
    await claimAll(names);
    sent.length = 0;
    const written = await Promise.all(
      names.map((task, i) => store.completeRun({ task, slot, owner: i === 4 ? 'someone-else' : 'tick', status: 'succeeded', finishedAt: 5, startedAt: 2 })),
    );
    expect(written).toEqual(names.map((_, i) => i !== 4));
    expect(count('TransactWriteItemsCommand')).toBe(1);
    expect(await store.getRun('task-04', slot)).toMatchObject({ status: 'running' });
    expect(await store.getRun('task-05', slot)).toMatchObject({ status: 'succeeded', finishedAt: 5 });
  });
});
