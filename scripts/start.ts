// `npm start`: the scheduler on this machine. Builds the kernel, starts DynamoDB Local (unless
// DYNAMODB_ENDPOINT points at one), creates the table from infra/table.json, and runs the stack on
// serverless-offline, which fires the tick on every minute boundary. Ctrl-C stops all of it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';
import { TickworkError } from '../src/errors.js';
import { kernelPath, loadKernel } from '../src/local/loadKernel.js';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
  type RunningDynamoDbLocal,
} from '../src/local/dynamoDbLocal.js';
import { renderLogLine } from '../src/local/renderLogLine.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    stage: { type: 'string', default: process.env.TICKWORK_STAGE ?? 'dev' },
    'http-port': { type: 'string', default: process.env.TICKWORK_HTTP_PORT ?? '3000' },
    'lambda-port': { type: 'string', default: process.env.TICKWORK_LAMBDA_PORT ?? '3002' },
    'websocket-port': { type: 'string', default: process.env.TICKWORK_WEBSOCKET_PORT ?? '3001' },
    // serverless-offline-aws-eventbridge: its PutEvents endpoint and the broker behind it.
    'eventbridge-port': { type: 'string', default: process.env.TICKWORK_EVENTBRIDGE_PORT ?? '4010' },
    'eventbridge-pubsub-port': { type: 'string', default: process.env.TICKWORK_EVENTBRIDGE_PUBSUB_PORT ?? '4011' },
  },
});

let dynamo: RunningDynamoDbLocal | undefined;
let offline: ChildProcess | undefined;
let stopping = false;

async function main(): Promise<void> {
  const schedule = await loadKernel(kernelPath(root));
  say(`kernel OK: ${schedule.tasks().map((t) => `${t.name} [${t.expression}]${t.lambda === false ? '' : ' (own Lambda)'}`).join(', ')}`);

  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint === undefined || endpoint === '') {
    dynamo = await startDynamoDbLocal();
    endpoint = dynamo.endpoint;
    say(`DynamoDB Local (pid ${dynamo.pid}) on ${endpoint}`);
  } else {
    say(`using DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT)`);
  }

  const tableName = `tickwork-${args.stage}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await new DynamoDbStore({ tableName, client }).ensureTable();
  client.destroy();
  say(`table ${tableName} ready`);

  const serverlessBin = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  offline = spawn(
    process.execPath,
    [
      serverlessBin, 'offline', 'start',
      '--stage', args.stage,
      '--httpPort', args['http-port'],
      '--lambdaPort', args['lambda-port'],
      '--websocketPort', args['websocket-port'],
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // serverless-offline forwards only AWS_* variables to handlers; the SDK reads this one itself.
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        // Fan-out goes through the local EventBridge mock (or, with TICKWORK_DISPATCHER=lambda, the
        // local Lambda invoke API) to the per-task functions: what runs here is what deploys.
        AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${args['eventbridge-port']}`,
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${args['lambda-port']}`,
        TICKWORK_EVENTBRIDGE_PORT: args['eventbridge-port'],
        TICKWORK_EVENTBRIDGE_PUBSUB_PORT: args['eventbridge-pubsub-port'],
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_REGION: LOCAL_REGION,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
    },
  );
  pipeReadable(offline.stdout, process.stdout);
  pipeReadable(offline.stderr, process.stderr);
  say(`serverless offline starting (Lambda invoke API on :${args['lambda-port']}, EventBridge on :${args['eventbridge-port']}); the tick fires at each minute boundary — Ctrl-C to stop`);

  const code = await new Promise<number>((resolveExit) => offline?.once('exit', (c) => resolveExit(c ?? 1)));
  if (!stopping) {
    say(`serverless offline exited with code ${code}`);
    await shutdown(code === 0 ? 1 : code);
  }
}

/** Shows Tickwork's JSON log lines as one readable line each; everything else passes through. */
function pipeReadable(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (from === null) return;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    to.write(`${renderLogLine(line) ?? line}\n`);
  });
}

async function shutdown(code: number): Promise<never> {
  stopping = true;
  if (offline !== undefined && offline.exitCode === null && offline.signalCode === null) {
    const exited = new Promise((r) => offline?.once('exit', r));
    offline.kill('SIGINT');
    const forced = setTimeout(() => offline?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(forced);
  }
  await dynamo?.stop();
  say('stopped');
  process.exit(code);
}

function say(message: string): void {
  process.stdout.write(`[tickwork] ${message}\n`);
}

// Ctrl-C in a terminal reaches this process twice — from the process group, and again relayed by
// tsx — so the handler stays installed: a repeat while stopping is ignored instead of killing the
// shutdown half-way. Every wait inside shutdown is bounded.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    say(`${signal}: stopping`);
    void shutdown(0);
  });
}

main().catch(async (error: unknown) => {
  const message = error instanceof TickworkError ? `${error.name}: ${error.message}` : String((error as Error)?.stack ?? error);
  process.stderr.write(`[tickwork] ${message}\n`);
  await shutdown(1);
});
