import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeValue,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.js';
import { DEFAULT_DEPLOYMENT, keys } from './keys.js';
import {
  DEFAULT_RETENTION_DAYS,
  DEPLOYMENT_ID,
  SHARED_SCOPE,
  type ClaimResult,
  type LeaseExtension,
  type LeaseRequest,
  type LeaseResult,
  type MissedRecord,
  type Pauses,
  type PauseState,
  type PendingRun,
  type QueuedRun,
  type RunOutcome,
  type RunStart,
  type RunRecord,
  type RunStatus,
  type SlotClaim,
  type StartResult,
  type Store,
} from './Store.js';
import { createTableInput, TTL_ATTRIBUTE } from './tableDefinition.js';

export interface DynamoDbStoreOptions {
  /** The table created by the stack (`tickwork-<stage>`), or by `ensureTable()` locally. */
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /**
   * Namespaces claims and leases, so several deployments can share one table without seeing each
   * other's slots. @default 'default'
   */
  readonly deployment?: string;
  /** How long run records are kept before TTL may delete them. @default 30 */
  readonly retentionDays?: number;
}

const DAY_MS = 86_400_000;

/**
 * The DynamoDB store. Each decision is a single conditional write; a lost race comes back with the
 * winner's item (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`) instead of costing a second read.
 *
 * @example
 * const store = new DynamoDbStore({ tableName: 'tickwork-dev', client: new DynamoDBClient({}) });
 */
export class DynamoDbStore implements Store {
  readonly #table: string;
  readonly #client: DynamoDBClient;
  readonly #deployment: string;
  readonly #retentionMs: number;
  readonly #options: DynamoDbStoreOptions;
  #shared: DynamoDbStore | undefined;

