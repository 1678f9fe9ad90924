import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, root, run, zipEntries, type Finished } from './cli.js';

/**
 * A new user's path, for real: `npm pack` this repository, then in a fresh project outside it — its
 * own package.json, its own kernel (an inline task and a fan-out task) and a serverless.yml of a few
 * lines naming the plugin beside a function of its own — install the tarball, package the service,
 * list the tasks with the binary, run one tick of the packaged bundle against DynamoDB Local, and
 * serve `npx tickwork dashboard` from the installed package (no build step) and fetch its overview.
 */
const OSLS_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.osls as string;
const INSTALL_TIMEOUT_MS = 240_000;

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'acme-jobs', version: '1.0.0', private: true, type: 'module' }, null, 2),
  '.npmrc': 'legacy-peer-deps=true\n',
  'serverless.yml': [
    'service: acme-jobs',
    'provider:',
    '  name: aws',
    '  runtime: nodejs22.x',
    '  region: eu-west-1',
    'plugins:',
    '  - tickwork/serverless',
    'functions:',
    '  hello:',
    '    handler: src/hello.handler',
    '',
  ].join('\n'),
  'src/hello.js': "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n",
  'src/kernel.ts': [
    "import type { Schedule, TaskContext } from 'tickwork';",
    '',
    'export default function schedule(schedule: Schedule): void {',
    "  schedule.call((ctx: TaskContext) => console.log(`swept at ${ctx.slot}`)).name('sessions:sweep').everyMinute();",
    "  schedule.call(() => console.log('exported')).name('ledger:export').dailyAt('03:00').onLambda({ timeout: 60 });",
    '}',
    '',
  ].join('\n'),
};

