import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import type { RunRecord } from '../../src/store/Store.js';
import { offlineEnv, root, run } from './cli.js';

/**
 * `npm start` for real: the start script launches DynamoDB Local and serverless-offline, the tick
 * runs through the offline Lambda invoke API and on the offline scheduler's own minute boundary,
 * and SIGINT (Ctrl-C) stops everything it started.
 */
describe('npm start (serverless-offline + DynamoDB Local)', () => {
  let child: ChildProcess;
  let output = '';
  let lambdaPort: number;
  let javaPid: number | undefined;
  let dynamoEndpoint: string | undefined;
  let exitCode: Promise<number | null>;

  beforeAll(async () => {
    const [httpPort, websocketPort, eventBridgePort, pubSubPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    lambdaPort = await freePort();
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--stage', 'starttest',
        '--http-port', String(httpPort), '--lambda-port', String(lambdaPort), '--websocket-port', String(websocketPort),
        '--eventbridge-port', String(eventBridgePort), '--eventbridge-pubsub-port', String(pubSubPort)],
      { cwd: root, env: offlineEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exitCode = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    await waitFor(() => output.includes('[http for lambda] listening'), 90_000, 'serverless offline to listen');
    const started = /DynamoDB Local \(pid (\d+)\) on (\S+)/.exec(output);
    javaPid = Number(started?.[1]);
    dynamoEndpoint = started?.[2];
  });

  afterAll(async () => {
    // Whatever happened above, leave nothing running.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (javaPid !== undefined && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
  });

  it('runs the due tasks of the minute a manual invoke names, once', async () => {
    const first = await invoke({ time: '2026-11-23T10:05:00Z' });
    expect(first).toEqual({
      tick: '2026-11-23T10:05:00.000Z',
      due: ['heartbeat', 'metrics:rollup', 'invoices:export'],
      missed: [],
      ran: ['heartbeat', 'metrics:rollup'],
      failed: [],
      skipped: [],
      dispatched: ['invoices:export'],
      undispatched: [],
      queued: 0,
      retried: 0,
    });

    const again = await invoke({ time: '2026-11-23T10:05:30Z' });
    expect(again.ran).toEqual([]);
    expect(again.dispatched).toEqual([]);
    expect(again.skipped).toEqual([
      { name: 'invoices:export', reason: 'already-claimed' },
      { name: 'heartbeat', reason: 'already-claimed' },
      { name: 'metrics:rollup', reason: 'already-claimed' },
    ]);
    await waitFor(() => output.includes('10:05:00  ✔ heartbeat'), 10_000, 'the readable outcome line');
  });

  it('routes the dispatched fan-out task through the local EventBridge to its own function, which records its run', async () => {
    const store = new DynamoDbStore({
      tableName: 'tickwork-starttest',
      deployment: 'starttest',
      client: new DynamoDBClient({ endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    });
    let record: RunRecord | undefined;
    const deadline = Date.now() + 30_000;
    while (record?.status !== 'succeeded' && Date.now() < deadline) {
      record = await store.getRun('invoices:export', '2026-11-23T10:05:00.000Z');
      await sleep(250);
    }
    expect(record).toMatchObject({ status: 'succeeded', output: 'exported invoices up to 2026-11-23T10:05:00.000Z\n' });
    // Run by the task's own function, not by the tick.
    expect(output).toMatch(/\(λ: taskInvoicesExport\) RequestId: [\w-]+/);
    expect(output).toMatch(/10:05:00 {2}✔ invoices:export +ran in \d+ ms/);
  });

  it('fails an invoke whose event has no usable time', async () => {
    const error = await invoke({ detail: 'nothing' });
    // serverless-offline always answers errorType "Error" (AWS uses the error's name); the stack's
    // first line carries the real type, which also proves minification kept the class name.
    expect(error.trace[0]).toMatch(/^InvalidTickEventError: The tick expects a schedule event with "scheduledTime"/);
  });

  it('fires the tick by itself at the next minute boundary', async () => {
    await waitFor(() => /tick (?!2026-11-23T10:05)\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z: \d+ due, \d+ ran/.test(output), 75_000, 'a scheduled tick');
    expect(output).toMatch(/\d\d:\d\d:00 {2}✔ heartbeat {10}ran in \d+ ms/);
  });

  it('stops serverless offline and DynamoDB Local on SIGINT and exits 0', async () => {
    expect(javaPid).toBeGreaterThan(0);
    expect(isAlive(javaPid!)).toBe(true);
    // A terminal's Ctrl-C arrives twice (from the process group, and relayed by tsx): both must be survived.
    child.kill('SIGINT');
    await sleep(50);
    child.kill('SIGINT');
    expect(await Promise.race([exitCode, sleep(20_000).then(() => 'still running')])).toBe(0);
    expect(output).toContain('[tickwork] stopped');
    expect(isAlive(javaPid!)).toBe(false);
  });

  async function invoke(event: unknown): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/tickwork-starttest-tick/invocations`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    return response.json();
  }

  async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output so far:\n${output}`);
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before ${what}:\n${output}`);
      await sleep(100);
    }
  }
});

describe('npm start with an invalid kernel', () => {
  it('exits 1 before starting anything, naming the task and the field', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/bad-kernel.ts' }), 30_000);
    expect(result.code).toBe(1);
    expect(result.output).toContain('InvalidCronExpressionError: Task "reports:daily": invalid cron expression "0 25 * * *" in the hour ("25") field');
    expect(result.output).not.toContain('DynamoDB Local (pid');
  });
});

describe('npm start without Java', () => {
  it('says in one line what to install, and exits 1', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], offlineEnv({ PATH: '/nonexistent' }), 30_000);
    expect(result.code).toBe(1);
    const lines = result.output.split('\n').filter((line) => line.includes('Java'));
    expect(lines).toEqual([
      '[tickwork] TickworkError: DynamoDB Local needs Java 17+: install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB Local',
    ]);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
