import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.js';
import { DynamoLeases } from './dynamodb/DynamoLeases.js';
import { DynamoPauses } from './dynamodb/DynamoPauses.js';
import { DynamoRunQueue } from './dynamodb/DynamoRunQueue.js';
import { DynamoRunRecords } from './dynamodb/DynamoRunRecords.js';
import { DynamoTable } from './dynamodb/DynamoTable.js';
import { DynamoTickState } from './dynamodb/DynamoTickState.js';
import { DEFAULT_DEPLOYMENT } from './keys.js';
import { DEFAULT_RETENTION_DAYS, DEPLOYMENT_ID, MIN_RETENTION_DAYS, SHARED_SCOPE, type Store } from './Store.js';
import { createTableInput, TTL_ATTRIBUTE } from './tableDefinition.js';

export interface DynamoDbStoreOptions {
  /** The table the plugin's stack creates (`custom.tickwork.table`), or `ensureTable()` locally. */
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

/** The concerns a store is made of, each a port with its DynamoDB adapter over one `DynamoTable`. */
interface Parts {
  readonly runs: DynamoRunRecords;
  readonly queue: DynamoRunQueue;
  readonly leases: DynamoLeases;
  readonly ticks: DynamoTickState;
  readonly pauses: DynamoPauses;
}

/**
 * The DynamoDB store: one table, one port per concern (`dynamodb/`), every decision a single
 * conditional write that is safe to retry (see `DynamoTable`'s write tokens). This class only checks
 * its options, creates the table locally, and hands each call to its concern.
 *
 * @example
 * const store = new DynamoDbStore({ tableName: 'tickwork-dev', client: new DynamoDBClient(dynamoDbClientConfig()) });
 */
export class DynamoDbStore implements Store {
  readonly #table: DynamoTable;
  readonly #options: DynamoDbStoreOptions;
  readonly #deployment: string;
  readonly #parts: Parts;
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
    // A tick may arrive up to a day late (docs/design.md "The tick's input is bounded"): the records that
    // keep its slots decided must outlive that, or its retry could find them gone and run them again.
    if (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS) {
      throw new StoreError(`DynamoDbStore expects retentionDays to be a whole number ≥ ${MIN_RETENTION_DAYS} (a tick may arrive up to a day late), got ${JSON.stringify(retentionDays)}`);
    }
    this.#options = options;
    this.#deployment = deployment;
    this.#table = new DynamoTable(options.tableName, options.client);
    const retentionMs = retentionDays * DAY_MS;
    this.#parts = {
      runs: new DynamoRunRecords(this.#table, deployment, retentionMs),
      queue: new DynamoRunQueue(this.#table, deployment),
      leases: new DynamoLeases(this.#table, deployment),
      ticks: new DynamoTickState(this.#table, deployment, retentionMs),
      pauses: new DynamoPauses(this.#table, deployment),
    };
  }

  shared(): DynamoDbStore {
    this.#shared ??= this.#deployment === SHARED_SCOPE ? this : new DynamoDbStore({ ...this.#options, deployment: SHARED_SCOPE });
    return this.#shared;
  }

  async ensureTable(): Promise<void> {
    const client = this.#table.client;
    const table = this.#table.name;
    try {
      await client.send(new DescribeTableCommand({ TableName: table }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw this.#table.fail('describe the table', error);
    }
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
    } catch (error) {
      // Another process created it between our describe and create: that is the state we wanted.
      if (!(error instanceof ResourceInUseException)) throw this.#table.fail('create the table', error);
    }
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table });
    await client
      .send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }))
      .catch((error: unknown) => {
        // A concurrent ensureTable() may have enabled it first.
        if (!(error instanceof Error && /already enabled/i.test(error.message))) throw this.#table.fail('enable TTL', error);
      });
  }

  claimSlot: Store['claimSlot'] = (claim) => this.#parts.runs.claimSlot(claim);
  startRun: Store['startRun'] = (start) => this.#parts.runs.startRun(start);
  releaseDispatch: Store['releaseDispatch'] = (request) => {
    const leases = (request.onOneServer ? this.shared() : this).#parts.leases;
    return this.#parts.runs.releaseDispatch(request, request.releaseLease === true ? leases.releaseInTransaction(request.task, request.owner) : undefined);
  };
  completeRun: Store['completeRun'] = (outcome) => this.#parts.runs.completeRun(outcome);
  getRun: Store['getRun'] = (task, slot) => this.#parts.runs.getRun(task, slot);
  lastRun: Store['lastRun'] = (task) => this.#parts.runs.lastRun(task);
  recordMissed: Store['recordMissed'] = (missed) => this.#parts.runs.recordMissed(missed);
  runsBetween: Store['runsBetween'] = (task, range) => this.#parts.runs.runsBetween(task, range);
  missedBetween: Store['missedBetween'] = (task, range) => this.#parts.runs.missedBetween(task, range);
  enqueue: Store['enqueue'] = (run) => this.#parts.queue.enqueue(run);
  dueRuns: Store['dueRuns'] = (now, limit) => this.#parts.queue.dueRuns(now, limit);
  dequeue: Store['dequeue'] = (run) => this.#parts.queue.dequeue(run);
  acquireLease: Store['acquireLease'] = (request) => this.#parts.leases.acquireLease(request);
  extendLease: Store['extendLease'] = (request) => this.#parts.leases.extendLease(request);
  lease: Store['lease'] = (task) => this.#parts.leases.lease(task);
  releaseLease: Store['releaseLease'] = (task, owner) => this.#parts.leases.releaseLease(task, owner);
  releaseLeaseTakingPending: Store['releaseLeaseTakingPending'] = (task, owner) => this.#parts.leases.releaseLeaseTakingPending(task, owner);
  bufferBehindLease: Store['bufferBehindLease'] = (request) => this.#parts.leases.bufferBehindLease(request);
  advanceTick: Store['advanceTick'] = (minute) => this.#parts.ticks.advanceTick(minute);
  beginTick: Store['beginTick'] = (minute, noting) => this.#parts.ticks.beginTick(minute, noting);
  settleTick: Store['settleTick'] = (minute) => this.#parts.ticks.settleTick(minute);
  unsettled: Store['unsettled'] = () => this.#parts.ticks.unsettled();
  settleQueue: Store['settleQueue'] = (seen) => this.#parts.ticks.settleQueue(seen);
  lastTick: Store['lastTick'] = () => this.#parts.ticks.lastTick();
  pause: Store['pause'] = (request) => this.#parts.pauses.pause(request);
  resume: Store['resume'] = (task) => this.#parts.pauses.resume(task);
  pauses: Store['pauses'] = () => this.#parts.pauses.pauses();
}
