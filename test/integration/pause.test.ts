import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, run } from './cli.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';

describe('tickwork pause / resume (npm run schedule:pause / schedule:resume)', () => {
  it('pauses and resumes a task in the stage\'s table', async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const store = new DynamoDbStore({ tableName: 'tickwork-pausetest', client, deployment: 'pausetest' });
    await store.ensureTable();
    const env = offlineEnv({ DYNAMODB_ENDPOINT: endpoint });
    const cli = (command: string, ...args: string[]) => run(process.execPath, [TICKWORK, command, '--stage', 'pausetest', ...args], env, 30_000);

    const paused = await cli('pause', '--task', 'reports:daily', '--note', 'bad upstream data');
    expect(paused.code, paused.output).toBe(0);
    expect(paused.output).toContain('paused task "reports:daily" (pausetest): bad upstream data');
    expect((await store.pauses()).tasks.get('reports:daily')?.note).toBe('bad upstream data');

    const resumed = await cli('resume', '--task', 'reports:daily', '--note', 'upstream fixed');
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain('resumed task "reports:daily" (pausetest): upstream fixed\n');
    expect((await store.pauses()).tasks.size).toBe(0);
    expect((await cli('schedule:resume', '--task', 'reports:daily')).output).toContain('task "reports:daily" was not paused (pausetest)');

    const scheduler = await cli('schedule:pause', '--note', 'maintenance');
    expect(scheduler.output).toContain('paused the scheduler (pausetest): maintenance');
    expect((await store.pauses()).all?.note).toBe('maintenance');
    expect((await cli('resume')).output).toContain('resumed the scheduler (pausetest)');

    for (const [args, message] of [
      [['pause'], 'error: pause needs --note "why" (shown in every skipped slot\'s log line)'],
      [['pause', '--task', 'reports:dayly', '--note', 'typo'], 'error: unknown task "reports:dayly": the kernel has '],
      [['pause', '--note'], "error: option '--note <text>' argument missing"],
    ] as const) {
      const refused = await cli(...(args as unknown as [string, ...string[]]));
      expect(refused.code, refused.output).toBe(2);
      expect(refused.output.split('\n').filter(Boolean)).toHaveLength(1);
      expect(refused.output).toContain(message);
    }
    expect((await store.pauses()).tasks.size).toBe(0);

    // A stage whose table does not exist yet on a local endpoint: created, as `tickwork start` would (never on AWS:
    // see reachability.test.ts).
    const stage = `nosuchstage${Date.now()}`;
    const noTable = await run(process.execPath, [TICKWORK, 'pause', '--stage', stage, '--note', 'x'], env, 30_000);
    expect(noTable.code, noTable.output).toBe(0);
    expect((await new DynamoDbStore({ tableName: `tickwork-${stage}`, client, deployment: stage }).pauses()).all).toMatchObject({ note: 'x' });
    client.destroy();
  });
});
