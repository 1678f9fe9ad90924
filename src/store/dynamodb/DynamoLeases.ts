import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { keys } from '../keys.js';
import type { BufferRequest, LeaseExtension, LeaseHolder, LeaseRequest, LeaseResult, Leases, PendingRun } from '../Store.js';
import { keyOf, n, num, s, str, type DynamoTable, type Item } from './DynamoTable.js';

/** The holder's writes and a buffering tick's writes stamp different attributes, so neither hides the other's token. */
const HOLDER_TOKEN = 'holderToken';
const PENDING_TOKEN = 'pendingToken';
/** Release stamps its own token and hands over into its own fields, so a later acquire cannot hide a release's answer from its retry. */
const RELEASE_TOKEN = 'releaseToken';

/**
 * A write that takes the buffered run off the lease copies it to `handed*` in the same request, so the
 * answer — "this run waited behind the lease" — is on the item as written: a retry whose first reply
 * was lost reads the same answer from the item it finds.
 */
const HAND_OVER = 'handedSlot = if_not_exists(pendingSlot, :none), handedOwner = if_not_exists(pendingOwner, :none), handedPayload = if_not_exists(pendingPayload, :none)';
const RELEASE_HAND_OVER = 'releasedSlot = if_not_exists(pendingSlot, :none), releasedOwner = if_not_exists(pendingOwner, :none), releasedPayload = if_not_exists(pendingPayload, :none)';
const CLEAR_PENDING = 'pendingSlot, pendingOwner, pendingPayload';
/** The run the previous acquire took off the lease, read before this one replaces it (see `LeaseResult`). */
const PRIOR_HANDED = 'priorHandedSlot = if_not_exists(handedSlot, :none), priorHandedOwner = if_not_exists(handedOwner, :none)';
/** The holder an acquire replaces, read before the write (SET reads the item as it was): none once released. */
const PRIOR_HOLDER = 'priorSlot = if_not_exists(slot, :none), priorOwner = if_not_exists(#owner, :none)';

/**
 * Overlap leases on DynamoDB: one item per task (`sk = lease`), never deleted, so its fence counter
 * strictly increases for the task's lifetime. Release clears the owner.
 */
export class DynamoLeases implements Leases {
  constructor(
    private readonly table: DynamoTable,
    private readonly scope: string,
  ) {}

