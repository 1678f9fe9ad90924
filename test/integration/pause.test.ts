import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, run } from './cli.js';

describe('npm run schedule:pause / schedule:resume', () => {
  it('pauses and resumes a task in the stage\'s table', async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const store = new DynamoDbStore({ tableName: 'tickwork-pausetest', client, deployment: 'pausetest' });
    await store.ensureTable();
    const env = offlineEnv({ DYNAMODB_ENDPOINT: endpoint });
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/pause.ts', '--stage', 'pausetest', ...args], env, 30_000);

    const paused = await cli('--task', 'reports:daily', '--note', 'bad upstream data');
    expect(paused.output).toContain('paused task "reports:daily" (pausetest): bad upstream data');
    expect((await store.pauses()).tasks.get('reports:daily')?.note).toBe('bad upstream data');

    expect((await cli('--resume', '--task', 'reports:daily')).output).toContain('resumed task "reports:daily" (pausetest)');
    expect((await store.pauses()).tasks.size).toBe(0);

    const noNote = await cli();
    expect(noNote.code).toBe(1);
    expect(noNote.output).toContain('schedule:pause needs --note');
    client.destroy();
  });
});
