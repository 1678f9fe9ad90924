import { ConditionalCheckFailedException, UpdateItemCommand, type CancellationReason, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { keys } from '../keys.js';
import type { QueuedRun, QueueMark, RunQueue } from '../Store.js';
import { keyOf, n, num, s, str, WRITE_TOKEN, type DynamoTable, type Item } from './DynamoTable.js';

/** The queue's mark on the tick-state item (see `QueueMark`). */
const QUEUE_EARLIEST = 'queueEarliest';
const QUEUE_VERSION = 'queueVersion';
/** Rounds of an enqueue before it gives up: each one means a tick moved the mark meanwhile. */
const MAX_ROUNDS = 5;

/**
 * The deployment's queue of runs waiting for their time: one partition, sorted by due time, and a
 * mark on the tick-state item — a lower bound on the earliest due time and a version — that every
 * enqueue moves in the same transaction as its run, so a tick with nothing due reads no queue.
 */
export class DynamoRunQueue implements RunQueue {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
  ) {}

  async enqueue(run: QueuedRun): Promise<boolean> {
    const { reasons, queued } = await enqueueWith(this.table, this.deployment, run, `queue a run of ${run.task}`, [], { replace: false });
    return reasons === undefined || queued;
  }

  async dueRuns(now: number, limit: number): Promise<QueuedRun[]> {
    const items = await this.table.query('read the queued runs', {
      KeyConditionExpression: 'pk = :pk AND sk <= :until',
      ExpressionAttributeValues: { ':pk': s(keys.queue(this.deployment)), ':until': s(keys.queuedUntil(now)) },
      Limit: limit,
    });
    return items.map(toQueuedRun);
  }

  async dequeue(run: Pick<QueuedRun, 'id' | 'at' | 'attempt'>): Promise<boolean> {
    // Gone already counts as done, so a retry of a delete whose reply was lost succeeds too; a run
    // queued again since (a later attempt) stays.
    const result = await this.table.delete(`remove the queued run ${run.id}`, { pk: keys.queue(this.deployment), sk: keys.queued(run.at, run.id) }, {
      condition: 'attribute_not_exists(pk) OR attempt = :attempt',
      values: { ':attempt': n(run.attempt) },
    });
    return result.written;
  }
}

export function queueItem(deployment: string, run: QueuedRun): Item {
  return {
    pk: s(keys.queue(deployment)),
    sk: s(keys.queued(run.at, run.id)),
    id: s(run.id),
    task: s(run.task),
    slot: s(run.slot),
    at: n(run.at),
    attempt: n(run.attempt),
    enqueuedAt: n(run.enqueuedAt),
    ...(run.payload === undefined ? {} : { payload: s(run.payload) }),
    ...(run.lastError === undefined ? {} : { lastError: s(run.lastError) }),
  };
}

function toQueuedRun(item: Item): QueuedRun {
  const payload = str(item, 'payload');
  const lastError = str(item, 'lastError');
  return {
    id: str(item, 'id') ?? '',
    task: str(item, 'task') ?? '',
    slot: str(item, 'slot') ?? '',
    at: num(item, 'at') ?? 0,
    attempt: num(item, 'attempt') ?? 0,
    enqueuedAt: num(item, 'enqueuedAt') ?? 0,
    ...(payload === undefined ? {} : { payload }),
    ...(lastError === undefined ? {} : { lastError }),
  };
}

/** The queue's mark as a tick-state item holds it. */
export function queueMarkOf(item: Item | undefined): QueueMark {
  return { earliest: num(item, QUEUE_EARLIEST), version: str(item, QUEUE_VERSION) };
}

/**
 * Queues `run` in one transaction with `others` (a released claim) and the mark's move: the mark goes
 * down to the run's time if that is earlier, and takes a fresh version either way. Which of the two
 * writes the mark needs depends on the mark, so each is conditional on it; a tick moving the mark in
 * between sends the loop round again. With `replace`, a run queued under the same key is rewritten in
 * place (a released retry of a queued run); without, it stays and this one is not queued. Returns the
 * cancellation reasons of the last round (undefined when it went through) — `reasons[0…]` for
 * `others` — and whether the run is queued: `false` when one with the same key was queued before, by
 * anyone else.
 */
