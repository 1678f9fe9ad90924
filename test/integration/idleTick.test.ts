import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Schedule } from '../../src/kernel/Schedule.js';
import { localSinks } from '../../src/runner/sinks.js';
import { runTick } from '../../src/runner/runTick.js';
import { freshStore, localClient } from './dynamo.js';

const logger = new Logger({ logLevel: 'SILENT' });
const MINUTE_MS = 60_000;
const at = (minute: number) => Date.UTC(2026, 10, 23, 10, minute);

/**
 * docs/design.md "Performance": a tick with nothing due and nothing queued is one DynamoDB request —
 * the conditional write that moves the tick state returns the pauses and the queue's mark with it —
 * and a due slot costs two (claim, outcome), with one more write a busy minute that settles its range
 * (docs/design.md "Failures and retries"). Counted on the client, against DynamoDB Local.
 */
describe('the DynamoDB requests of a tick', () => {
  const client = localClient();
  const sent: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => (sent.push(context.commandName ?? '?'), next(args)), { step: 'initialize', name: 'countRequests' });
  afterAll(() => client.destroy());
  const ran: string[] = [];
  const schedule = new Schedule();
  schedule.call(({ slot }) => void ran.push(`quarterly@${slot}`)).name('quarterly').cron('0 0 1 1,4,7,10 *');
  schedule.call(({ slot }) => void ran.push(`at4@${slot}`)).name('at4').cron('4 * * * *');
  schedule.call(({ slot }) => void ran.push(`once@${slot}`)).name('once').cron('0 3 1 1 *');

  const tickAt = async (store: Awaited<ReturnType<typeof freshStore>>, minute: number) => {
    sent.length = 0;
    const report = await runTick({
      tasks: schedule.compiled(), commands: schedule.commands, store, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-idle-'))), stage: 'test',
      minute: new Date(minute), owner: `tick-${minute}`, deadline: minute + 50_000, now: () => minute + 1_000, logger,
    });
    return { report, requests: [...sent] };
  };

  it('is one conditional UpdateItem when nothing is due and nothing queued; two more per due slot, and one that settles a busy minute', async () => {
    const store = await freshStore(client);
    await tickAt(store, at(0)); // the first tick ever also learns that nothing is queued
    expect((await tickAt(store, at(1))).requests).toEqual(['UpdateItemCommand']);
    expect((await tickAt(store, at(2))).requests).toEqual(['UpdateItemCommand']);
    // With pauses set, still one.
    await store.pause({ task: 'quarterly', note: 'audit', pausedAt: 1 });
    expect((await tickAt(store, at(3))).requests).toEqual(['UpdateItemCommand']);
    // 10:04: `at4` is due: a claim (PutItem), its outcome (UpdateItem), and the range settled (UpdateItem).
    const due = await tickAt(store, at(4));
    expect(due.report.ran).toEqual(['at4']);
    expect(due.requests).toEqual(['UpdateItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
  });

  it('closes a gap with nothing due in it in one more request, and one more to settle a gap that had slots', async () => {
    const store = await freshStore(client);
    for (const minute of [0, 1, 2]) await tickAt(store, at(minute));
    // 10:03–10:04 missed (`at4` at 10:04: caught up), 10:05 idle: the failed advance, the transaction, the
    // catch-up run's claim and outcome, and the settle.
    expect((await tickAt(store, at(5))).requests).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand', 'PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    // 10:06–10:09 missed, nothing due in them nor at 10:10: the failed advance and the transaction.
    expect((await tickAt(store, at(10))).requests).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand']);
    expect((await tickAt(store, at(11))).requests).toEqual(['UpdateItemCommand']);
  });

  it('reads the queue only once a queued run is due, runs it then, and is idle again after', async () => {
    const store = await freshStore(client);
    for (const minute of [0, 1, 2]) await tickAt(store, at(minute));
    await store.enqueue({ id: 'one-off', task: 'once', slot: `${new Date(at(5)).toISOString()}#one-off`, at: at(5), attempt: 0, enqueuedAt: at(0) });
    expect((await tickAt(store, at(3))).requests).toEqual(['UpdateItemCommand']);
    expect((await tickAt(store, at(4))).requests).toEqual(['UpdateItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']); // at4, not the queue
    const due = await tickAt(store, at(5));
    expect(due.report.queued).toBe(1);
    expect(ran).toContain(`once@${new Date(at(5)).toISOString()}#one-off`);
    expect((await tickAt(store, at(6))).requests).toEqual(['UpdateItemCommand']);
    expect(await store.dueRuns(at(60) + MINUTE_MS, 10)).toEqual([]);
  });
});
