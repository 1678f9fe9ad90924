import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CancellationReason,
  type DynamoDBClient,
  type QueryCommandInput,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../../errors.js';
import { TOGETHER_MAX, TOGETHER_MIN } from '../writesTogether.js';

export type Item = Record<string, AttributeValue>;

/** Tries of a transaction cancelled only by a conflict with another writer. */
const TRANSACTION_ATTEMPTS = 4;

/** A write waiting to go out with the others of the same turn of the event loop (`putTogether`, `updateTogether`). */
interface PendingWrite {
  /** The item's key, `pk` and `sk` joined: a transaction takes one write per item. */
  readonly item: string;
  readonly token: string;
  readonly together: TransactWriteItem;
  /** The same write as a request of its own, with the same token. */
  readonly alone: () => Promise<WriteResult>;
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (error: unknown) => void;
}
export type Key = { readonly pk: string; readonly sk: string };

/** An update's `SET` clause (the write token's assignment is added to it) and any `ADD`/`REMOVE` clauses. */
export interface UpdateClauses {
  /** What to `SET` besides the write token (which is always set): may be empty. */
  readonly set: string;
  readonly rest?: string;
}

/** A condition and the names and values its expressions use. */
export interface Expression {
  readonly condition?: string;
  readonly names?: Record<string, string>;
  readonly values?: Item;
}

/**
 * A conditional write's answer. A failed condition is an answer (a slot already claimed, a stale
 * owner), not a fault: `written: false` with the item that made it fail, returned by the same request
 * (`ALL_OLD`), so a lost race costs no second read. `item` after a write is the item as written.
 */
export type WriteResult = { readonly written: true; readonly item: Item | undefined } | { readonly written: false; readonly item: Item };

/**
 * Every conditional write stamps a fresh token on the item, in the attribute its role owns (`writeToken`
 * by default). The SDK retries a request whose reply was lost with the very same body, so the same
 * token: if that retry fails its condition against an item carrying our token, the item is our own
 * write and the retry is our success — not someone else's claim.
 *
 *   attempt 1: PutItem(token T) ──▶ written ──✗ reply lost (reset, timeout)
 *   SDK retry: PutItem(token T) ──▶ condition fails, ALL_OLD.writeToken = T ──▶ written: true
 *   a rival:   PutItem(token U) ──▶ condition fails, ALL_OLD.writeToken = T ──▶ written: false
 *
 * A request id cannot serve as the token: Lambda reuses it when it retries a whole invocation, and
 * that retry must see the first attempt's claim as someone else's. Tokens are per call, not per
 * invocation.
 */
export const WRITE_TOKEN = 'writeToken';

/**
 * The one table every store concern shares: reads, conditional writes with their tokens, and one
 * way of turning a fault into a `StoreError` naming the action and the table.
 */
export class DynamoTable {
  #pending: PendingWrite[] = [];

  constructor(
    readonly name: string,
    readonly client: DynamoDBClient,
  ) {}

  /** One conditional PutItem, stamped with a write token (see `WRITE_TOKEN`); `token` only to send a put again. */
  async put(action: string, item: Item, expression: Expression = {}, tokenAttribute: string = WRITE_TOKEN, token: string = randomUUID()): Promise<WriteResult> {
    return this.#conditional(action, token, tokenAttribute, async () => {
      await this.client.send(new PutItemCommand(this.#putInput(item, expression, tokenAttribute, token)));
      return undefined;
    });
  }

