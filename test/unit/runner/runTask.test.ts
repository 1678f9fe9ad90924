import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueSlots } from '../../../src/evaluation/dueSlots.js';
import { CommandRegistry } from '../../../src/kernel/CommandRegistry.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';
import { runTask } from '../../../src/runner/runTask.js';

const logger = new Logger({ logLevel: 'SILENT' });

/** Runs the single task `declare` adds, for the minute 10:05, now, with a 10 s tick budget. */
async function run(declare: (s: Schedule) => TaskBuilder, commands = new CommandRegistry()) {
  const schedule = new Schedule({ commands });
  declare(schedule);
  const [slot] = dueSlots(schedule.compiled(), new Date(Math.floor(Date.now() / 60_000) * 60_000));
  if (slot === undefined) throw new Error('expected a due slot');
  return runTask(slot, { deadline: Date.now() + 10_000, now: Date.now, logger, commands });
}

describe('runTask hooks', () => {
  it('runs before → task → onSuccess → after, in declaration order', async () => {
    const order: string[] = [];
    const result = await run((s) =>
      s.call(() => void order.push('task')).name('t')
        .before(() => void order.push('before-1')).before(() => void order.push('before-2'))
        .onSuccess(() => void order.push('success')).onFailure(() => void order.push('failure'))
        .after(() => void order.push('after')).then(() => void order.push('then')),
    );
    expect(result.status).toBe('succeeded');
    expect(order).toEqual(['before-1', 'before-2', 'task', 'success', 'after', 'then']);
  });

  it('gives onFailure the error, and still runs after', async () => {
    const seen: unknown[] = [];
    const result = await run((s) =>
      s.call(() => { throw new Error('boom'); }).name('t')
        .onSuccess(() => void seen.push('success'))
        .onFailure((error) => void seen.push((error as Error).message))
        .after(() => void seen.push('after')),
    );
    expect(result).toMatchObject({ status: 'failed', error: 'Error: boom' });
    expect(seen).toEqual(['boom', 'after']);
  });

  it('fails the run without starting the task when a before hook throws', async () => {
    let ran = false;
    const result = await run((s) => s.call(() => { ran = true; }).name('t').before(() => { throw new Error('not ready'); }));
    expect(ran).toBe(false);
    expect(result).toMatchObject({ status: 'failed', error: 'Error: not ready' });
  });

  it('keeps the outcome when an after hook throws, and runs the next hook', async () => {
    let second = false;
    const result = await run((s) => s.call(() => {}).name('t').after(() => { throw new Error('hook bug'); }).after(() => { second = true; }));
    expect(result.status).toBe('succeeded');
    expect(second).toBe(true);
  });

  it('times a run out at its own timeout(), before the tick deadline', async () => {
    const started = Date.now();
    const result = await run((s) => s.call(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))).name('t').timeout(1));
    expect(result).toMatchObject({ status: 'timed-out', error: 'Error: Task "t" reached its deadline' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('captures what the task writes', async () => {
    const result = await run((s) => s.call(({ write }) => { write('line 1\n'); write('line 2\n'); }).name('t'));
    expect(result.output).toBe('line 1\nline 2\n');
  });
});

describe('runTask pings', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.statusCode = req.url === '/broken' ? 500 : 200;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('pings before, on success and after; never on failure for a success', async () => {
    hits.length = 0;
    await run((s) => s.call(() => {}).name('t')
      .pingBefore(`${base}/start`).pingOnSuccess(`${base}/ok`).pingOnFailure(`${base}/fail`).thenPing(`${base}/done`));
    expect(hits).toEqual(['/start', '/ok', '/done']);
  });

  it('pings on failure, and a failing ping never fails the task', async () => {
    hits.length = 0;
    const failing = await run((s) => s.call(() => { throw new Error('x'); }).name('t').pingOnSuccess(`${base}/ok`).pingOnFailure(`${base}/fail`));
    expect(failing.status).toBe('failed');
    expect(hits).toEqual(['/fail']);

    const fine = await run((s) => s.call(() => {}).name('t').pingBefore(`${base}/broken`).thenPing('http://127.0.0.1:9/unreachable'));
    expect(fine.status).toBe('succeeded');
  });
});

describe('runTask actions', () => {
  it('runs a registered command with its arguments and context', async () => {
    const commands = new CommandRegistry();
    const seen: unknown[] = [];
    commands.register('report:send', (args, context) => { seen.push(args, context.name); context.write('sent\n'); });
    const result = await run((s) => s.command('report:send', ['--to', 'ops']), commands);
    expect(result).toMatchObject({ status: 'succeeded', output: 'sent\n' });
    expect(seen).toEqual([['--to', 'ops'], 'report:send --to ops']);
  });

  it('runs a command line through the shell and captures stdout and stderr', async () => {
    const result = await run((s) => s.exec('echo out; echo err >&2'));
    expect(result.status).toBe('succeeded');
    expect(result.output).toContain('out\n');
    expect(result.output).toContain('err\n');
  });

  it('runs argv without a shell: metacharacters stay literal', async () => {
    const result = await run((s) => s.exec(['echo', '$HOME; rm -rf /']));
    expect(result).toMatchObject({ status: 'succeeded', output: '$HOME; rm -rf /\n' });
  });

  it('fails on a non-zero exit, quoting the last line of output', async () => {
    const result = await run((s) => s.exec('echo working; echo "disk full" >&2; exit 3'));
    expect(result).toMatchObject({ status: 'failed', error: 'CommandFailedError: Command "echo working; echo "disk full" >&2; exit 3" exited with code 3: disk full' });
  });

  it('fails when the program does not exist', async () => {
    const result = await run((s) => s.exec(['/nonexistent/tickwork-binary']));
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toContain('could not start');
  });

  it('kills the whole process group at the deadline', async () => {
    const started = Date.now();
    const result = await run((s) => s.exec('sleep 30 & sleep 30; wait').name('sleeper').timeout(1));
    expect(result.status).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
