import type { AttributeValue, CancellationReason, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { FAILURE_REASON, MISS_REASON, RUN_STATUS, type MissReason, type RunReason, type RunStatus } from '../../vocabulary.js';
import { keys } from '../keys.js';
import { OUTCOME_FIELDS, RUN_TRANSITIONS } from '../runTransitions.js';
import { SHARED_SCOPE, type ClaimResult, type MissedRecord, type QueuedRun, type RunOutcome, type RunRecord, type RunRecords, type RunStart, type SlotClaim, type SlotRange, type StartResult } from '../Store.js';
import { TTL_ATTRIBUTE } from '../tableDefinition.js';
import { inList, keyOf, n, num, s, str, purgeAt, type DynamoTable, type Item } from './DynamoTable.js';
import { enqueueWith } from './DynamoRunQueue.js';

/** Claims and run records on DynamoDB: one item per `(task, slot)`, each transition one conditional write (see `RUN_TRANSITIONS`). */
export class DynamoRunRecords implements RunRecords {
  constructor(
    private readonly table: DynamoTable,
    /** The key space claims live in: the deployment, or the shared scope. */
    private readonly scope: string,
    private readonly retentionMs: number,
  ) {}

  async claimSlot(claim: SlotClaim): Promise<ClaimResult> {
    const status: RunStatus = claim.decided?.status ?? (claim.dispatch === true ? RUN_STATUS.dispatched : RUN_STATUS.running);
    const takeOver = inList('takeOver', RUN_TRANSITIONS.takeOver.from);
    // The claims of one tick go out together (`putTogether`): a handful of requests for a busy minute.
    const result = await this.table.putTogether(
      `claim ${claim.task} @ ${claim.slot}`,
      {
        ...keyOf(this.#key(claim.task, claim.slot)),
        task: s(claim.task),
        slot: s(claim.slot),
        owner: s(claim.owner),
        status: s(status),
        claimedAt: n(claim.claimedAt),
        ...(claim.decided === undefined
          ? {}
          : { reason: s(claim.decided.reason), finishedAt: n(claim.claimedAt), ...(claim.decided.error === undefined ? {} : { error: s(claim.decided.error) }) }),
        [TTL_ATTRIBUTE]: this.#purgeAt(claim.claimedAt),
      },
      // RUN_TRANSITIONS: claim, or take over a dispatched claim that was never sent.
      claim.dispatch === true
        ? {
            condition: `attribute_not_exists(pk) OR (#status IN (${takeOver.list}) AND (#owner = :owner OR claimedAt < :staleBefore))`,
            names: { '#status': 'status', '#owner': 'owner' },
            values: { ...takeOver.values, ':owner': s(claim.owner), ':staleBefore': n(claim.takeOverDispatchedBefore ?? 0) },
          }
        : { condition: 'attribute_not_exists(pk)' },
    );
    if (result.written) return { claimed: true };
    const holder = result.item;
    const worker = str(holder, 'worker');
    return {
      claimed: false,
      holder: { owner: str(holder, 'owner') ?? 'unknown', claimedAt: num(holder, 'claimedAt') ?? 0, status: (str(holder, 'status') ?? RUN_STATUS.running) as RunStatus, ...(worker === undefined ? {} : { worker }) },
    };
  }

  async startRun(start: RunStart): Promise<StartResult> {
    const first = inList('start', RUN_TRANSITIONS.start.from);
    const again = inList('restart', RUN_TRANSITIONS.restart.from);
    const result = await this.table.update(
      `start ${start.task} @ ${start.slot}`,
      this.#key(start.task, start.slot),
      { set: '#status = :running, worker = :worker, startedAt = :startedAt', rest: 'ADD attempts :one' },
      {
        // RUN_TRANSITIONS: start, restart. A duplicate delivery finds the run started or finished and is refused.
        condition: `#owner = :owner AND (#status IN (${first.list}) OR (#status IN (${again.list}) AND attempts <= :retries AND (attribute_not_exists(#reason) OR #reason <> :abandoned)))`,
        names: { '#owner': 'owner', '#status': 'status', '#reason': 'reason' },
        values: {
          ...first.values,
          ...again.values,
          ':owner': s(start.owner),
          ':worker': s(start.worker),
          ':startedAt': n(start.startedAt),
          ':running': s(RUN_STATUS.running),
          ':retries': n(start.retries),
          ':abandoned': s(FAILURE_REASON.abandoned),
          ':one': n(1),
        },
      },
    );
    if (result.written) return { started: true, attempt: num(result.item, 'attempts') ?? 1 };
    const worker = str(result.item, 'worker');
    return { started: false, status: str(result.item, 'status') as RunStatus | undefined, ...(worker === undefined ? {} : { worker }) };
  }

  /**
   * `Store.releaseDispatch`, one TransactWriteItems: the claim's conditional delete, the lease's release
   * (`lease`, from `DynamoLeases.releaseInTransaction`, when it goes too), the retry's put and the
   * queue's mark succeed or fail together. A claim already gone was released by this very call (only
   * the owner's release deletes a dispatched claim, and the SDK's retry of a transaction whose reply
   * was lost lands here), so that counts as released: the same transaction queued the retry.
   */
  async releaseDispatch(request: { task: string; slot: string; owner: string; onOneServer: boolean; retry: QueuedRun }, lease?: TransactWriteItem['Update']): Promise<boolean> {
    const release = inList('release', RUN_TRANSITIONS.release.from);
    const claim: TransactWriteItem = {
      Delete: {
        TableName: this.table.name,
        Key: keyOf({ pk: keys.task(request.onOneServer ? SHARED_SCOPE : this.scope, request.task), sk: keys.run(request.slot) }),
        // RUN_TRANSITIONS: release.
        ConditionExpression: `#owner = :owner AND #status IN (${release.list})`,
        ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
        ExpressionAttributeValues: { ...release.values, ':owner': s(request.owner) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    const action = `release the dispatch of ${request.task} @ ${request.slot}`;
    // The retry is queued in the same transaction, with the queue's mark (see `enqueueWith`); a queued
    // run's retry keeps its key and is rewritten in place, with its next attempt.
    const send = async (others: TransactWriteItem[]) => (await enqueueWith(this.table, this.scope, request.retry, action, others, { replace: true })).reasons;
    // Gone already (no item to report): this same call released it, on an attempt whose reply was lost
    // (with the lease, if it went too).
    const released = (reasons: readonly CancellationReason[] | undefined) => reasons === undefined || (reasons[0]?.Code === 'ConditionalCheckFailed' && reasons[0].Item === undefined);
    const first = await send(lease === undefined ? [claim] : [claim, { Update: lease }]);
    if (released(first) || lease === undefined || first?.[0]?.Code === 'ConditionalCheckFailed') return released(first);
    // Only the lease's condition failed: it lapsed or was taken meanwhile, and is no longer this claim's to release.
    return released(await send([claim]));
  }

  async completeRun(outcome: RunOutcome): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#owner': 'owner' };
    const values: Record<string, AttributeValue> = { ':status': s(outcome.status), ':finishedAt': n(outcome.finishedAt), ':owner': s(outcome.owner) };
    const sets = ['#status = :status', 'finishedAt = :finishedAt'];
    const removes: string[] = [];
    for (const key of ['startedAt', 'latenessMs'] as const) {
      const value = outcome[key];
      if (value === undefined) continue;
      sets.push(`${key} = :${key}`);
      values[`:${key}`] = n(value);
    }
    for (const key of OUTCOME_FIELDS) {
      const value = outcome[key];
      names[`#${key}`] = key;
      if (value === undefined) {
        removes.push(`#${key}`);
        continue;
      }
      sets.push(`#${key} = :${key}`);
      values[`:${key}`] = typeof value === 'number' ? n(value) : s(value);
    }
    // RUN_TRANSITIONS: complete.
    let condition = 'attribute_exists(pk) AND #owner = :owner';
    if (outcome.ifStatus !== undefined) {
      condition += ' AND #status = :ifStatus';
      values[':ifStatus'] = s(outcome.ifStatus);
    }
    // Outcomes recorded together (a busy minute's inline runs ending together) go out together.
    const result = await this.table.updateTogether(
      `record the outcome of ${outcome.task} @ ${outcome.slot}`,
      this.#key(outcome.task, outcome.slot),
      { set: sets.join(', '), ...(removes.length === 0 ? {} : { rest: `REMOVE ${removes.join(', ')}` }) },
      { condition, names, values },
    );
    return result.written;
  }

  async getRun(task: string, slot: string): Promise<RunRecord | undefined> {
    const item = await this.table.get(`read the run of ${task} @ ${slot}`, this.#key(task, slot));
    return item === undefined ? undefined : toRunRecord(item);
  }

  async lastRun(task: string): Promise<RunRecord | undefined> {
    const [item] = await this.table.query(`read the last run of ${task}`, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
      ExpressionAttributeValues: { ':pk': s(keys.task(this.scope, task)), ':run': s(keys.run('')) },
      // Slots are ISO strings, so the newest sorts last: read backwards, one item.
      ScanIndexForward: false,
      Limit: 1,
    });
    return item === undefined ? undefined : toRunRecord(item);
  }

  async recordMissed(missed: MissedRecord): Promise<boolean> {
    // Put only if absent: repeating it (a retry, a duplicate tick) changes nothing.
    const { written } = await this.table.put(
      `record missed slots of ${missed.task}`,
      {
        ...keyOf({ pk: keys.task(this.scope, missed.task), sk: keys.missed(missed.from, missed.reason) }),
        task: s(missed.task),
        status: s('missed'),
        from: s(missed.from),
        to: s(missed.to),
        count: n(missed.count),
        reason: s(missed.reason),
        tick: s(missed.tick),
        [TTL_ATTRIBUTE]: this.#purgeAt(Date.parse(missed.tick)),
      },
      { condition: 'attribute_not_exists(pk)' },
    );
    return written;
  }

  async runsBetween(task: string, range: SlotRange): Promise<RunRecord[]> {
    const items = await this.table.query(`read the runs of ${task} from ${range.from} to ${range.to}`, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': s(keys.task(this.scope, task)), ':from': s(keys.run(range.from)), ':to': s(keys.run(range.to)) },
      // Newest first, so `Limit` keeps the latest slots of the range.
      ScanIndexForward: false,
      Limit: range.limit,
    });
    return items.map(toRunRecord);
  }

  async missedBetween(task: string, range: SlotRange): Promise<MissedRecord[]> {
    const items = await this.table.query(`read the missed slots of ${task} from ${range.from} to ${range.to}`, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // A summary's key ends in `#<reason>`, so the upper bound must sort after every reason.
      ExpressionAttributeValues: { ':pk': s(keys.task(this.scope, task)), ':from': s(keys.missed(range.from, '')), ':to': s(keys.missed(range.to, '\uffff')) },
      ScanIndexForward: false,
      Limit: range.limit,
    });
    return items.map(toMissedRecord);
  }

  #key(task: string, slot: string) {
    return { pk: keys.task(this.scope, task), sk: keys.run(slot) };
  }

  #purgeAt(from: number): AttributeValue {
    return purgeAt(from, this.retentionMs);
  }
}