  /**
   * One conditional UpdateItem, stamped with a write token. `update` is the `SET` clause (the token's
   * assignment is added to it) and `rest` any `ADD`/`REMOVE` clauses. Returns the item as written
   * (`ALL_NEW`): the same answer whether the write went through at once or on a retry whose first
   * reply was lost, so callers derive what they need from the item after the write.
   */
  async update(action: string, key: Key, clauses: UpdateClauses, expression: Expression, tokenAttribute: string = WRITE_TOKEN, token: string = randomUUID()): Promise<WriteResult> {
    return this.#conditional(action, token, tokenAttribute, async () => {
      const { Attributes } = await this.client.send(new UpdateItemCommand({ ...this.#updateInput(key, clauses, expression, tokenAttribute, token), ReturnValues: 'ALL_NEW' }));
      return Attributes;
    });
  }

  /**
   * A conditional DeleteItem. A deleted item keeps no token, so a delete must be written to be safe to
   * repeat on its own (its condition accepts an item that is already gone).
   */
  async delete(action: string, key: Key, expression: Expression): Promise<WriteResult> {
    try {
      const { Attributes } = await this.client.send(
        new DeleteItemCommand({ TableName: this.name, Key: keyOf(key), ...expressionInput(expression), ReturnValues: 'ALL_OLD', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { written: true, item: Attributes };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { written: false, item: error.Item ?? {} };
      throw this.fail(action, error);
    }
  }

  /**
   * One TransactWriteItems: all of `items` are written or none. Returns the cancellation reasons when
   * a condition stopped it (reason `i` belongs to item `i`), undefined when it went through. The SDK
   * fills in a `ClientRequestToken`, so its own retry of a transaction whose reply was lost is
   * answered as the first one was; a caller must still accept finding its own write in place.
   */
  async transact(action: string, items: readonly TransactWriteItem[]): Promise<readonly CancellationReason[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: [...items] }));
        return undefined;
      } catch (error) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return reasons;
        // Another transaction or write on the same items at the same moment (duplicate ticks): gone in
        // milliseconds. The SDK does not retry a cancellation; a fresh request (a fresh idempotency
        // token) is as safe as the first, since every item in it is conditional or idempotent.
        if (attempt < TRANSACTION_ATTEMPTS && reasons.some((r) => r.Code === 'TransactionConflict')) {
          await sleep(Math.floor(Math.random() * 25 * 2 ** attempt));
          continue;
        }
        throw this.fail(action, error);
      }
    }
  }

  /**
   * A conditional put answered as `put` answers it, sent with the other writes made together with it
   * (in the same turn of the event loop): a tick claiming a hundred due slots makes a handful of
   * requests, not a hundred. A request costs the client about the same CPU whatever it carries
   * (signing, serialising, the socket), and at the tick's 256 MB that CPU, not DynamoDB, is what a busy
   * minute waits on.
   *
   * A transaction is all or nothing. When one of its conditions fails, the cancellation gives each
   * item's reason: a failed condition is that write's answer, with the item that failed it (carrying
   * our own token, it is our own write, reached by a retry of a request whose reply was lost); every
   * other write goes again on its own with the same token. When the transaction fails for any other
   * reason (throttled past every retry, a timeout), each write goes again on its own with the same
   * token too, so one that did land is found to be ours, never someone else's (see `WRITE_TOKEN`).
   */
  putTogether(action: string, item: Item, expression: Expression): Promise<WriteResult> {
    const token = randomUUID();
    return this.#together({
      item: `${item.pk?.S}\u0000${item.sk?.S}`,
      token,
      together: { Put: this.#putInput(item, expression, WRITE_TOKEN, token) },
      alone: () => this.put(action, item, expression, WRITE_TOKEN, token),
    });
  }

  /** A conditional update answered as `update` answers it but for the item after a write (undefined), sent together as `putTogether` is. */
  updateTogether(action: string, key: Key, clauses: UpdateClauses, expression: Expression): Promise<WriteResult> {
    const token = randomUUID();
    return this.#together({
      item: `${key.pk}\u0000${key.sk}`,
      token,
      together: { Update: this.#updateInput(key, clauses, expression, WRITE_TOKEN, token) },
      alone: () => this.update(action, key, clauses, expression, WRITE_TOKEN, token),
    });
  }

  #together(write: Omit<PendingWrite, 'resolve' | 'reject'>): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ...write, resolve, reject });
      // Node's own, not the global: a test's fake timers fake the global and would hold every write back.
      if (this.#pending.length === 1) nextTurn(() => this.#sendPending());
    });
  }

  #sendPending(): void {
    const pending = this.#pending;
    this.#pending = [];
    const items = new Set<string>();
    const together: PendingWrite[] = [];
    for (const write of pending) {
      // A transaction takes one write per item: a second write to the same item goes on its own.
      if (items.has(write.item)) {
        this.#sendAlone(write);
        continue;
      }
      items.add(write.item);
      together.push(write);
    }
    if (together.length < TOGETHER_MIN) {
      for (const write of together) this.#sendAlone(write);
      return;
    }
    const size = Math.ceil(together.length / Math.ceil(together.length / TOGETHER_MAX));
    for (let i = 0; i < together.length; i += size) void this.#sendTogether(together.slice(i, i + size));
  }

  #sendAlone(write: PendingWrite): void {
    write.alone().then(write.resolve, write.reject);
  }

  async #sendTogether(writes: readonly PendingWrite[]): Promise<void> {
    let reasons: readonly CancellationReason[] = [];
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((write) => write.together) }));
      for (const write of writes) write.resolve({ written: true, item: undefined });
      return;
    } catch (error) {
      if (error instanceof TransactionCanceledException) reasons = error.CancellationReasons ?? [];
    }
    writes.forEach((write, i) => {
      const reason = reasons[i];
      if (reason?.Code !== 'ConditionalCheckFailed') return this.#sendAlone(write);
      const item = reason.Item ?? {};
      write.resolve(answerOf(item, WRITE_TOKEN, write.token));
    });
  }

  #putInput(item: Item, expression: Expression, tokenAttribute: string, token: string) {
    return {
      TableName: this.name,
      Item: { ...item, [tokenAttribute]: s(token) },
      ...expressionInput(expression),
      ...(expression.condition === undefined ? {} : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
    };
  }

  #updateInput(key: Key, clauses: UpdateClauses, expression: Expression, tokenAttribute: string, token: string) {
    const tokenName = `#${tokenAttribute}`;
    return {
      TableName: this.name,
      Key: keyOf(key),
      UpdateExpression: `SET ${clauses.set === '' ? '' : `${clauses.set}, `}${tokenName} = :writeToken${clauses.rest === undefined ? '' : ` ${clauses.rest}`}`,
      ...expressionInput({
        ...expression,
        names: { ...expression.names, [tokenName]: tokenAttribute },
        values: { ...expression.values, ':writeToken': s(token) },
      }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  /** A consistent read of one item. */
  async get(action: string, key: Key): Promise<Item | undefined> {
    try {
      const { Item } = await this.client.send(new GetItemCommand({ TableName: this.name, Key: keyOf(key), ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw this.fail(action, error);
    }
  }

  /** A consistent Query (one page). */
  async query(action: string, input: Omit<QueryCommandInput, 'TableName' | 'ConsistentRead'>): Promise<Item[]> {
    try {
      const { Items = [] } = await this.client.send(new QueryCommand({ ...input, TableName: this.name, ConsistentRead: true }));
      return Items;
    } catch (error) {
      throw this.fail(action, error);
    }
  }

  fail(action: string, cause: unknown): StoreError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new StoreError(`DynamoDB table "${this.name}": could not ${action} (${detail})`, { cause });
  }

  async #conditional(action: string, token: string, tokenAttribute: string, send: () => Promise<Item | undefined>): Promise<WriteResult> {
    try {
      return { written: true, item: await send() };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.fail(action, error);
      return answerOf(error.Item ?? {}, tokenAttribute, token);
    }
  }
}

/**
 * A failed condition's answer, from the item that failed it: carrying our own token, it is our own
 * write, reached by a retry of a request whose reply was lost — success; otherwise someone else's.
 */
function answerOf(item: Item, tokenAttribute: string, token: string): WriteResult {
  return item[tokenAttribute]?.S === token ? { written: true, item } : { written: false, item };
}

export function keyOf(key: Key): Item {
  return { pk: s(key.pk), sk: s(key.sk) };
}

function expressionInput(expression: Expression) {
  return {
    ...(expression.condition === undefined ? {} : { ConditionExpression: expression.condition }),
    ...(expression.names === undefined || Object.keys(expression.names).length === 0 ? {} : { ExpressionAttributeNames: expression.names }),
    ...(expression.values === undefined || Object.keys(expression.values).length === 0 ? {} : { ExpressionAttributeValues: expression.values }),
  };
}

export function s(value: string): AttributeValue {
  return { S: value };
}

export function n(value: number): AttributeValue {
  return { N: String(value) };
}

/**
 * The TTL attribute (epoch seconds) of an item about `at`: kept `retentionMs` after `at`, and never
 * less than that from the moment it is written. A record about an old slot (a backfill, a tick
 * replayed for a past minute) would otherwise be born expired, and DynamoDB's TTL sweep — or
 * DynamoDB Local's, within about a second — would delete the very record that keeps it decided.
 */
export function purgeAt(at: number, retentionMs: number): AttributeValue {
  return n(Math.ceil((Math.max(at, Date.now()) + retentionMs) / 1000));
}

/** `:prefix0, :prefix1, …` for an `IN (…)` list, with their values. */
export function inList(prefix: string, values: readonly string[]): { readonly list: string; readonly values: Item } {
  const entries = values.map((value, i) => [`:${prefix}${i}`, s(value)] as const);
  return { list: entries.map(([name]) => name).join(', '), values: Object.fromEntries(entries) };
}

export function str(item: Item | undefined, key: string): string | undefined {
  return item?.[key]?.S;
}

export function num(item: Item | undefined, key: string): number | undefined {
  const value = item?.[key]?.N;
  return value === undefined ? undefined : Number(value);
}