  /**
   * One conditional UpdateItem: takes the lease if no one holds it, the holder's deadline has passed,
   * or this owner already holds it for this slot (a Lambda retry of the invocation that took it), and
   * adds 1 to the fence. A run waiting on the lease is taken off: started, if it is this slot's, or
   * reported as superseded (a lapsed holder's, or one whose releasing holder never came back for it).
   */
  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    const result = await this.table.update(
      `acquire the lease of ${request.task}`,
      this.#key(request.task),
      { set: `task = :task, ${PRIOR_HOLDER}, ${PRIOR_HANDED}, #owner = :owner, slot = :slot, acquiredAt = :now, expiresAt = :expiresAt, ${HAND_OVER}`, rest: `ADD fence :one REMOVE ${CLEAR_PENDING}` },
      {
        // The re-take by the same owner and slot must not match the SDK's retry of this very request
        // (its token): that retry must fail its condition, so the token tells it apart, or the fence
        // would move twice and the superseded run be lost.
        condition: 'attribute_not_exists(#owner) OR expiresAt < :now OR (#owner = :owner AND slot = :slot AND #holderToken <> :writeToken)',
        names: { '#owner': 'owner' },
        values: { ':task': s(request.task), ':owner': s(request.owner), ':slot': s(request.slot), ':now': n(request.now), ':expiresAt': n(request.expiresAt), ':one': n(1), ':none': s('') },
      },
      HOLDER_TOKEN,
    );
    if (!result.written) {
      const holder = result.item;
      return { acquired: false, holder: { owner: str(holder, 'owner') ?? 'unknown', slot: str(holder, 'slot') ?? 'unknown', expiresAt: num(holder, 'expiresAt') ?? 0 } };
    }
    const fence = num(result.item, 'fence') ?? 1;
    // The run that waited for this very slot is the one being started, not superseded.
    const waiting = handed(result.item);
    const superseded = waiting?.slot === request.slot ? undefined : waiting;
    // A previous holder still named on the item never released: its lease lapsed.
    const prior = runOf(str(result.item, 'priorSlot'), str(result.item, 'priorOwner'), undefined);
    const lapsed = prior !== undefined && prior.owner !== request.owner ? prior : undefined;
    const previouslyHanded = runOf(str(result.item, 'priorHandedSlot'), str(result.item, 'priorHandedOwner'), undefined);
    return {
      acquired: true,
      fence,
      ...(superseded === undefined ? {} : { superseded }),
      ...(lapsed === undefined ? {} : { lapsed }),
      ...(previouslyHanded === undefined ? {} : { previouslyHanded }),
    };
  }

  async extendLease(request: { task: string; owner: string; now: number; expiresAt: number }): Promise<LeaseExtension> {
    const result = await this.table.update(
      `extend the lease of ${request.task}`,
      this.#key(request.task),
      { set: 'expiresAt = :expiresAt' },
      {
        // A stale owner — one whose lease expired, and perhaps passed to another — cannot extend it.
        condition: '#owner = :owner AND expiresAt >= :now',
        names: { '#owner': 'owner' },
        values: { ':owner': s(request.owner), ':now': n(request.now), ':expiresAt': n(request.expiresAt) },
      },
      HOLDER_TOKEN,
    );
    // The same request tells the holder whether a run waits behind it.
    return result.written ? { extended: true, pending: pending(result.item) } : { extended: false };
  }

  async lease(task: string): Promise<LeaseHolder | undefined> {
    const item = await this.table.get(`read the lease of ${task}`, this.#key(task));
    const owner = str(item, 'owner');
    const slot = str(item, 'slot');
    if (owner === undefined || slot === undefined) return undefined;
    const waiting = pending(item);
    return { owner, slot, expiresAt: num(item, 'expiresAt') ?? 0, ...(waiting === undefined ? {} : { pending: waiting }) };
  }

  async releaseLease(task: string, owner: string): Promise<boolean> {
    return (await this.releaseLeaseTakingPending(task, owner)).released;
  }

  /**
   * Clears the owner if `owner` still holds the lease, and returns the run buffered behind it. That run
   * stays on the item until an acquire takes it (see `Leases.releaseLeaseTakingPending`); the item and
   * its fence stay too.
   */
  async releaseLeaseTakingPending(task: string, owner: string): Promise<{ released: boolean; pending: PendingRun | undefined }> {
    const result = await this.table.update(
      `release the lease of ${task}`,
      this.#key(task),
      { set: `expiresAt = :zero, ${RELEASE_HAND_OVER}`, rest: 'REMOVE #owner' },
      { condition: '#owner = :owner', names: { '#owner': 'owner' }, values: { ':owner': s(owner), ':zero': n(0), ':none': s('') } },
      RELEASE_TOKEN,
    );
    return result.written
      ? { released: true, pending: runOf(str(result.item, 'releasedSlot'), str(result.item, 'releasedOwner'), str(result.item, 'releasedPayload')) }
      : { released: false, pending: undefined };
  }

  /**
   * The release `releaseLeaseTakingPending` makes, as an item of another write's transaction (see
   * `Store.releaseDispatch`). Its condition fails if `owner` no longer holds the lease.
   */
  releaseInTransaction(task: string, owner: string): NonNullable<TransactWriteItem['Update']> {
    return {
      TableName: this.table.name,
      Key: keyOf(this.#key(task)),
      UpdateExpression: `SET expiresAt = :zero, ${RELEASE_HAND_OVER} REMOVE #owner`,
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': s(owner), ':zero': n(0), ':none': s('') },
    };
  }

  async bufferBehindLease(request: BufferRequest): Promise<{ buffered: boolean; displaced?: PendingRun; waiting?: PendingRun }> {
    const displace = request.displace === true;
    const sets = ['pendingSlot = :slot', 'pendingOwner = :pendingOwner'];
    if (request.payload !== undefined) sets.push('pendingPayload = :payload');
    // The run it displaces is copied aside in the same request, so a retry reads the same answer.
    if (displace) sets.unshift('displacedSlot = if_not_exists(pendingSlot, :none), displacedOwner = if_not_exists(pendingOwner, :none), displacedPayload = if_not_exists(pendingPayload, :none)');
    const result = await this.table.update(
      `buffer a run of ${request.task}`,
      this.#key(request.task),
      { set: sets.join(', '), ...(request.payload === undefined ? { rest: 'REMOVE pendingPayload' } : {}) },
      {
        // The SDK's retry of this very request must fail its condition (and be recognised by its token),
        // not buffer the slot a second time after the holder already took it.
        condition: `attribute_exists(#owner) AND expiresAt >= :now AND (attribute_not_exists(#pendingToken) OR #pendingToken <> :writeToken)${displace ? '' : ' AND attribute_not_exists(pendingSlot)'}`,
        names: { '#owner': 'owner', '#pendingToken': PENDING_TOKEN },
        values: {
          ':slot': s(request.slot),
          ':pendingOwner': s(request.owner),
          ':now': n(request.now),
          ...(request.payload === undefined ? {} : { ':payload': s(request.payload) }),
          ...(displace ? { ':none': s('') } : {}),
        },
      },
      PENDING_TOKEN,
    );
    if (!result.written) {
      const waiting = pending(result.item);
      return waiting === undefined ? { buffered: false } : { buffered: false, waiting };
    }
    const displaced = displace ? runOf(str(result.item, 'displacedSlot'), str(result.item, 'displacedOwner'), str(result.item, 'displacedPayload')) : undefined;
    return displaced === undefined ? { buffered: true } : { buffered: true, displaced };
  }

  #key(task: string) {
    return { pk: keys.task(this.scope, task), sk: keys.lease };
  }
}

function pending(item: Item | undefined): PendingRun | undefined {
  return runOf(str(item, 'pendingSlot'), str(item, 'pendingOwner'), str(item, 'pendingPayload'));
}

function handed(item: Item | undefined): PendingRun | undefined {
  return runOf(str(item, 'handedSlot'), str(item, 'handedOwner'), str(item, 'handedPayload'));
}

function runOf(slot: string | undefined, owner: string | undefined, payload: string | undefined): PendingRun | undefined {
  if (slot === undefined || slot === '' || owner === undefined || owner === '') return undefined;
  return payload === undefined || payload === '' ? { slot, owner } : { slot, owner, payload };
}
