import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { operateSchedule, operateTimeline, tickAt } from '../unit/operate/ticks.js';
import { offlineEnv, root, runTickwork, type TickworkRun } from './cli.js';
import { localClient } from './dynamo.js';

const KERNEL = 'test/fixtures/operate-kernel.ts';
const STAGE = 'operatetest';
/** The DST day lives in a deployment of its own, so its tick does not open a gap in the main timeline. */
const DST_DEPLOYMENT = 'operatedst';
/** A deployment whose tick claimed beat's 10:01 slot and died, with no Lambda retry to settle it. */
const STRANDED_DEPLOYMENT = 'operatestranded';

type Finished = TickworkRun;
const run = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Finished> => runTickwork(args, env);

function errorLines(result: Finished): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

/** The table rows of cli-table3 output, cells trimmed. */
function rows(output: string): string[][] {
  return output.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

function expectUsageError(result: Finished, message: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(errorLines(result)).toHaveLength(1);
  expect(errorLines(result)[0]).toContain(message);
}

describe('tickwork history, monitor and why on DynamoDB Local', () => {
  const tableName = `test-operate-${randomUUID()}`;
  const client = localClient();
  let cli: (...args: string[]) => Promise<Finished>;

  beforeAll(async () => {
    const schedule = operateSchedule();
    const store = new DynamoDbStore({ tableName, client, deployment: STAGE });
    await store.ensureTable();
    await operateTimeline(schedule, store);
    await tickAt(schedule, new DynamoDbStore({ tableName, client, deployment: DST_DEPLOYMENT }), '2026-03-08T07:00:00Z');
    const stranded = new DynamoDbStore({ tableName, client, deployment: STRANDED_DEPLOYMENT });
    const claim = await stranded.claimSlot({ task: 'beat', slot: '2026-11-23T10:01:00.000Z', owner: 'tick@dead', claimedAt: Date.parse('2026-11-23T10:01:00.100Z') });
    expect(claim.claimed).toBe(true);
    // The AWS SDK warns about this Node.js version on stderr; that is not the output under test.
    const env = offlineEnv({ DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
    cli = (command, ...args) => run([command, '--stage', STAGE, '--table', tableName, ...args], env);
  }, 60_000);
  afterAll(() => client.destroy());

  it('history: a task\'s runs and missed slots, newest first, as a plain table when piped', async () => {
    const result = await cli('history', 'beat', '--since', '2026-11-23T10:00:00Z');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('\u001b[');
    const [head, ...table] = rows(result.stdout);
    expect(head).toEqual(['slot (UTC)', 'task', 'status', 'duration', 'late by', 'attempt', 'reason / error']);
    expect(table[0]).toEqual(['2026-11-23T10:06:00Z', 'beat', 'succeeded', expect.any(String), expect.any(String), '', '']);
    expect(table[2]).toEqual(['2026-11-23T10:03:00Z … 2026-11-23T10:04:00Z', 'beat', 'missed', '', '', '', 'coalesced (2 slots)']);
    expect(table.map((r) => r[0])).toEqual([
      '2026-11-23T10:06:00Z', '2026-11-23T10:05:00Z', '2026-11-23T10:03:00Z … 2026-11-23T10:04:00Z',
      '2026-11-23T10:02:00Z', '2026-11-23T10:01:00Z', '2026-11-23T10:00:00Z',
    ]);
  });

  it('history --json: every task merged, with reasons and errors, limited', async () => {
    const result = await cli('history', '--json', '--since', '2026-11-23T10:06:00Z', '--limit', '3');
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as { task: string; status: string; reason?: string; error?: string }[];
    expect(entries.map((e) => [e.task, e.status, e.reason ?? e.error])).toEqual([
      ['beat', 'succeeded', undefined],
      ['flaky', 'failed', 'Error: upstream down'],
      ['quiet', 'skipped', 'paused'],
    ]);
  });

  it('history: an unknown task, a bad --since or --limit is a usage error (exit 2, one line)', async () => {
    expectUsageError(await cli('history', 'beet'), 'error: unknown task "beet": the kernel has "beat", "flaky", "quiet", "nightly"');
    expectUsageError(await cli('history', '--since', 'last tuesday'), 'error: --since expects an ISO-8601 time such as 2026-11-23T10:00:00Z or a duration such as 2h or 7d, got "last tuesday"');
    expectUsageError(await cli('history', '--limit', '0'), 'error: --limit expects a whole number from 1 to 1000, got "0"');
    // A date that does not exist is refused, not rolled over (30 February would read as 2 March).
    expectUsageError(await cli('history', '--since', '2026-02-30T10:00:00Z'), 'error: --since expects an ISO-8601 time');
    expectUsageError(await cli('history', '--since', '2099-01-01T00:00:00Z'), 'error: --since 2099-01-01T00:00:00.000Z is later than now');
  });

  it('monitor: one line per task, FAILING for the failing one, exit 1', async () => {
    const result = await cli('monitor', '--at', '2026-11-23T10:06:30Z');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('scheduler (2026-11-23T10:06:30Z): last tick 2026-11-23T10:06:00Z\n');
    const byTask = new Map(rows(result.stdout).map((r) => [r[0], r]));
    expect(byTask.get('beat')).toEqual(['beat', '2026-11-23T10:06:00.100Z', '2026-11-23T10:06:00.100Z succeeded', '—', '2026-11-23T10:07:00Z', 'ok']);
    expect(byTask.get('flaky')?.[5]).toBe('FAILING');
    expect(byTask.get('nightly')).toEqual(['nightly', '—', '—', '—', '2026-11-24T07:30:00Z', 'ok']);
    // Paused: its slots are recorded skipped, so it is neither late nor failing, and the line says why.
    expect(byTask.get('quiet')?.[5]).toBe('paused since 2026-11-23T09:59:00Z: migrating');
    expect(errorLines(result)).toEqual(['TickworkError: monitor: flaky failing']);
  });

  it('monitor --json: late tasks and a stopped tick', async () => {
    const result = await cli('monitor', '--json', '--at', '2026-11-23T10:10:00Z');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; scheduler: { late: boolean }; tasks: { task: string; late?: unknown }[] };
    expect(report.ok).toBe(false);
    expect(report.scheduler.late).toBe(true);
    expect(report.tasks.find((t) => t.task === 'beat')?.late).toEqual({ slot: '2026-11-23T10:08:00.000Z', why: 'no record' });
    expectUsageError(await cli('monitor', '--at', 'noon'), 'error: --at expects an ISO-8601 time');
  });

  it('why: the DST gap — 02:30 does not exist in New York on 2026-03-08, so the slot is 07:00Z', async () => {
    const result = await cli('why', 'nightly', '--at', '2026-03-08T07:00:00Z', '--deployment', DST_DEPLOYMENT);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^nightly @ 2026-03-08T07:00:00.000Z \(Sun 2026-03-08 03:00 America\/New_York\): ran: succeeded in /);
    const steps = new Map(rows(result.stdout).map((r) => [r[0], r[1]]));
    expect([...steps.keys()]).toEqual(['expression', 'dst', 'filters', 'pause', 'claim', 'outcome', 'tick']);
    expect(steps.get('expression')).toBe('"30 2 * * *" names 02:30, which does not exist that day; it runs once, at the first instant after the gap: Sun 2026-03-08 03:00 in America/New_York');
    expect(steps.get('dst')).toBe('clocks in America/New_York jumped from 02:00 to 03:00: 02:00–02:59 did not exist; a fixed-time occurrence in the gap runs once, now');
    expect(steps.get('claim')).toBe('claimed by tick@2026-03-08T07:00:00Z at 2026-03-08T07:00:00.100Z');
  });

  it('why: a paused slot, a claimed failed one, a coalesced one, and a future one', async () => {
    const paused = await cli('why', 'quiet', '--at', '2026-11-23T10:01:00Z');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.split('\n')[0]).toContain(': skipped: paused');

    const failed = await cli('why', 'flaky', '--at', '2026-11-23T10:02:00Z', '--json');
    expect(failed.code, failed.stderr).toBe(0);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      verdict: 'ran and failed: Error: upstream down',
      record: { owner: 'tick@2026-11-23T10:02:00Z', status: 'failed' },
      findings: expect.arrayContaining([{ step: 'claim', finding: expect.stringMatching(/^claimed by tick@2026-11-23T10:02:00Z at /) }]),
    });

    const coalesced = await cli('why', 'beat', '--at', '2026-11-23T10:04:00Z', '--json');
    expect(JSON.parse(coalesced.stdout)).toMatchObject({ verdict: 'missed: coalesced (the same catch-up kept a later slot of the task to run: see that slot)', missed: [{ from: '2026-11-23T10:03:00.000Z', to: '2026-11-23T10:04:00.000Z', reason: 'coalesced' }] });

    const future = await cli('why', 'quiet', '--at', '2099-01-01T00:00:00Z', '--json');
    expect(JSON.parse(future.stdout)).toMatchObject({ future: true, verdict: 'would be skipped: paused (migrating), unless resumed first' });
  });

  it('history, why and monitor: a run its dead tick left running reads as having no outcome once no invocation can be behind it', async () => {
    const noOutcome = 'no outcome: started 2026-11-23T10:01:00.100Z, longer ago than any Lambda invocation lasts (15 minutes)';
    const table = await cli('history', 'beat', '--since', '2026-11-23T10:00:00Z', '--deployment', STRANDED_DEPLOYMENT);
    expect(table.code, table.stderr).toBe(0);
    expect(rows(table.stdout)[1]?.slice(0, 3)).toEqual(['2026-11-23T10:01:00Z', 'beat', 'no outcome']);
    const json = await cli('history', 'beat', '--since', '2026-11-23T10:00:00Z', '--deployment', STRANDED_DEPLOYMENT, '--json');
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ slot: '2026-11-23T10:01:00.000Z', status: 'running', stranded: true, error: expect.stringContaining(noOutcome) })]);

    const why = await cli('why', 'beat', '--at', '2026-11-23T10:01:00Z', '--deployment', STRANDED_DEPLOYMENT, '--json');
    expect(why.code, why.stderr).toBe(0);
    expect(JSON.parse(why.stdout)).toMatchObject({ verdict: expect.stringContaining(noOutcome), record: { owner: 'tick@dead', status: 'running', stranded: true } });

    // 10:17:00.1 is the last instant an invocation could still be running it (15 minutes, and a minute of skew).
    const before = await cli('monitor', '--json', '--at', '2026-11-23T10:17:00.100Z', '--deployment', STRANDED_DEPLOYMENT);
    expect(JSON.parse(before.stdout).tasks.find((t: { task: string }) => t.task === 'beat')).toMatchObject({ failing: false });
    const after = await cli('monitor', '--json', '--at', '2026-11-23T10:17:01Z', '--deployment', STRANDED_DEPLOYMENT);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout).tasks.find((t: { task: string }) => t.task === 'beat')).toMatchObject({
      failing: true,
      lastFailure: { slot: '2026-11-23T10:01:00.000Z', at: '2026-11-23T10:01:00.100Z', stranded: true, error: expect.stringContaining(noOutcome) },
    });
    const monitorTable = await cli('monitor', '--at', '2026-11-23T10:17:01Z', '--deployment', STRANDED_DEPLOYMENT);
    expect(rows(monitorTable.stdout).find((r) => r[0] === 'beat')?.[3]).toBe('2026-11-23T10:01:00.100Z no outcome');
  });

  it('why: no --at, a bad time or an unknown task is a usage error (exit 2, one line)', async () => {
    expectUsageError(await cli('why', 'beat'), "error: required option '--at <time>' not specified");
    expectUsageError(await cli('why', 'beat', '--at', 'yesterday'), 'error: --at expects an ISO-8601 time such as 2026-11-23T10:00:00Z, got "yesterday"');
    for (const unreal of ['2026-02-30T10:00:00Z', '2026-11-30T24:00:00Z', '2026-13-01', '2026-11-30T10:60Z']) {
      expectUsageError(await cli('why', 'beat', '--at', unreal), `error: --at expects an ISO-8601 time such as 2026-11-23T10:00:00Z, got "${unreal}"`);
    }
    expectUsageError(await cli('why', 'beet', '--at', '2026-11-23T10:00:00Z'), 'error: unknown task "beet"');
  });
});