describe('adoption: the packed tarball in a fresh project', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tickwork-adoption-'));
  const project = join(workspace, 'acme-jobs');
  const env = offlineEnv({ TICKWORK_KERNEL: '', npm_config_yes: 'true' });
  delete env.TICKWORK_KERNEL;
  const inProject = (command: string, args: string[], timeoutMs = 120_000, extra: NodeJS.ProcessEnv = {}) =>
    run(command, args, { ...env, ...extra }, timeoutMs, project);
  let installed: Finished;
  /** The tick's environment variables, as the packaged template sets them. */
  let tickEnvironment: Record<string, string> | undefined;

  beforeAll(async () => {
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', workspace], env, 120_000);
    expect(packed.code, packed.output).toBe(0);
    const tarball = readdirSync(workspace).find((f) => f.endsWith('.tgz'))!;
    for (const [path, contents] of Object.entries(files)) {
      mkdirSync(join(project, path, '..'), { recursive: true });
      writeFileSync(join(project, path), contents);
    }
    // The repository's install filled npm's cache: prefer it over the registry.
    installed = await inProject('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', join(workspace, tarball), `osls@${OSLS_VERSION}`], INSTALL_TIMEOUT_MS);
  }, INSTALL_TIMEOUT_MS + 120_000);
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('installs', () => {
    expect(installed.code, installed.output).toBe(0);
  });

  it('packages the tick, its trigger, the table and the fan-out function beside the service\'s own function', async () => {
    // The stage comes from the command line only: serverless.yml names none.
    const packaged = await inProject(process.execPath, ['node_modules/osls/bin/serverless.js', 'package', '--stage', 'prod'], 180_000);
    expect(packaged.code, packaged.output).toBe(0);
    const template = JSON.parse(readFileSync(join(project, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'));
    const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    expect(resources.HelloLambdaFunction?.Properties).toMatchObject({ Handler: 'src/hello.handler' });
    expect(resources.HelloLambdaFunction?.Properties.Environment).toBeUndefined();
    expect(resources.TickLambdaFunction?.Properties).toMatchObject({ Handler: '.tickwork/build/tick.handler', FunctionName: 'acme-jobs-prod-tick' });
    tickEnvironment = resources.TickLambdaFunction?.Properties.Environment.Variables;
    expect(resources.TickLambdaFunction?.Properties.Environment.Variables).toMatchObject({ TICKWORK_TABLE: 'acme-jobs-prod-tickwork', TICKWORK_STAGE: 'prod' });
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules.map((s) => s.Properties.ScheduleExpression)).toEqual(['cron(* * * * ? *)']);
    expect(resources.TickworkTable?.Properties).toMatchObject({ TableName: 'acme-jobs-prod-tickwork', BillingMode: 'PAY_PER_REQUEST' });
    expect(resources.TaskLedgerExportLambdaFunction?.Properties).toMatchObject({ Handler: '.tickwork/build/task.handler', Timeout: 60 });
    // Each Tickwork function ships its own bundle and nothing else.
    expect(zipEntries(join(project, '.serverless', 'tick.zip'))).toEqual(['.tickwork/build/tick.mjs', '.tickwork/build/tick.mjs.map']);
    expect(zipEntries(join(project, '.serverless', 'taskLedgerExport.zip'))).toEqual(['.tickwork/build/task.mjs', '.tickwork/build/task.mjs.map']);
    // The service's own artifact is untouched by Tickwork's build output.
    expect(zipEntries(join(project, '.serverless', 'acme-jobs.zip')).filter((entry) => entry.startsWith('.tickwork/'))).toEqual([]);
    expect(zipEntries(join(project, '.serverless', 'acme-jobs.zip'))).toContain('src/hello.js');
    // The tick's own role; the service's functions gain nothing from Tickwork.
    expect(resources.TickLambdaFunction?.Properties.Role).toEqual({ 'Fn::GetAtt': ['TickworkTickRole', 'Arn'] });
    expect(JSON.stringify(resources.IamRoleLambdaExecution ?? {})).not.toContain('dynamodb:');
  });

  it('lists the project\'s own tasks with `npx tickwork list --json`', async () => {
    const listed = await inProject('npx', ['tickwork', 'list', '--json'], 60_000);
    expect(listed.code, listed.output).toBe(0);
    const tasks = JSON.parse(listed.output.slice(listed.output.indexOf('['))) as { name: string }[];
    expect(tasks.map((t) => t.name)).toEqual(['sessions:sweep', 'ledger:export']);
  });

  it('runs its inline task in one tick of the packaged bundle, with the environment the template gives it, against DynamoDB Local', async () => {
    expect(tickEnvironment, 'the packaging test read the tick\'s environment').toBeDefined();
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const store = new DynamoDbStore({ tableName: tickEnvironment!.TICKWORK_TABLE!, client, deployment: tickEnvironment!.TICKWORK_DEPLOYMENT });
    await store.ensureTable();
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const script = [
      "const { handler } = await import('./.tickwork/build/tick.mjs');",
      `const report = await handler({ scheduledTime: '${minute}' }, { awsRequestId: 'adoption-1', functionName: 'tick', getRemainingTimeInMillis: () => 60000 });`,
      'console.log(`REPORT ${JSON.stringify(report)}`);',
    ].join('\n');
    const ticked = await inProject(process.execPath, ['--input-type=module', '-e', script], 60_000, {
      ...tickEnvironment,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    expect(ticked.code, ticked.output).toBe(0);
    const report = JSON.parse(/REPORT (.*)/.exec(ticked.output)![1]!);
    expect(report).toMatchObject({ tick: minute, ran: ['sessions:sweep'], failed: [] });
    expect(await store.getRun('sessions:sweep', minute)).toMatchObject({ status: 'succeeded' });
    client.destroy();
  });

  it('serves `npx tickwork dashboard` from the installed package against DynamoDB Local, and stops on Ctrl-C', async () => {
    const endpoint = inject('dynamoEndpoint');
    // Its own process group, so Ctrl-C reaches npx and the dashboard under it, as in a terminal.
    const child = spawn('npx', ['tickwork', 'dashboard', '--stage', 'prod', '--endpoint', endpoint], { cwd: project, env: { ...env, NODE_NO_WARNINGS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const link = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no dashboard link within 60 s:\n${output}`)), 60_000);
        child.stdout.on('data', () => {
          const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
          if (found !== null) {
            clearTimeout(timer);
            resolve(found[0]);
          }
        });
        void exited.then(() => reject(new Error(`tickwork dashboard exited:\n${output}`)));
      });
      expect(output).toContain('Tickwork dashboard for acme-jobs-prod-tickwork (prod)');
      const overview = await fetch(new URL('/', link));
      expect(overview.status).toBe(200);
      const page = await overview.text();
      expect(page).toContain('<a href="/tasks/sessions%3Asweep">sessions:sweep</a>');
      // The schedule in words: cronstrue resolved from the installed package's own dependencies.
      expect(page).toContain('At 03:00, UTC');
      expect((await fetch(new URL('/assets/dashboard.js', link))).status).toBe(200);
      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(output).toContain('dashboard stopped');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
