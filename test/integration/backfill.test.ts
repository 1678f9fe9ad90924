import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, root, runTickwork, type TickworkRun } from './cli.js';
import { localClient } from './dynamo.js';
import { putEventsEntries, putEventsReply, startAwsStub } from '../unit/dispatch/awsStub.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';
/** Every task of this kernel is due every minute (see the file). */
const KERNEL = 'test/fixtures/run-kernel.ts';
const STAGE = 'backfilltest';
const MINUTE_MS = 60_000;


type Finished = TickworkRun;
const run = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Finished> => runTickwork(args, env);

/** A whole minute `minutes` before the current one, as ISO. */
function minutesAgo(minutes: number): string {
  return new Date((Math.floor(Date.now() / MINUTE_MS) - minutes) * MINUTE_MS).toISOString();
}

function expectUsageError(result: Finished, ...fragments: string[]): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
}

describe('tickwork backfill on DynamoDB Local', () => {
  const tableName = `test-backfill-${randomUUID()}`;
  const client = localClient();
  const store = new DynamoDbStore({ tableName, client, deployment: STAGE });
  let backfill: (...args: string[]) => Promise<Finished>;

  beforeAll(() => {
    // The AWS SDK warns about this Node.js version on stderr; that is not the output under test.
    const env = offlineEnv({ DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
    backfill = (...args) => run(['backfill', '--stage', STAGE, '--table', tableName, ...args], env);
  });
  afterAll(() => client.destroy());

  it('--dry-run lists the slots that would run and writes nothing; no progress bar when stderr is not a terminal', async () => {
    const from = minutesAgo(30);
    const to = minutesAgo(28);
    const result = await backfill('greet', '--from', from, '--to', to, '--dry-run');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`dry run: backfill greet from ${from.replace('.000Z', 'Z')} to ${to.replace('.000Z', 'Z')} (inline, in this process)`);
    const slots = [0, 1, 2].map((m) => new Date(Date.parse(from) + m * MINUTE_MS).toISOString());
    expect(lines.slice(1, 4).map((line) => line.trim())).toEqual(slots.map((slot) => `○ ${slot.replace('.000Z', 'Z')}  would run`));
    expect(lines[4]).toBe('3 slot(s): 3 would-run');
    expect(result.stdout).not.toContain('\u001b[');
    expect(await store.getRun('greet', slots[1]!)).toBeUndefined();
  });

  it('draws a progress bar on stderr when it is a terminal (a pseudo-terminal from util-linux script)', async () => {
    const from = minutesAgo(40);
    const to = new Date(Date.parse(from) + 3 * MINUTE_MS).toISOString();
    const env = offlineEnv({ DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
    const command = [process.execPath, TICKWORK, 'backfill', 'greet', '--stage', STAGE, '--table', tableName, '--from', from, '--to', to, '--dry-run'].join(' ');
    const output = await new Promise<string>((resolve, reject) => {
      execFile('script', ['-qec', command, '/dev/null'], { cwd: root, env, timeout: 30_000 }, (error, stdout) => (error === null ? resolve(stdout) : reject(error)));
    });
    expect(output).toContain('backfill [');
    expect(output).toContain('4/4 slots');
    // On a terminal the report is in colour; piped (the other tests), it is plain.
    expect(output).toContain('\u001b[');
  });

  it('runs the slots under their real identities, then leaves them alone: a second backfill reports each holder', async () => {
    const from = minutesAgo(20);
    const to = minutesAgo(19);
    const first = await backfill('greet', '--from', from, '--to', to, '--json');
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { owner: string; runsIn: string; slots: { slot: string; outcome: string; status?: string }[] };
    expect(report.runsIn).toBe('inline');
    expect(report.owner).toMatch(/^backfill-[0-9a-f-]{36}$/);
    expect(report.slots).toEqual([
      expect.objectContaining({ slot: from, outcome: 'ran', status: 'succeeded' }),
      expect.objectContaining({ slot: to, outcome: 'ran', status: 'succeeded' }),
    ]);
    expect(await store.getRun('greet', from)).toMatchObject({ owner: report.owner, status: 'succeeded', output: 'hello from greet\n' });

    const second = await backfill('greet', '--from', new Date(Date.parse(from) - MINUTE_MS).toISOString(), '--to', to);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`already claimed by ${report.owner} (succeeded): left alone`);
    expect(second.stdout).toMatch(/3 slot\(s\): 1 succeeded, 2 already-claimed\n$/);
  });

  it('says a slot a dead tick left running has no outcome, and leaves it alone', async () => {
    const slot = minutesAgo(35); // a minute no other test here uses
    // Claimed when its minute came, by a tick that died; no Lambda retry settled it.
    expect((await store.claimSlot({ task: 'greet', slot, owner: 'tick@dead', claimedAt: Date.parse(slot) + 100 })).claimed).toBe(true);
    const result = await backfill('greet', '--from', slot, '--to', slot);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('already claimed by tick@dead (running, no outcome): left alone');
    expect(await store.getRun('greet', slot)).toMatchObject({ owner: 'tick@dead', status: 'running' });
  });

  it('exits 1 when a slot it ran failed, with the failure on the record', async () => {
    const slot = minutesAgo(15);
    const result = await backfill('fails', '--from', slot, '--to', slot);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ran: failed: Error: upstream unavailable');
    expect(await store.getRun('fails', slot)).toMatchObject({ status: 'failed', error: 'Error: upstream unavailable' });
  });

  it('a fan-out task with no dispatcher configured: the claim is released and queued for the deployed tick', async () => {
    const slot = minutesAgo(12);
    const result = await backfill('remote', '--from', slot, '--to', slot);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('not dispatched: no dispatcher configured (queued for the deployed tick to send)');
    expect(await store.getRun('remote', slot)).toBeUndefined();
    expect((await store.dueRuns(Date.now(), 10)).filter((q) => q.task === 'remote')).toEqual([expect.objectContaining({ slot, attempt: 1 })]);
  });

  it('a fan-out task with TICKWORK_DISPATCHER set: claimed and sent through the dispatcher the tick Lambda builds', async () => {
    // EventBridge's PutEvents, answered by a local stub the real SDK client talks to.
    const stub = await startAwsStub((request) => putEventsReply(request));
    try {
      const slot = minutesAgo(10);
      const env = offlineEnv({
        DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1',
        TICKWORK_DISPATCHER: 'eventbridge', TICKWORK_BUS: 'tickwork-backfilltest', AWS_ENDPOINT_URL_EVENTBRIDGE: stub.endpoint,
        AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
      });
      const result = await run(['backfill', 'remote', '--stage', STAGE, '--table', tableName, '--from', slot, '--to', slot, '--json'], env);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { owner: string; runsIn: string; slots: unknown[] };
      expect(report.runsIn).toBe('lambda');
      expect(report.slots).toEqual([{ slot, outcome: 'dispatched' }]);
      const sent = stub.requests.flatMap(putEventsEntries);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ Source: 'tickwork', DetailType: 'Tickwork Task Due', EventBusName: 'tickwork-backfilltest' });
      expect(JSON.parse(sent[0]!.Detail)).toMatchObject({ task: 'remote', slot, owner: report.owner, deployment: STAGE, attempt: 1 });
      expect(await store.getRun('remote', slot)).toMatchObject({ status: 'dispatched', owner: report.owner });
    } finally {
      await stub.close();
    }
  });

  it('refuses, with exit 2, one line and nothing written: an unknown task, a reversed or future range, too many slots', async () => {
    expectUsageError(await backfill('nope', '--from', minutesAgo(5), '--to', minutesAgo(4)), 'unknown task "nope"', '"greet"');
    expectUsageError(await backfill('greet', '--from', minutesAgo(4), '--to', minutesAgo(5)), 'is after to');
    expectUsageError(await backfill('greet', '--from', minutesAgo(5), '--to', minutesAgo(-5)), 'is in the future');
    expectUsageError(await backfill('greet', '--from', minutesAgo(9), '--to', minutesAgo(5), '--limit', '3'), 'has 5 slots', 'more than the limit of 3', '--limit');
    expectUsageError(await backfill('greet', '--from', 'yesterday', '--to', minutesAgo(5)), '--from expects an ISO-8601 time');
    expectUsageError(await backfill('greet', '--to', minutesAgo(5)), "'--from <time>' not specified");
    for (const m of [4, 5, 6, 7, 8, 9]) expect(await store.getRun('greet', minutesAgo(m))).toBeUndefined();
  });
});
