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

  it('keeps a record about an old slot for the retention from when it is written: it is not born expired', async () => {
    const { store, tableName } = await freshTable(local.client);
    const old = '2026-03-08T07:00:00.000Z'; // more than the 30-day retention ago
    await store.claimSlot({ task: 't', slot: old, owner: 'o', claimedAt: Date.parse(old) });
    await store.recordMissed({ task: 't', from: old, to: old, count: 1, reason: 'coalesced', tick: old });
    await store.advanceTick(Date.parse(old));
    await store.advanceTick(Date.parse(old) + 5 * 60_000); // a gap: writes its covered range
    const { Items = [] } = await local.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    const expiring = Items.filter((item) => item.purgeAt !== undefined);
    expect(expiring.map((item) => item.sk?.S?.split('#')[0]).sort()).toEqual(['covered', 'missed', 'run']);
    const floor = (Date.now() + 29 * 24 * 3_600_000) / 1000;
    for (const item of expiring) expect(Number(item.purgeAt?.N), item.sk?.S).toBeGreaterThan(floor);
  });

  it('refuses a retention shorter than a late tick may arrive', () => {
    expect(() => new DynamoDbStore({ tableName: 'any', client: local.client, retentionDays: 1 })).toThrow(/retentionDays to be a whole number ≥ 2 \(a tick may arrive up to a day late\), got 1/);
  });

  it('records missed slots once per task, first slot and reason', async () => {
    const { store, tableName } = await freshTable(local.client);
    const missed = { task: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:00.000Z', count: 2, reason: 'coalesced' as const, tick: '2026-11-23T10:04:00.000Z' };
    await store.recordMissed(missed);
    await store.recordMissed({ ...missed, count: 99, tick: '2026-11-23T10:05:00.000Z' }); // a duplicate tick
    const { Items } = await local.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    expect(Items).toHaveLength(1);
    expect(Items?.[0]).toMatchObject({ status: { S: 'missed' }, count: { N: '2' }, reason: { S: 'coalesced' } });
  });

  it('turns an unreachable table into a StoreError naming the table', async () => {
    const missing = new DynamoDbStore({ tableName: 'does-not-exist', client: local.client });
    await expect(missing.claimSlot({ task: 't', slot, owner: 'o', claimedAt: 1 })).rejects.toThrow(StoreError);
    await expect(missing.claimSlot({ task: 't', slot, owner: 'o', claimedAt: 1 })).rejects.toThrow(
      /DynamoDB table "does-not-exist": could not claim t @ 2026-11-23T10:05:00.000Z \(ResourceNotFoundException/,
    );
  });
});
