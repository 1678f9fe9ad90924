import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import type { RunRecord } from '../../src/store/Store.js';
import { offlineEnv, root } from './cli.js';

const STAGE = 'lambdatest';
const SLOT = '2026-11-23T10:05:00.000Z';

/**
 * The other dispatcher end to end: `npm start` with `TICKWORK_DISPATCHER=lambda`. The tick hands the
 * fan-out task to its own function with an asynchronous Invoke on serverless-offline's Lambda API
 * (`AWS_ENDPOINT_URL_LAMBDA`, set by the start script) instead of through the local EventBridge, and
 * that function records the run in DynamoDB Local.
 */
describe('npm start with TICKWORK_DISPATCHER=lambda (serverless-offline Lambda invoke API)', () => {
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
      ['--import', 'tsx', 'scripts/start.ts', '--stage', STAGE,
        '--http-port', String(httpPort), '--lambda-port', String(lambdaPort), '--websocket-port', String(websocketPort),
        '--eventbridge-port', String(eventBridgePort), '--eventbridge-pubsub-port', String(pubSubPort)],
      { cwd: root, env: offlineEnv({ TICKWORK_DISPATCHER: 'lambda' }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exitCode = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    await waitFor(() => output.includes('[http for lambda] listening'), 90_000, 'serverless offline to listen');
    const started = /DynamoDB Local \(pid (\d+)\) on (\S+)/.exec(output);
    javaPid = started === null ? undefined : Number(started[1]);
    dynamoEndpoint = started?.[2];
  });

  afterAll(() => {
    // Whatever happened above, leave nothing running.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (javaPid !== undefined && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
  });

  it('generates the fan-out function without an EventBridge rule, for the Lambda dispatcher', () => {
    expect(output).toContain('Tickwork: 1 fan-out function(s) via lambda: taskInvoicesExport');
    expect(output).toContain(`taskInvoicesExport: tickwork-${STAGE}-taskInvoicesExport`);
  });

  it('invokes the task\'s own function from the tick, and that function records the run', async () => {
    const report = await invoke({ time: '2026-11-23T10:05:00Z' });
    expect(report).toMatchObject({ tick: SLOT, dispatched: ['invoices:export'], undispatched: [], retried: 0 });

    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      const store = new DynamoDbStore({ tableName: `tickwork-${STAGE}`, deployment: STAGE, client });
      let record: RunRecord | undefined;
      const deadline = Date.now() + 30_000;
      while (record?.status !== 'succeeded' && Date.now() < deadline) {
        record = await store.getRun('invoices:export', SLOT);
        if (record?.status !== 'succeeded') await sleep(250);
      }
      expect(record).toMatchObject({ status: 'succeeded', owner: expect.any(String), output: `exported invoices up to ${SLOT}\n` });
    } finally {
      client.destroy();
    }
    // Run by the task's own function, not by the tick.
    expect(output).toMatch(/\(λ: taskInvoicesExport\) RequestId: [\w-]+/);
    expect(output).toMatch(/10:05:00 {2}✔ invoices:export +ran in \d+ ms/);
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

  async function invoke(event: unknown): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/tickwork-${STAGE}-tick/invocations`, {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