function toMissedRecord(item: Item): MissedRecord {
  return {
    task: str(item, 'task') ?? '',
    from: str(item, 'from') ?? '',
    to: str(item, 'to') ?? '',
    count: num(item, 'count') ?? 0,
    reason: (str(item, 'reason') ?? MISS_REASON.notEvaluated) as MissReason,
    tick: str(item, 'tick') ?? '',
  };
}

function toRunRecord(item: Item): RunRecord {
  const optionalNumber = (key: string) => (item[key]?.N === undefined ? {} : { [key]: Number(item[key].N) });
  const optionalString = (key: string) => (item[key]?.S === undefined ? {} : { [key]: item[key].S });
  return {
    task: str(item, 'task') ?? '',
    slot: str(item, 'slot') ?? '',
    owner: str(item, 'owner') ?? '',
    status: (str(item, 'status') ?? RUN_STATUS.running) as RunStatus,
    claimedAt: num(item, 'claimedAt') ?? 0,
    ...optionalNumber('finishedAt'),
    ...optionalNumber('durationMs'),
    ...optionalNumber('startedAt'),
    ...optionalNumber('latenessMs'),
    ...optionalNumber('attempts'),
    ...optionalString('error'),
    ...(optionalString('reason') as { reason?: RunReason }),
    ...optionalString('output'),
  };
}
