import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, root } from './cli.js';
import { localClient } from './dynamo.js';

const TICKWORK = join(root, 'dist/src/cli/main.js');
const KERNEL = 'test/fixtures/work-kernel.ts';

describe('tickwork work: a second Ctrl-C abandons the runs still going', () => {
  const client = localClient();
  afterAll(() => client.destroy());

  it('records the sleeping run failed (abandoned), frees its lease and exits 130', async () => {
    const tableName = `test-work-${randomUUID()}`;
    const env = offlineEnv({ TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
    const child = spawn(process.execPath, [TICKWORK, 'work', '--now', '--endpoint', inject('dynamoEndpoint'), '--table', tableName, '--deployment', 'work'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waitFor = (pattern: RegExp, stream: () => string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (pattern.test(stream())) {
            clearInterval(timer);
            resolve();
          }
        }, 50);
        child.once('exit', () => {
          clearInterval(timer);
          if (pattern.test(stream())) resolve();
          else reject(new Error(`work exited before ${String(pattern)}:\n${stdout}${stderr}`));
        });
      });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(/sleeper started/, () => stdout);
      child.kill('SIGINT');
      await waitFor(/stopping: waiting for 1 running tick\(s\)/, () => stderr);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }

    expect(stderr).toContain('abandoning 1 run(s) still going');
    const slot = /abandoned sleeper @ (\S+)/.exec(stderr)?.[1];
    expect(slot, stderr).toBeDefined();
    const store = new DynamoDbStore({ tableName, client, deployment: 'work' });
    expect(await store.getRun('sleeper', slot!)).toMatchObject({ status: 'failed', reason: 'abandoned', error: expect.stringContaining('tickwork work was stopped') });
    expect(await store.lease('sleeper')).toBeUndefined();
  }, 60_000);
});