export async function enqueueWith(
  table: DynamoTable,
  deployment: string,
  run: QueuedRun,
  action: string,
  others: readonly TransactWriteItem[],
  { replace }: { readonly replace: boolean },
): Promise<{ readonly reasons: readonly CancellationReason[] | undefined; readonly queued: boolean }> {
  const token = randomUUID();
  const version = randomUUID();
  let lowers = true;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const mark: TransactWriteItem = {
      Update: {
        TableName: table.name,
        Key: keyOf({ pk: keys.tick(deployment), sk: keys.tickState }),
        UpdateExpression: lowers ? 'SET #earliest = :at, #version = :version' : 'SET #version = :version',
        ConditionExpression: lowers ? 'attribute_not_exists(#earliest) OR #earliest >= :at' : '#earliest < :at',
        ExpressionAttributeNames: { '#earliest': QUEUE_EARLIEST, '#version': QUEUE_VERSION },
        ExpressionAttributeValues: { ':at': n(run.at), ':version': s(version) },
      },
    };
    const put: TransactWriteItem = {
      Put: {
        TableName: table.name,
        Item: { ...queueItem(deployment, run), [WRITE_TOKEN]: s(token) },
        ...(replace ? {} : { ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
      },
    };
    const reasons = await table.transact(action, [...others, put, mark]);
    if (reasons === undefined) return { reasons, queued: true };
    const [queuedBefore, markMoved] = [reasons[others.length], reasons[others.length + 1]];
    if (queuedBefore?.Code === 'ConditionalCheckFailed') {
      // Our own run, written by a first attempt whose reply was lost: queued. Anyone else's: not ours.
      return { reasons, queued: queuedBefore.Item?.[WRITE_TOKEN]?.S === token };
    }
    if (markMoved?.Code !== 'ConditionalCheckFailed' || reasons.slice(0, others.length).some((r) => r.Code === 'ConditionalCheckFailed')) return { reasons, queued: false };
    // The mark was not where this round assumed: lower than the run (keep it, only version it), or
    // above it (lower it). A tick's settleQueue moved it; go again with the other write.
    lowers = !lowers;
  }
  throw table.fail(action, new Error(`the queue's mark kept moving for ${MAX_ROUNDS} rounds`));
}

/**
 * Moves the mark to the earliest run still queued (none: no mark), only if no run was queued since
 * the tick saw `seen`; a mark of unknown version (a table from before marks) gets one. One Query and
 * one conditional write; losing the condition leaves a mark that is still a lower bound.
 */
export async function settleQueue(table: DynamoTable, deployment: string, seen: QueueMark): Promise<void> {
  const [next] = await table.query('read the earliest queued run', {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': s(keys.queue(deployment)) },
    Limit: 1,
  });
  const earliest = num(next, 'at');
  const values: Item = seen.version === undefined ? { ':fresh': s(randomUUID()) } : { ':seen': s(seen.version) };
  if (earliest !== undefined) values[':earliest'] = n(earliest);
  const sets = [...(earliest === undefined ? [] : ['#earliest = :earliest']), ...(seen.version === undefined ? ['#version = :fresh'] : [])];
  const update = [...(sets.length === 0 ? [] : [`SET ${sets.join(', ')}`]), ...(earliest === undefined ? ['REMOVE #earliest'] : [])].join(' ');
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: keyOf({ pk: keys.tick(deployment), sk: keys.tickState }),
        UpdateExpression: update,
        ConditionExpression: seen.version === undefined ? 'attribute_not_exists(#version)' : '#version = :seen',
        ExpressionAttributeNames: { '#earliest': QUEUE_EARLIEST, '#version': QUEUE_VERSION },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    // A run queued since (a new version): its enqueue set the mark, which stays a lower bound.
    if (!(error instanceof ConditionalCheckFailedException)) throw table.fail("settle the queue's mark", error);
  }
}
