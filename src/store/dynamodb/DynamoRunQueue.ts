import { keys } from '../keys.js';
import type { QueuedRun, RunQueue } from '../Store.js';
import { n, num, s, str, type DynamoTable, type Item } from './DynamoTable.js';

/** The deployment's queue of runs waiting for their time: one partition, sorted by due time. */
export class DynamoRunQueue implements RunQueue {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
  ) {}

  async enqueue(run: QueuedRun): Promise<boolean> {
    const result = await this.table.put(`queue a run of ${run.task}`, queueItem(this.deployment, run), { condition: 'attribute_not_exists(pk)' });
    return result.written;
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
