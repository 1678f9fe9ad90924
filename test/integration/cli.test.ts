import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offlineEnv, root } from './cli.js';

/** The built binary, as `npx tickwork` runs it in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';
const COMMANDS = ['list', 'pause', 'resume', 'dispatch', 'test', 'run', 'work', 'history', 'monitor', 'why', 'backfill', 'cost', 'init', 'start'];
/** The commands that reach a stage's table. */
const TABLE_COMMANDS = ['pause', 'resume', 'dispatch', 'test', 'run', 'work', 'history', 'monitor', 'why', 'backfill'];

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Both, for failure messages. */
  readonly output: string;
}

/** Runs the binary in the repository (the tests' kernel by TICKWORK_KERNEL), stdout and stderr apart. */
function tickwork(...args: string[]): Promise<Ran> {
  return tickworkIn(root, ...args);
}

function tickworkIn(cwd: string, ...args: string[]): Promise<Ran> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [join(root, TICKWORK), ...args], { cwd, env: offlineEnv(), timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolveRun({ code, stdout, stderr, output: `${stdout}${stderr}` });
    });
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('the tickwork binary', () => {
  it('lists its commands and their Laravel aliases in --help', async () => {
    const result = await tickwork('--help');
    expect(result.code, result.output).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const alias of ['schedule:list', 'schedule:pause', 'schedule:resume', 'schedule:dispatch']) expect(result.stdout).toContain(`|${alias}`);
    expect(result.stdout).not.toContain('\u001b['); // no colour codes when piped
  });

  it.each(COMMANDS)('shows the help of %s', async (command) => {
    const result = await tickwork(command, '--help');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: tickwork ${command}\\b`));
    expect(result.stdout).toContain('--help');
    const ownOption: Record<string, string> = { list: '--next <n>', init: '--kernel <path>' };
    expect(result.stdout).toContain(ownOption[command] ?? '--stage <stage>');
  });

  it.each(TABLE_COMMANDS)('%s takes --profile, an AWS shared-config profile (AWS_PROFILE)', async (command) => {
    const result = await tickwork(command, '--help');
    expect(result.stdout).toMatch(/--profile <name> +the AWS shared-config profile[\s\S]*\(env: AWS_PROFILE\)/);
  });

  it('prints its version', async () => {
    const result = await tickwork('--version');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['lst'], "error: unknown command 'lst'"],
    [['list', '--bogus'], "error: unknown option '--bogus'"],
    [['list', '--next', 'zero'], 'error: --next expects a whole number ≥ 1, got "zero"'],
    [['list', '--count', 'zero'], 'error: --count expects a whole number ≥ 1, got "zero"'],
    [['list', '--count'], "error: option '--count <n>' argument missing"],
    [['list', 'extra'], "error: too many arguments for 'list'"],
    [['dispatch'], "error: missing required argument 'task'"],
  ])('exits 2 with one line on stderr for %j', async (args, message) => {
    const result = await tickwork(...args);
    expect(result.code, result.output).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it.each([
    // [arguments, the pipe whose reader is gone, the exit code the command has of its own]
    [['backfill', '--help'], 'stdout', 0],
    [['list'], 'stdout', 0],
    [['test', 'warns-then-fails'], 'stdout', 1],
    // Its warning meets the closed pipe while the task is still running.
    [['test', 'warns-then-fails'], 'stderr', 1],
    [['list', '--bogus'], 'stderr', 2],
  ] as const)('carries on and exits with its own code when the reader of its %j closes %s first (`| head -1`)', async (args, closed, code) => {
    const env = offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/pipe-kernel.ts', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const child = spawn(process.execPath, [join(root, TICKWORK), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the binary has started, so its first write there meets a closed pipe.
    child[closed].destroy();
    const open = closed === 'stdout' ? child.stderr : child.stdout;
    let other = '';
    open.on('data', (chunk: Buffer) => (other += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const exit = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit)).finally(() => clearTimeout(killer));
    expect(other).not.toContain('EPIPE');
    expect(exit, other).toBe(code);
    // The task ran to its end: its outcome reached the pipe still open.
    if (args[0] === 'test') expect(other).toContain(closed === 'stdout' ? 'Error: failed after its warning' : 'warns-then-fails failed');
  });

  it('answers to schedule:list as to list', async () => {
    const [alias, plain] = await Promise.all([
      tickwork('schedule:list', '--from', '2026-11-23T10:03:00Z', '--json'),
      tickwork('list', '--from', '2026-11-23T10:03:00Z', '--json'),
    ]);
    expect(alias.code, alias.output).toBe(0);
    expect(JSON.parse(alias.stdout)).toEqual(JSON.parse(plain.stdout));
    expect(JSON.parse(alias.stdout)).toContainEqual(expect.objectContaining({ name: 'heartbeat', next: ['2026-11-23T10:03:00.000Z'] }));
  });

  it('takes the kernel from --kernel', async () => {
    const result = await tickwork('list', '--kernel', 'test/fixtures/bad-kernel.ts');
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^InvalidCronExpressionError: Task "reports:daily": invalid cron expression/)]);
  });

  it.each([['list'], ['test', 'greet'], ['start']])('%s: a --kernel that names no file is a usage error (exit 2, one line naming the path), and starts nothing', async (...args) => {
    const result = await tickwork(...args, '--kernel', 'nope.ts');
    expect(result.code, result.output).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([
      `error: no kernel file at nope.ts (${join(root, 'nope.ts')}): expected the kernel module named by --kernel, TICKWORK_KERNEL or custom.tickwork.kernel, else src/kernel.ts`,
    ]);
  });

  it('starts nothing in a project without the Serverless Framework, and says so in one line', async () => {
    const project = mkdtempSync(join(tmpdir(), 'tickwork-cli-'));
    try {
      writeFileSync(join(project, 'serverless.yml'), 'service: bare\n');
      writeFileSync(join(project, 'kernel.mjs'), "export default (schedule) => { schedule.call(() => {}).name('noop').everyMinute(); };\n");
      const result = await tickworkIn(project, 'start', '--kernel', 'kernel.mjs');
      expect(result.code, result.output).toBe(1);
      expect(lines(result.stderr)).toEqual([`[tickwork] TickworkError: tickwork start needs the Serverless Framework in this project, and found neither osls nor serverless from ${project}: npm install --save-dev osls serverless-offline`]);
      expect(result.stdout).toContain('[tickwork] kernel OK: noop [* * * * *]');
      expect(result.stdout).not.toContain('DynamoDB Local (pid');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('init sets up a project with no serverless.yml and one with its own, and changes nothing the second time', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'tickwork-init-'));
    const existing = mkdtempSync(join(tmpdir(), 'tickwork-init-'));
    try {
      const created = await tickworkIn(bare, 'init');
      expect(created.code, created.output).toBe(0);
      expect(created.stdout).toMatch(/created src\/kernel\.ts[\s\S]*created serverless\.yml/);
      expect(readFileSync(join(bare, 'serverless.yml'), 'utf8')).toMatch(/plugins:\n {2}- tickwork\/serverless/);
      expect((await tickworkIn(bare, 'init')).stdout).toBe('Tickwork is already set up here: nothing changed.\n');

      writeFileSync(join(existing, 'serverless.yml'), 'service: shop\nplugins:\n  - serverless-offline\nfunctions:\n  api:\n    handler: api.handler\n');
      const added = await tickworkIn(existing, 'init', '--kernel', 'jobs/kernel.ts');
      expect(added.code, added.output).toBe(0);
      expect(lines(added.stdout).slice(0, 3)).toEqual([
        '  created jobs/kernel.ts (an example kernel with one task)',
        '  serverless.yml: added tickwork/serverless first in plugins',
        '  serverless.yml: added custom.tickwork (kernel: jobs/kernel.ts)',
      ]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
      rmSync(existing, { recursive: true, force: true });
    }
  });
});