  constructor(options: DynamoDbStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new StoreError(`DynamoDbStore expects a non-empty tableName, got ${JSON.stringify(options.tableName)}`);
    }
    const deployment = options.deployment ?? DEFAULT_DEPLOYMENT;
    if (deployment !== SHARED_SCOPE && !DEPLOYMENT_ID.test(deployment)) {
      throw new StoreError(`DynamoDbStore expects a deployment id of letters, digits, '.', '_' or '-' (at most 64), got ${JSON.stringify(deployment)}`);
    }
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new StoreError(`DynamoDbStore expects retentionDays to be a whole number ≥ 1, got ${JSON.stringify(retentionDays)}`);
    }
    this.#options = options;
    this.#table = options.tableName;
    this.#client = options.client;
    this.#deployment = deployment;
    this.#retentionMs = retentionDays * DAY_MS;
  }

  shared(): DynamoDbStore {
    this.#shared ??= this.#deployment === SHARED_SCOPE ? this : new DynamoDbStore({ ...this.#options, deployment: SHARED_SCOPE });
    return this.#shared;
  }

  async ensureTable(): Promise<void> {
    try {
      await this.#client.send(new DescribeTableCommand({ TableName: this.#table }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw this.#fail('describe the table', error);
    }
    try {
      await this.#client.send(new CreateTableCommand(createTableInput(this.#table)));
    } catch (error) {
      // Another process created it between our describe and create: that is the state we wanted.
      if (!(error instanceof ResourceInUseException)) throw this.#fail('create the table', error);
    }
    await waitUntilTableExists({ client: this.#client, maxWaitTime: 60 }, { TableName: this.#table });
    await this.#client.send(
      new UpdateTimeToLiveCommand({
        TableName: this.#table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    ).catch((error: unknown) => {
      // A concurrent ensureTable() may have enabled it first.
      if (!(error instanceof Error && /already enabled/i.test(error.message))) throw this.#fail('enable TTL', error);
    });
  }

  async claimSlot(claim: SlotClaim): Promise<ClaimResult> {
    const holder = await this.#putUnlessHeld(`claim ${claim.task} @ ${claim.slot}`, {
      TableName: this.#table,
      Item: {
        pk: s(keys.task(this.#deployment, claim.task)),
        sk: s(keys.run(claim.slot)),
        task: s(claim.task),
        slot: s(claim.slot),
        owner: s(claim.owner),
        status: s((claim.dispatch === true ? 'dispatched' : 'running') satisfies RunStatus),
        claimedAt: n(claim.claimedAt),
        [TTL_ATTRIBUTE]: n(Math.ceil((claim.claimedAt + this.#retentionMs) / 1000)),
      },
      ...(claim.takeOverDispatchedBefore === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            // A claim its tick never got to send (status still dispatched, long ago) is taken over.
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :dispatched AND claimedAt < :staleBefore)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':dispatched': s('dispatched' satisfies RunStatus), ':staleBefore': n(claim.takeOverDispatchedBefore) },
          }),
    });
    if (holder === undefined) return { claimed: true };
    return {
      claimed: false,
      holder: {
        owner: holder.owner?.S ?? 'unknown',
        claimedAt: Number(holder.claimedAt?.N ?? 0),
        status: (holder.status?.S ?? 'running') as RunStatus,
      },
    };
  }

  async startRun(start: RunStart): Promise<StartResult> {
    const result = await this.#conditionalUpdate(`start ${start.task} @ ${start.slot}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, start.task)), sk: s(keys.run(start.slot)) },
      UpdateExpression: 'SET #status = :running, worker = :worker, startedAt = :startedAt ADD attempts :one',
      // The first start of a dispatched run, or a retry of a failed one while retries remain; a
      // duplicate delivery finds it running or finished and is refused.
      ConditionExpression: '#owner = :owner AND (#status = :dispatched OR ((#status = :failed OR #status = :timedOut) AND attempts <= :retries))',
      ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
      ExpressionAttributeValues: {
        ':owner': s(start.owner),
        ':worker': s(start.worker),
        ':startedAt': n(start.startedAt),
        ':running': s('running' satisfies RunStatus),
        ':dispatched': s('dispatched' satisfies RunStatus),
        ':failed': s('failed' satisfies RunStatus),
        ':timedOut': s('timed-out' satisfies RunStatus),
        ':retries': n(start.retries),
        ':one': n(1),
      },
      ReturnValues: 'UPDATED_NEW',
    });
    return result.written
      ? { started: true, attempt: Number(result.attributes?.attempts?.N ?? 1) }
      : { started: false, status: result.item.status?.S as RunStatus | undefined };
  }

  /** One TransactWriteItems: the claim's conditional delete and the retry's put succeed or fail together. */
  async releaseDispatch(request: { task: string; slot: string; owner: string; onOneServer: boolean; retry: QueuedRun }): Promise<boolean> {
    const claimScope = request.onOneServer ? SHARED_SCOPE : this.#deployment;
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.#table,
                Key: { pk: s(keys.task(claimScope, request.task)), sk: s(keys.run(request.slot)) },
                ConditionExpression: '#owner = :owner AND #status = :dispatched',
                ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
                ExpressionAttributeValues: { ':owner': s(request.owner), ':dispatched': s('dispatched' satisfies RunStatus) },
              },
            },
            { Put: { TableName: this.#table, Item: this.#queueItem(request.retry) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw this.#fail(`release the dispatch of ${request.task} @ ${request.slot}`, error);
    }
  }

  async enqueue(run: QueuedRun): Promise<boolean> {
    const held = await this.#putUnlessHeld(`queue a run of ${run.task}`, {
      TableName: this.#table,
      Item: this.#queueItem(run),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    return held === undefined;
  }

  async dueRuns(now: number, limit: number): Promise<QueuedRun[]> {
    try {
      const { Items = [] } = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk <= :until',
          ExpressionAttributeValues: { ':pk': s(keys.queue(this.#deployment)), ':until': s(keys.queuedUntil(now)) },
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return Items.map(toQueuedRun);
    } catch (error) {
      throw this.#fail('read the queued runs', error);
    }
  }

  async dequeue(run: Pick<QueuedRun, 'id' | 'at' | 'attempt'>): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { pk: s(keys.queue(this.#deployment)), sk: s(keys.queued(run.at, run.id)) },
          ConditionExpression: 'attempt = :attempt',
          ExpressionAttributeValues: { ':attempt': n(run.attempt) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw this.#fail(`remove the queued run ${run.id}`, error);
    }
  }

  #queueItem(run: QueuedRun): Record<string, AttributeValue> {
    return {
      pk: s(keys.queue(this.#deployment)),
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

  async completeRun(outcome: RunOutcome): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#owner': 'owner' };
    const values: Record<string, AttributeValue> = {
      ':status': s(outcome.status),
      ':finishedAt': n(outcome.finishedAt),
      ':owner': s(outcome.owner),
    };
    const sets = ['#status = :status', 'finishedAt = :finishedAt'];
    // Fields an earlier outcome of the same run may have left (a retry after a failure) go.
    const removes: string[] = [];
    if (outcome.durationMs !== undefined) {
      sets.push('durationMs = :durationMs');
      values[':durationMs'] = n(outcome.durationMs);
    } else {
      removes.push('durationMs');
    }
    for (const key of ['startedAt', 'latenessMs'] as const) {
      const value = outcome[key];
      if (value === undefined) continue;
      sets.push(`${key} = :${key}`);
      values[`:${key}`] = n(value);
    }
    for (const key of ['error', 'reason', 'output'] as const) {
      const value = outcome[key];
      names[`#${key}`] = key;
      if (value === undefined) {
        removes.push(`#${key}`);
        continue;
      }
      sets.push(`#${key} = :${key}`);
      values[`:${key}`] = s(value);
    }
    let condition = 'attribute_exists(pk) AND #owner = :owner';
    if (outcome.ifStatus !== undefined) {
      condition += ' AND #status = :ifStatus';
      values[':ifStatus'] = s(outcome.ifStatus);
    }
    return this.#updateIf(`record the outcome of ${outcome.task} @ ${outcome.slot}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, outcome.task)), sk: s(keys.run(outcome.slot)) },
      UpdateExpression: `SET ${sets.join(', ')}${removes.length === 0 ? '' : ` REMOVE ${removes.join(', ')}`}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async getRun(task: string, slot: string): Promise<RunRecord | undefined> {
    try {
      const { Item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: s(keys.task(this.#deployment, task)), sk: s(keys.run(slot)) },
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : toRunRecord(Item);
    } catch (error) {
      throw this.#fail(`read the run of ${task} @ ${slot}`, error);
    }
  }

  /**
   * One conditional UpdateItem on the task's lease item: it takes the lease if no one holds it or the
   * holder's deadline has passed, and adds 1 to the fence counter that lives on the same item. The item
   * is never deleted (release clears the owner), so fences strictly increase for the task's lifetime.
   */
  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    const result = await this.#conditionalUpdate(`acquire the lease of ${request.task}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, request.task)), sk: s(keys.lease) },
      // A run a lapsed holder had buffered is taken off here and reported as superseded.
      UpdateExpression: 'SET task = :task, #owner = :owner, slot = :slot, acquiredAt = :now, expiresAt = :expiresAt ADD fence :one REMOVE pendingSlot, pendingOwner, pendingPayload',
      ConditionExpression: 'attribute_not_exists(#owner) OR expiresAt < :now',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':task': s(request.task),
        ':owner': s(request.owner),
        ':slot': s(request.slot),
        ':now': n(request.now),
        ':expiresAt': n(request.expiresAt),
        ':one': n(1),
      },
      ReturnValues: 'ALL_OLD',
    });
    if (!result.written) {
      const holder = result.item;
      return {
        acquired: false,
        holder: { owner: holder.owner?.S ?? 'unknown', slot: holder.slot?.S ?? 'unknown', expiresAt: Number(holder.expiresAt?.N ?? 0) },
      };
    }
    const fence = Number(result.attributes?.fence?.N ?? 0) + 1;
    const superseded = pendingOf(result.attributes);
    return superseded === undefined ? { acquired: true, fence } : { acquired: true, fence, superseded };
  }

  async extendLease(request: { task: string; owner: string; now: number; expiresAt: number }): Promise<LeaseExtension> {
    const result = await this.#conditionalUpdate(`extend the lease of ${request.task}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, request.task)), sk: s(keys.lease) },
      UpdateExpression: 'SET expiresAt = :expiresAt',
      // A stale owner — one whose lease expired, and perhaps passed to another — cannot extend it.
      ConditionExpression: '#owner = :owner AND expiresAt >= :now',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': s(request.owner), ':now': n(request.now), ':expiresAt': n(request.expiresAt) },
      // The same request tells the holder whether a run waits behind it.
      ReturnValues: 'ALL_NEW',
    });
    return result.written ? { extended: true, pending: pendingOf(result.attributes) } : { extended: false };
  }

  async lastRun(task: string): Promise<RunRecord | undefined> {
    try {
      const { Items } = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': s(keys.task(this.#deployment, task)), ':run': s(keys.run('')) },
          // Slots are ISO strings, so the newest sorts last: read backwards, one item.
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const [item] = Items ?? [];
      return item === undefined ? undefined : toRunRecord(item);
    } catch (error) {
      throw this.#fail(`read the last run of ${task}`, error);
    }
  }

  async releaseLease(task: string, owner: string): Promise<boolean> {
    return (await this.releaseLeaseTakingPending(task, owner)).released;
  }

  /** Clears the owner (and any buffered run, handed back) if `owner` still holds the lease; the item and its fence counter stay. */
  async releaseLeaseTakingPending(task: string, owner: string): Promise<{ released: boolean; pending: PendingRun | undefined }> {
    const result = await this.#conditionalUpdate(`release the lease of ${task}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, task)), sk: s(keys.lease) },
      UpdateExpression: 'REMOVE #owner, pendingSlot, pendingOwner, pendingPayload SET expiresAt = :zero',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': s(owner), ':zero': n(0) },
      ReturnValues: 'ALL_OLD',
    });
    return result.written ? { released: true, pending: pendingOf(result.attributes) } : { released: false, pending: undefined };
  }

  async bufferBehindLease(request: { task: string; slot: string; owner: string; now: number; payload?: string }): Promise<boolean> {
    return this.#updateIf(`buffer a run of ${request.task}`, {
      TableName: this.#table,
      Key: { pk: s(keys.task(this.#deployment, request.task)), sk: s(keys.lease) },
      UpdateExpression: request.payload === undefined
        ? 'SET pendingSlot = :slot, pendingOwner = :owner REMOVE pendingPayload'
        : 'SET pendingSlot = :slot, pendingOwner = :owner, pendingPayload = :payload',
      ConditionExpression: 'attribute_exists(#owner) AND expiresAt >= :now AND attribute_not_exists(pendingSlot)',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':slot': s(request.slot),
        ':owner': s(request.owner),
        ':now': n(request.now),
        ...(request.payload === undefined ? {} : { ':payload': s(request.payload) }),
      },
    });
  }

  async lastTick(): Promise<number | undefined> {
    try {
      const { Item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: s(keys.tick(this.#deployment)), sk: s(keys.tickState) },
          ConsistentRead: true,
        }),
      );
      return Item?.lastTick?.N === undefined ? undefined : Number(Item.lastTick.N);
    } catch (error) {
      throw this.#fail('read the last tick', error);
    }
  }

  async advanceTick(minute: number): Promise<boolean> {
    return this.#updateIf('advance the last tick', {
      TableName: this.#table,
      Key: { pk: s(keys.tick(this.#deployment)), sk: s(keys.tickState) },
      UpdateExpression: 'SET lastTick = :minute',
      // Only forward: a late or duplicated tick for an older minute leaves the state alone.
      ConditionExpression: 'attribute_not_exists(lastTick) OR lastTick < :minute',
      ExpressionAttributeValues: { ':minute': n(minute) },
    });
  }

  async recordMissed(missed: MissedRecord): Promise<void> {
    const recordedAt = Date.parse(missed.tick);
    await this.#putUnlessHeld(`record missed slots of ${missed.task}`, {
      TableName: this.#table,
      Item: {
        pk: s(keys.task(this.#deployment, missed.task)),
        sk: s(keys.missed(missed.from, missed.reason)),
        task: s(missed.task),
        status: s('missed'),
        from: s(missed.from),
        to: s(missed.to),
        count: n(missed.count),
        reason: s(missed.reason),
        tick: s(missed.tick),
        [TTL_ATTRIBUTE]: n(Math.ceil((recordedAt + this.#retentionMs) / 1000)),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async pause(request: { task?: string; note: string; pausedAt: number }): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: s(keys.pause(this.#deployment)),
            sk: s(request.task === undefined ? keys.pauseAll : keys.pauseTask(request.task)),
            note: s(request.note),
            pausedAt: n(request.pausedAt),
          },
        }),
      );
    } catch (error) {
      throw this.#fail(`pause ${request.task ?? 'the scheduler'}`, error);
    }
  }

  async resume(task?: string): Promise<boolean> {
    try {
      const { Attributes } = await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { pk: s(keys.pause(this.#deployment)), sk: s(task === undefined ? keys.pauseAll : keys.pauseTask(task)) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes !== undefined;
    } catch (error) {
      throw this.#fail(`resume ${task ?? 'the scheduler'}`, error);
    }
  }

  async pauses(): Promise<Pauses> {
    try {
      const { Items = [] } = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': s(keys.pause(this.#deployment)) },
          ConsistentRead: true,
        }),
      );
      let all: PauseState | undefined;
      const tasks = new Map<string, PauseState>();
      const taskPrefix = keys.pauseTask('');
      for (const item of Items) {
        const state = { note: item.note?.S ?? '', pausedAt: Number(item.pausedAt?.N ?? 0) };
        const sk = item.sk?.S ?? '';
        if (sk === keys.pauseAll) all = state;
        else if (sk.startsWith(taskPrefix)) tasks.set(sk.slice(taskPrefix.length), state);
      }
      return { all, tasks };
    } catch (error) {
      throw this.#fail('read the pauses', error);
    }
  }

  /**
   * One conditional UpdateItem. A failed condition is an answer (a stale owner, a lease already
   * taken), not a fault: it comes back as `written: false` with the item that made it fail, returned by
   * the same request (`ALL_OLD`). Anything else is a `StoreError` naming `action`.
   */
  async #conditionalUpdate(
    action: string,
    input: UpdateItemCommandInput,
  ): Promise<{ written: true; attributes: Record<string, AttributeValue> | undefined } | { written: false; item: Record<string, AttributeValue> }> {
    try {
      const { Attributes } = await this.#client.send(new UpdateItemCommand({ ...input, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return { written: true, attributes: Attributes };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { written: false, item: error.Item ?? {} };
      throw this.#fail(action, error);
    }
  }

  /** One conditional UpdateItem; returns whether it was written (see `#conditionalUpdate`). */
  async #updateIf(action: string, input: UpdateItemCommandInput): Promise<boolean> {
    return (await this.#conditionalUpdate(action, input)).written;
  }

  /**
   * One conditional PutItem. Returns `undefined` when it was written, or the item that made the
   * condition fail — returned by the same request (`ALL_OLD`), so a lost race costs no second read.
   */
  async #putUnlessHeld(action: string, input: PutItemCommandInput): Promise<Record<string, AttributeValue> | undefined> {
    try {
      await this.#client.send(new PutItemCommand({ ...input, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ?? {};
      throw this.#fail(action, error);
    }
  }

  #fail(action: string, cause: unknown): StoreError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new StoreError(`DynamoDB table "${this.#table}": could not ${action} (${detail})`, { cause });
  }
}

