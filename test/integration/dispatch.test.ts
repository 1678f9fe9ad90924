import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, run } from './cli.js';

describe('npm run schedule:dispatch', () => {
  it('queues a one-off run of a kernel task, with its payload, in the stage\'s table', async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const store = new DynamoDbStore({ tableName: 'tickwork-dispatchtest', client, deployment: 'dispatchtest' });
    await store.ensureTable();
    const env = offlineEnv({ DYNAMODB_ENDPOINT: endpoint });
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/dispatch.ts', '--stage', 'dispatchtest', ...args], env, 30_000);

    const before = Date.now();
    const queued = await cli('invoices:export', '--after', '5m', '--payload', '{"customer":42}');
    expect(queued.code, queued.output).toBe(0);
    expect(queued.output).toMatch(/queued invoices:export for \S+Z \(dispatchtest\), slot \S+Z#[0-9a-f-]{36}/);
    const [run1, ...others] = await store.dueRuns(Date.now() + 3_600_000, 10);
    expect(others).toEqual([]);
    expect(run1).toMatchObject({ task: 'invoices:export', attempt: 0, payload: '{"customer":42}' });
    expect(run1!.at - before).toBeGreaterThanOrEqual(300_000);
    expect(await store.dueRuns(Date.now(), 10)).toEqual([]); // not due yet

    const at = await cli('reports:daily', '--at', '2026-11-23T10:00:00Z');
    expect(at.output).toContain('queued reports:daily for 2026-11-23T10:00:00.000Z (dispatchtest)');

    for (const [args, message] of [
      [['nope'], 'InvalidDispatchError: dispatch name: expected the name of a task in the kernel'],
      [['reports:daily', '--after', 'soon'], '--after expects a duration such as 90s, 5m or 2h, got "soon"'],
      [['reports:daily', '--payload', '{bad'], '--payload must be JSON'],
      [[], 'schedule:dispatch needs exactly one task name, got none'],
    ] as const) {
      const refused = await cli(...args);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(message);
    }
    expect(await store.dueRuns(Date.now() + 3_600_000, 10)).toHaveLength(2);
    client.destroy();
  });
});
