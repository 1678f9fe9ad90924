import { DescribeTableCommand, DescribeTimeToLiveCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { StoreError } from '../../src/errors.js';
import { freshTable, useLocalStore } from './dynamo.js';

const slot = '2026-11-23T10:05:00.000Z';

describe('DynamoDbStore on DynamoDB Local', () => {
  const local = useLocalStore();

  it('ensureTable creates the table from infra/table.json with TTL, and is idempotent', async () => {
    const tableName = `ensure-${Date.now()}`;
    const own = new DynamoDbStore({ tableName, client: local.client });
    await Promise.all([own.ensureTable(), own.ensureTable()]);
    await own.ensureTable();
    const { Table } = await local.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const ttl = await local.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'purgeAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('lets exactly one of many concurrent claims of a slot win, and reports the winner to the losers', async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => local.store.claimSlot({ task: 'race', slot, owner: `tick-${i}`, claimedAt: 1_000 + i })),
    );
    const winners = results.flatMap((r, i) => (r.claimed ? [`tick-${i}`] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (!r.claimed) expect(r.holder).toMatchObject({ owner: winners[0], status: 'running' });
    }
    expect(await local.store.getRun('race', slot)).toMatchObject({ task: 'race', slot, owner: winners[0], status: 'running' });
  });

  it('records an outcome only for the claim owner', async () => {
    await local.store.claimSlot({ task: 'outcome', slot, owner: 'owner', claimedAt: 1 });
    expect(await local.store.completeRun({ task: 'outcome', slot, owner: 'intruder', status: 'succeeded', finishedAt: 2 })).toBe(false);
    expect(await local.store.completeRun({ task: 'outcome', slot, owner: 'owner', status: 'failed', finishedAt: 3, durationMs: 2, error: 'Error: x' })).toBe(true);
    expect(await local.store.getRun('outcome', slot)).toEqual({
      task: 'outcome', slot, owner: 'owner', status: 'failed', claimedAt: 1, finishedAt: 3, durationMs: 2, error: 'Error: x',
    });
    expect(await local.store.completeRun({ task: 'outcome', slot: 'never-claimed', owner: 'owner', status: 'succeeded', finishedAt: 3 })).toBe(false);
  });

  it('keeps a lease until it expires, judging expiry by the condition, not by TTL', async () => {
    const first = await local.store.acquireLease({ task: 'lease', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
    expect(first).toEqual({ acquired: true, fence: 1 });
    expect(await local.store.acquireLease({ task: 'lease', owner: 'b', slot: 's2', now: 4_999, expiresAt: 9_000 }))
      .toEqual({ acquired: false, holder: { owner: 'a', slot: 's1', expiresAt: 5_000 } });
    // Past the holder's deadline the lease is free, though the item is still there.
    expect(await local.store.acquireLease({ task: 'lease', owner: 'b', slot: 's2', now: 5_001, expiresAt: 9_000 })).toEqual({ acquired: true, fence: 2 });
    // The stale owner can no longer release what it lost.
    expect(await local.store.releaseLease('lease', 'a')).toBe(false);
    expect(await local.store.releaseLease('lease', 'b')).toBe(true);
    expect(await local.store.acquireLease({ task: 'lease', owner: 'c', slot: 's3', now: 5_002, expiresAt: 9_000 })).toEqual({ acquired: true, fence: 3 });
    expect(await local.store.releaseLease('lease', 'c')).toBe(true);
    expect(await local.store.releaseLease('lease', 'c')).toBe(false); // released once only
  });

  it('hands out strictly increasing fence tokens when many race for a lease, one winner per round', async () => {
    const fences: number[] = [];
    for (let round = 0; round < 5; round++) {
      const now = 10_000 + round * 1_000;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => local.store.acquireLease({ task: 'fenced', owner: `r${round}-${i}`, slot: `s${round}`, now, expiresAt: now + 500 })),
      );
      const won = results.filter((r) => r.acquired);
      expect(won).toHaveLength(1);
      fences.push(won[0]?.acquired ? won[0].fence : -1);
    }
    expect(fences).toEqual([1, 2, 3, 4, 5]);
  });

  it('moves the last tick only forward, and reads it back consistently', async () => {
    const { store } = await freshTable(local.client);
    expect(await store.lastTick()).toBeUndefined();
    expect(await store.advanceTick(2_000)).toBe(true);
    expect(await store.advanceTick(1_000)).toBe(false); // a late tick for an older minute
    expect(await store.advanceTick(2_000)).toBe(false); // a duplicate
    expect(await store.lastTick()).toBe(2_000);
    const raced = await Promise.all([3_000, 5_000, 4_000].map((m) => store.advanceTick(m)));
    expect(raced.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await store.lastTick()).toBe(5_000);
  });

  it('records missed slots once per task, first slot and reason', async () => {
    const { store, tableName } = await freshTable(local.client);
    const missed = { task: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:00.000Z', count: 2, reason: 'coalesced', tick: '2026-11-23T10:04:00.000Z' };
    await store.recordMissed(missed);
    await store.recordMissed({ ...missed, count: 99, tick: '2026-11-23T10:05:00.000Z' }); // a duplicate tick
    const { Items } = await local.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    expect(Items).toHaveLength(1);
    expect(Items?.[0]).toMatchObject({ status: { S: 'missed' }, count: { N: '2' }, reason: { S: 'coalesced' } });
  });

  it('keeps deployments apart in one table', async () => {
    const tableName = `shared-${Date.now()}`;
    const blue = new DynamoDbStore({ tableName, client: local.client, deployment: 'blue' });
    const green = new DynamoDbStore({ tableName, client: local.client, deployment: 'green' });
    await blue.ensureTable();
    expect((await blue.claimSlot({ task: 't', slot, owner: 'b', claimedAt: 1 })).claimed).toBe(true);
    expect((await green.claimSlot({ task: 't', slot, owner: 'g', claimedAt: 1 })).claimed).toBe(true);
  });

  it('turns an unreachable table into a StoreError naming the table', async () => {
    const missing = new DynamoDbStore({ tableName: 'does-not-exist', client: local.client });
    await expect(missing.claimSlot({ task: 't', slot, owner: 'o', claimedAt: 1 })).rejects.toThrow(StoreError);
    await expect(missing.claimSlot({ task: 't', slot, owner: 'o', claimedAt: 1 })).rejects.toThrow(
      /DynamoDB table "does-not-exist": could not claim t @ 2026-11-23T10:05:00.000Z \(ResourceNotFoundException/,
    );
  });
});
