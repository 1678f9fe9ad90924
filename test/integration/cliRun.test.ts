import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/localCredentials.js';
import type { TickReport } from '../../src/runner/runTick.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, root } from './cli.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';
const KERNEL = 'test/fixtures/run-kernel.ts';
/** Tasks that log through their context logger, for `tickwork test`'s logging and picker. */
const TEST_KERNEL = 'test/fixtures/test-kernel.ts';
const TABLE = 'tickwork-clirun';

const endpoint = inject('dynamoEndpoint');
const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
afterAll(() => client.destroy());

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Both, for failure messages. */
  readonly output: string;
}

/**
 * The binary on the fixture kernel, stdout and stderr apart; `--endpoint` only where a test passes it,
 * so `test` shows it needs no table. The AWS SDK's warning about Node 20 (printed on this machine's
 * Node once a client is built) is turned off: it is the SDK's notice, not output of the command.
 */
function tickwork(args: string[], timeout = 30_000, kernel = KERNEL): Promise<Ran> {
  const env = offlineEnv({ TICKWORK_KERNEL: kernel, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  return new Promise((resolveRun) => {
    execFile(process.execPath, [join(root, TICKWORK), ...args], { cwd: root, env, timeout }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolveRun({ code, stdout, stderr, output: `${stdout}${stderr}` });
    });
  });
}

/** The table options of one deployment in the shared local table, so each test starts from no tick. */
function table(deployment: string): string[] {
  return ['--endpoint', endpoint, '--table', TABLE, '--deployment', deployment];
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('tickwork test', () => {
  it('runs a task now and prints its outcome, duration and output', async () => {
    const result = await tickwork(['test', 'greet']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/^✔ greet succeeded in \d+ ms\n {2}output:\n {4}hello from greet\n$/);
    expect(result.stderr).toBe('');
  });

  it('exits 1 when the task fails, with the error', async () => {
    const result = await tickwork(['test', 'fails', '--json']);
    expect(result.code, result.output).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'fails', status: 'failed', error: 'Error: upstream unavailable', output: '', locked: false });
    expect(result.stderr).toMatch(/^TaskRunFailedError: Task "fails" @ \S+: failed: Error: upstream unavailable\n$/);
  });

  it.each([
    [['test', 'nope'], 'error: unknown task "nope": the kernel has "greet", "fails", "exclusive", "remote"'],
    [['test'], 'error: name the task to run: tickwork test <task>; the kernel has "greet", "fails", "exclusive", "remote"'],
  ])('exits 2 with one line for %j', async (args, message) => {
    const result = await tickwork(args);
    expect(result.code, result.output).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([message]);
  });

  it("shows what the task logs through its context logger, one readable line each on stderr; --json keeps stdout JSON only", async () => {
    const plain = await tickwork(['test', 'invoices:export'], 30_000, TEST_KERNEL);
    expect(plain.code, plain.output).toBe(0);
    expect(plain.stdout).toMatch(/^✔ invoices:export succeeded in \d+ ms\n {2}output:\n {4}3 invoices\n$/);
    expect(lines(plain.stderr)).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d {2}· invoices:export {4}invoices exported \{"count":3\}$/)]);

    const json = await tickwork(['test', 'cache:warm', '--json'], 30_000, TEST_KERNEL);
    expect(json.code, json.output).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ task: 'cache:warm', status: 'succeeded', output: '' });
    expect(lines(json.stderr)).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d {2}· cache:warm {9}cache cold \{"entries":0\}$/)]);
  });

  it('offers the tasks to pick from at a terminal (a pseudo-terminal from util-linux script), asks again after a wrong answer, and runs the one picked', async () => {
    const env = offlineEnv({ TICKWORK_KERNEL: TEST_KERNEL, NODE_NO_WARNINGS: '1' });
    const command = [process.execPath, TICKWORK, 'test'].join(' ');
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = execFile('script', ['-qec', command, '/dev/null'], { cwd: root, env, timeout: 30_000 }, (error, stdout) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, output: stdout });
      });
      // Typed ahead: the terminal holds the lines until the question reads them.
      child.stdin!.end('7\n2\n');
    });
    expect(code, output).toBe(0);
    expect(output).toContain('  1. invoices:export\r\n  2. cache:warm\r\n  3. noop\r\n');
    expect(output).toContain('run which task? [1-3] ');
    expect(output).toContain('expected a number 1–3 or a task\'s name, got "7"');
    expect(output).toMatch(/· cache:warm {9}cache cold \{"entries":0\}/);
    expect(output).toMatch(/✔ cache:warm succeeded in \d+ ms/);
  });

  it("holds a withoutOverlapping() task's lease while it runs, and skips it with --no-lock", async () => {
    const store = new DynamoDbStore({ tableName: TABLE, client, deployment: 'clitest' });
    const locked = await tickwork(['test', 'exclusive', '--json', ...table('clitest')]);
    expect(locked.code, locked.output).toBe(0);
    expect(JSON.parse(locked.stdout)).toMatchObject({ task: 'exclusive', status: 'succeeded', locked: true, output: 'fence undefined\n' });
    expect(await store.lease('exclusive')).toBeUndefined(); // released after the run

    const now = Date.now();
    await store.acquireLease({ task: 'exclusive', owner: 'elsewhere', slot: new Date(now).toISOString(), now, expiresAt: now + 60_000 });
    const held = await tickwork(['test', 'exclusive', ...table('clitest')]);
    expect(held.code, held.output).toBe(1);
    expect(lines(held.stderr)).toEqual([expect.stringMatching(/^TickworkError: task "exclusive" not run: its lease is held by elsewhere for slot .* \(--no-lock runs it anyway\)$/)]);

    const unlocked = await tickwork(['test', 'exclusive', '--no-lock', '--json']);
    expect(unlocked.code, unlocked.output).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ status: 'succeeded', locked: false });
  });
});

