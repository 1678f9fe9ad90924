import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, run } from './cli.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';

describe('tickwork dispatch (npm run schedule:dispatch)', () => {
  it('queues a one-off run of a kernel task, with its payload, in the stage\'s table', async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const store = new DynamoDbStore({ tableName: 'tickwork-dispatchtest', client, deployment: 'dispatchtest' });
    await store.ensureTable();
    const env = offlineEnv({ DYNAMODB_ENDPOINT: endpoint });
    const cli = (...args: string[]) => run(process.execPath, [TICKWORK, 'dispatch', '--stage', 'dispatchtest', ...args], env, 30_000);

    const before = Date.now();
    const queued = await cli('invoices:export', '--after', '5m', '--payload', '{"customer":42}');
    expect(queued.code, queued.output).toBe(0);
    expect(queued.output).toMatch(/queued invoices:export for \S+Z \(dispatchtest\), slot \S+Z#[0-9a-f-]{36}/);
    const [run1, ...others] = await store.dueRuns(Date.now() + 3_600_000, 10);
    expect(others).toEqual([]);
    expect(run1).toMatchObject({ task: 'invoices:export', attempt: 0, payload: '{"customer":42}' });
    expect(run1!.at - before).toBeGreaterThanOrEqual(300_000);
    expect(await store.dueRuns(Date.now(), 10)).toEqual([]); // not due yet

    const inAnHour = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000).toISOString();
    const at = await cli('reports:daily', '--at', inAnHour);
    expect(at.output).toContain(`queued reports:daily for ${inAnHour} (dispatchtest)`);
    // A time typed as "now" is a few seconds old when it arrives: within a minute, it is taken.
    const justNow = await cli('heartbeat', '--at', new Date(Date.now() - 20_000).toISOString());
    expect(justNow.code, justNow.output).toBe(0);

    for (const [args, message] of [
      [['nope'], 'error: unknown task "nope": the kernel has "heartbeat", '],
      [['reports:daily', '--after', 'soon'], 'error: --after expects a duration ≥ 0 such as 90s, 5m or 2h, got "soon"'],
      [['reports:daily', '--after', '-5m'], 'error: --after expects a duration ≥ 0 such as 90s, 5m or 2h, got "-5m"'],
      [['reports:daily', '--at', '2026-11-23T10:00:00Z'], 'error: --at expects a time from a minute ago on (the first tick from it runs the task), got 2026-11-23T10:00:00.000Z, '],
      [['reports:daily', '--at', new Date(Date.now() - 5 * 60_000).toISOString()], ' ago: to run past slots use tickwork backfill'],
      [['reports:daily', '--at', 'tomorrow'], 'error: --at expects an ISO-8601 time'],
      [['reports:daily', '--after', '5m', '--at', '2026-11-23T10:00:00Z'], "error: option '--after <duration>' cannot be used with option '--at <time>'"],
      [['reports:daily', '--payload', '{bad'], 'error: --payload must be JSON'],
      [['reports:daily', '--at', '+010000-01-01T00:00:00Z'], 'error: dispatch at: expected a date before 10000-01-01'],
      [[], "error: missing required argument 'task'"],
      [['reports:daily', 'heartbeat'], "error: too many arguments for 'dispatch'"],
    ] as const) {
      const refused = await cli(...args);
      expect(refused.code, refused.output).toBe(2);
      expect(refused.output.split('\n').filter(Boolean)).toHaveLength(1);
      expect(refused.output).toContain(message);
    }
    expect(await store.dueRuns(Date.now() + 2 * 3_600_000, 10)).toHaveLength(3);
    client.destroy();
  });
});
