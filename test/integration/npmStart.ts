import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { freePort, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import type { RunRecord } from '../../src/store/Store.js';
import { offlineEnv, root } from './cli.js';

/** `npm start` (`tickwork start`, built) running for a test, on free ports, with what it printed. */
export interface NpmStart {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  readonly exitCode: Promise<number | null>;
  /** DynamoDB Local's pid and endpoint, from the start script's own line. */
  readonly javaPid: number | undefined;
  readonly dynamoEndpoint: string | undefined;
  /** Invokes the tick through serverless-offline's Lambda invoke API; resolves to its JSON answer. */
  invokeTick(event: unknown): Promise<any>;
  /** Polls until `condition` holds; fails with the output if it does not in time, or if the process exits. */
  waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Polls the stage's table until the run record of `(task, slot)` has `status`; returns the last read. */
  waitForRun(task: string, slot: string, status: RunRecord['status'], timeoutMs?: number): Promise<RunRecord | undefined>;
  /** Whatever happened, leaves nothing running: the start script and its DynamoDB Local are killed. */
  kill(): void;
}

/** Launches `npm start --stage <stage>` and waits until serverless-offline listens. */
export async function launchNpmStart(stage: string, env: Record<string, string> = {}): Promise<NpmStart> {
  const [httpPort, websocketPort, lambdaPort, eventBridgePort, pubSubPort] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const child = spawn(
    process.execPath,
    ['dist/src/cli/main.js', 'start', '--stage', stage,
      '--http-port', String(httpPort), '--lambda-port', String(lambdaPort), '--websocket-port', String(websocketPort),
      '--eventbridge-port', String(eventBridgePort), '--eventbridge-pubsub-port', String(pubSubPort)],
    { cwd: root, env: offlineEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const waitFor = async (condition: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output so far:\n${output}`);
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before ${what}:\n${output}`);
      await sleep(100);
    }
  };
  const started = { javaPid: undefined as number | undefined, dynamoEndpoint: undefined as string | undefined };
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (started.javaPid !== undefined && isAlive(started.javaPid)) process.kill(started.javaPid, 'SIGKILL');
  };
  try {
    await waitFor(() => output.includes('[http for lambda] listening'), 90_000, 'serverless offline to listen');
  } catch (error) {
    kill();
    throw error;
  } finally {
    const line = /DynamoDB Local \(pid (\d+)\) on (\S+)/.exec(output);
    started.javaPid = line === null ? undefined : Number(line[1]);
    started.dynamoEndpoint = line?.[2];
  }

  return {
    child,
    output: () => output,
    exitCode,
    ...started,
    async invokeTick(event) {
      const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/tickwork-${stage}-tick/invocations`, {
        method: 'POST',
        body: JSON.stringify(event),
      });
      return response.json();
    },
    waitFor,
    async waitForRun(task, slot, status, timeoutMs = 30_000) {
      const client = new DynamoDBClient({ endpoint: started.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      try {
        const store = new DynamoDbStore({ tableName: `tickwork-${stage}`, deployment: stage, client });
        const deadline = Date.now() + timeoutMs;
        let record = await store.getRun(task, slot);
        while (record?.status !== status && Date.now() < deadline) {
          await sleep(250);
          record = await store.getRun(task, slot);
        }
        return record;
      } finally {
        client.destroy();
      }
    },
    kill,
  };
}

/** Ctrl-C stops npm start, serverless offline and DynamoDB Local, and the script exits 0. */
export async function expectCleanStop(app: NpmStart): Promise<void> {
  expect(app.javaPid).toBeGreaterThan(0);
  expect(isAlive(app.javaPid!)).toBe(true);
  // A terminal's Ctrl-C arrives twice (from the process group, and relayed by tsx): both must be survived.
  app.child.kill('SIGINT');
  await sleep(50);
  app.child.kill('SIGINT');
  expect(await Promise.race([app.exitCode, sleep(20_000).then(() => 'still running')])).toBe(0);
  expect(app.output()).toContain('[tickwork] stopped');
  expect(isAlive(app.javaPid!)).toBe(false);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A minute a manual invoke may name: on a five-minute boundary (so the example kernel's `*\/5` tasks
 * are due with the every-minute ones), 10–15 minutes ago — well within the 24 h a tick may be late —
 * as ISO (`…:00.000Z`), and as the `HH:MM` the readable log lines show.
 */
export function recentFiveMinuteSlot(now = Date.now()): { readonly iso: string; readonly hhmm: string } {
  const at = Math.floor(now / 300_000) * 300_000 - 600_000;
  const iso = new Date(at).toISOString();
  return { iso, hhmm: iso.slice(11, 16) };
}