function s(value: string): AttributeValue {
  return { S: value };
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

function pendingOf(item: Record<string, AttributeValue> | undefined): PendingRun | undefined {
  const slot = item?.pendingSlot?.S;
  const owner = item?.pendingOwner?.S;
  const payload = item?.pendingPayload?.S;
  if (slot === undefined || owner === undefined) return undefined;
  return payload === undefined ? { slot, owner } : { slot, owner, payload };
}

function toQueuedRun(item: Record<string, AttributeValue>): QueuedRun {
  return {
    id: item.id?.S ?? '',
    task: item.task?.S ?? '',
    slot: item.slot?.S ?? '',
    at: Number(item.at?.N ?? 0),
    attempt: Number(item.attempt?.N ?? 0),
    enqueuedAt: Number(item.enqueuedAt?.N ?? 0),
    ...(item.payload?.S === undefined ? {} : { payload: item.payload.S }),
    ...(item.lastError?.S === undefined ? {} : { lastError: item.lastError.S }),
  };
}

function toRunRecord(item: Record<string, AttributeValue>): RunRecord {
  const optionalNumber = (key: string) => (item[key]?.N === undefined ? {} : { [key]: Number(item[key].N) });
  const optionalString = (key: string) => (item[key]?.S === undefined ? {} : { [key]: item[key].S });
  return {
    task: item.task?.S ?? '',
    slot: item.slot?.S ?? '',
    owner: item.owner?.S ?? '',
    status: (item.status?.S ?? 'running') as RunStatus,
    claimedAt: Number(item.claimedAt?.N ?? 0),
    ...optionalNumber('finishedAt'),
    ...optionalNumber('durationMs'),
    ...optionalNumber('startedAt'),
    ...optionalNumber('latenessMs'),
    ...optionalString('error'),
    ...optionalString('reason'),
    ...optionalString('output'),
  };
}
