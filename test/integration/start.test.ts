import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { APP_KERNEL, offlineEnv, root, run } from './cli.js';
import { expectCleanStop, launchNpmStart, recentFiveMinuteSlot, type NpmStart } from './npmStart.js';
import { dueSlots } from '../../src/evaluation/dueSlots.js';
import { kernelPath, loadKernel } from '../../src/local/loadKernel.js';
import { findLocalStart } from '../../src/local/localStart.js';
import { staticFilter } from '../../src/runner/filters.js';

const SLOT = recentFiveMinuteSlot();
const STAGE = 'starttest';

/**
 * What the kernel the app serves has due at SLOT, read from the kernel rather than pinned: users edit
 * it. `filtered`: due, but ruled out for the stage by `environments()`/`between()` — reported skipped
 * with the reason, never recorded (which tasks those are depends on the time of day the test runs).
 */
async function dueAtSlot(): Promise<{ inline: string[]; fanOut: string[]; filtered: { name: string; reason: string }[] }> {
  const schedule = await loadKernel(kernelPath(process.cwd(), APP_KERNEL));
  const due = dueSlots(schedule.compiled(), new Date(SLOT.iso));
  const runs = due.filter((slot) => staticFilter(slot.task.definition, slot.clock, STAGE) === undefined).map((slot) => slot.task.definition);
  return {
    inline: runs.filter((task) => task.lambda === false).map((task) => task.name),
    fanOut: runs.filter((task) => task.lambda !== false).map((task) => task.name),
    filtered: due.flatMap((slot) => {
      const reason = staticFilter(slot.task.definition, slot.clock, STAGE);
      return reason === undefined ? [] : [{ name: slot.task.definition.name, reason }];
    }),
  };
}

/**
 * `npm start` for real: the start script launches DynamoDB Local and serverless-offline, the tick
 * runs through the offline Lambda invoke API and on the offline scheduler's own minute boundary,
 * and SIGINT (Ctrl-C) stops everything it started.
 */
describe('npm start (serverless-offline + DynamoDB Local)', () => {
  let app: NpmStart;

  beforeAll(async () => {
    app = await launchNpmStart(STAGE);
  });

  afterAll(() => app?.kill());

  it('runs the due tasks of the minute a manual invoke names, once', async () => {
    const { inline, fanOut, filtered } = await dueAtSlot();
    expect(inline.length, 'an inline task due at a five-minute slot').toBeGreaterThan(0);
    expect(fanOut.length, 'a fan-out task due at a five-minute slot').toBeGreaterThan(0);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

    const first = await app.invokeTick({ time: SLOT.iso });
    expect(first).toMatchObject({ tick: SLOT.iso, evaluated: true, missed: [], undispatched: [], queued: 0, retried: 0 });
    expect([...first.skipped].sort(byName)).toEqual([...filtered].sort(byName));
    expect([...first.due].sort()).toEqual([...inline, ...fanOut, ...filtered.map((f) => f.name)].sort());
    expect([...first.ran, ...first.failed.map((f: { name: string }) => f.name)].sort()).toEqual([...inline].sort());
    expect([...first.dispatched].sort()).toEqual([...fanOut].sort());

    const again = await app.invokeTick({ time: SLOT.iso.replace(':00.000Z', ':30.000Z') });
    expect(again.ran).toEqual([]);
    expect(again.dispatched).toEqual([]);
    expect([...again.skipped].sort(byName)).toEqual(
      [...[...inline, ...fanOut].map((name) => ({ name, reason: 'already-claimed' })), ...filtered].sort(byName),
    );
    const ranFirst = first.ran[0] as string | undefined;
    if (ranFirst) await app.waitFor(() => app.output().includes(`${SLOT.hhmm}:00  ✔ ${ranFirst}`), 10_000, 'the readable outcome line');
  });

  it('routes the dispatched fan-out task through the local EventBridge to its own function, which records its run', async () => {
    const [task] = (await dueAtSlot()).fanOut;
    const record = await app.waitForRun(task!, SLOT.iso, 'succeeded');
    expect(record).toMatchObject({ status: 'succeeded', owner: expect.any(String) });
    // Run by the task's own function, not by the tick.
    // The record is written before the outcome is logged: wait for the lines rather than race them.
    await app.waitFor(() => new RegExp(`${SLOT.hhmm}:00 {2}✔ ${task!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +ran in \\d+ ms`).test(app.output()), 10_000, 'the worker\'s outcome line');
    await app.waitFor(() => /\(λ: task\w+\) RequestId: [\w-]+/.test(app.output()), 10_000, 'the task function\'s invocation line');
    expect(app.output()).toMatch(/Tickwork: \d+ fan-out function\(s\) via eventbridge: task\w+/);
  });

  it('lends its table to the other commands for its stage, with no endpoint to copy from its log', async () => {
    const { inline } = await dueAtSlot();
    const env = offlineEnv();
    delete env.DYNAMODB_ENDPOINT;
    const result = await run(process.execPath, ['dist/src/cli/main.js', 'history', '--stage', 'starttest', '--since', SLOT.iso, '--json'], env, 60_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/^tickwork: stage starttest is running locally \(tickwork start, pid \d+\): using its DynamoDB at http:\/\/127\.0\.0\.1:\d+/m);
    const entries = JSON.parse(result.output.slice(result.output.indexOf('['))) as { task: string; slot: string }[];
    expect(entries.filter((e) => e.slot === SLOT.iso).map((e) => e.task)).toEqual(expect.arrayContaining(inline));
  });

  it('fails an invoke whose event has no usable time', async () => {
    const error = await app.invokeTick({ detail: 'nothing' });
    // serverless-offline always answers errorType "Error" (AWS uses the error's name); the stack's
    // first line carries the real type, which also proves minification kept the class name.
    expect(error.trace[0]).toMatch(/^InvalidTickEventError: The tick expects a schedule event with "scheduledTime"/);
  });

  it('fires the tick by itself at the next minute boundary', async () => {
    await app.waitFor(() => new RegExp(`tick (?!${SLOT.iso.slice(0, 16)})\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:00\\.000Z: \\d+ due, \\d+ ran`).test(app.output()), 75_000, 'a scheduled tick');
  });

  it('stops serverless offline and DynamoDB Local on SIGINT and exits 0', async () => {
    expect(findLocalStart(process.cwd(), 'starttest')).toMatchObject({ stage: 'starttest', endpoint: expect.stringMatching(/^http:/) });
    await expectCleanStop(app);
    expect(findLocalStart(process.cwd(), 'starttest')).toBeUndefined(); // the other commands no longer look there
  });
});