describe('tickwork run', () => {
  it('runs the due inline tasks of a minute once; a second run finds them claimed', async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000).toISOString();
    const first = await tickwork(['run', '--time', minute, '--json', ...table('clirun')]);
    expect(first.code, first.output).toBe(1); // `fails` failed
    const report = JSON.parse(first.stdout) as TickReport;
    expect(report).toMatchObject({ tick: minute, evaluated: true, dispatched: [] });
    expect([...report.ran].sort()).toEqual(['exclusive', 'greet']);
    expect(report.failed).toEqual([{ name: 'fails', error: 'Error: upstream unavailable' }]);
    expect(report.undispatched).toEqual([expect.objectContaining({ name: 'remote', requeued: true, error: expect.stringContaining('no dispatcher configured') })]);
    expect(first.stderr).toBe(`TickworkError: tick ${minute}: 1 task(s) failed: "fails"\n`);

    const second = await tickwork(['run', '--time', minute, ...table('clirun')]);
    expect(second.code, second.output).toBe(0);
    const rows = lines(second.stdout);
    expect(rows[0]).toBe(`tick ${minute}`);
    for (const name of ['greet', 'fails', 'exclusive']) expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^ {2}↷ ${name} +skipped \\(already-claimed\\)$`)));
    // The released fan-out slot was queued for a tick that can dispatch it; this one cannot either.
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}⚠ remote +not dispatched: no dispatcher configured \(attempt 2, queued for a later tick\)$/));
  });

  it('refuses a time further back than a tick may be, as a usage error', async () => {
    const result = await tickwork(['run', '--time', '2020-01-01T00:00:00Z', ...table('clirun')]);
    expect(result.code, result.output).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^error: --time must lie between 24 h 1 min ago and 1 minute ahead \(.*\), got 2020-01-01T00:00:00.000Z$/)]);
  });
});

describe('tickwork work', () => {
  it('ticks at the next minute boundary and stops after --ticks', async () => {
    const result = await tickwork(['work', '--ticks', '1', ...table('cliwork')], 100_000);
    expect(result.code, result.output).toBe(0);
    expect(result.stderr).toBe('working on cliwork (dev): a tick at every minute boundary; Ctrl-C to stop\n');
    const rows = lines(result.stdout);
    expect(rows[0]).toMatch(/^tick \S+:00\.000Z$/);
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}✔ greet +ran$/));
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}✖ fails +failed: Error: upstream unavailable$/));
    expect(rows.at(-1)).toBe('4 due, 2 ran, 1 failed, 0 skipped, 0 dispatched, 1 not dispatched, 0 queued');
  });
});