describe('npm start with an invalid kernel', () => {
  it('exits 1 before starting anything, naming the task and the field', async () => {
    const result = await run(process.execPath, ['dist/src/cli/main.js', 'start'], offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/bad-kernel.ts' }), 30_000);
    expect(result.code).toBe(1);
    expect(result.output).toContain('InvalidCronExpressionError: Task "reports:daily": invalid cron expression "0 25 * * *" in the hour ("25") field');
    expect(result.output).not.toContain('DynamoDB Local (pid');
  });
});

describe('tickwork start in a service that does not list serverless-offline', () => {
  it('says in one line which plugins to add, and exits 1 before starting anything', async () => {
    // test/fixtures/esbuild-service lists tickwork/serverless and serverless-esbuild only; its kernel has fan-out tasks.
    const env = offlineEnv();
    delete env.TICKWORK_KERNEL;
    delete env.TICKWORK_DISPATCHER;
    const result = await run(process.execPath, [join(root, 'dist/src/cli/main.js'), 'start'], env, 30_000, join(root, 'test/fixtures/esbuild-service'));
    expect(result.code).toBe(1);
    expect(result.output.split('\n').filter((line) => line.includes('plugins'))).toEqual([
      '[tickwork] TickworkError: tickwork start runs your stack on serverless-offline: add serverless-offline-aws-eventbridge and then serverless-offline to the plugins in serverless.yml, after tickwork/serverless (npm install --save-dev serverless-offline-aws-eventbridge serverless-offline if they are not installed)',
    ]);
    expect(result.output).not.toContain('DynamoDB Local (pid');
  });
});

describe('npm start without Java', () => {
  it('says in one line what to install, and exits 1', async () => {
    const result = await run(process.execPath, ['dist/src/cli/main.js', 'start'], offlineEnv({ PATH: '/nonexistent' }), 30_000);
    expect(result.code).toBe(1);
    const lines = result.output.split('\n').filter((line) => line.includes('Java'));
    expect(lines).toEqual([
      '[tickwork] TickworkError: DynamoDB Local needs Java 17+: install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB Local',
    ]);
  });
});
