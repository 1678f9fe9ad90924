import { FAILURE_REASON, RUN_STATUS, type RunStatus } from '../vocabulary.js';

/**
 * Who may move a run record from which status to which: the one statement of these rules. Both
 * stores derive from it — `MemoryStore` through the predicates below, `DynamoDbStore` by building
 * its `ConditionExpression`s from the same status lists — and the store contract suite checks both
 * against it. Each DynamoDB condition cites the row it implements.
 *
 * | transition | from                                  | to                     | by     | also requires                                     |
 * |------------|---------------------------------------|------------------------|--------|---------------------------------------------------|
 * | claim      | (no record)                           | running / dispatched   | tick   |                                                   |
 * | take over  | dispatched                            | running / dispatched   | tick   | claimed before `takeOverDispatchedBefore`, or by this same owner (a Lambda retry of the tick that never sent it) |
 * | start      | dispatched                            | running                | worker | the event's owner is the claim's owner            |
 * | restart    | failed, timed-out                     | running                | worker | same owner; a worker started it before; attempts ≤ retries; not `abandoned` |
 * | complete   | any                                   | any outcome            | owner  | the claim's owner; the status is `ifStatus` when given |
 * | release    | dispatched                            | (deleted, run queued)  | tick   | the claim's owner                                 |
 */
export const RUN_TRANSITIONS = {
  takeOver: { from: [RUN_STATUS.dispatched] },
  start: { from: [RUN_STATUS.dispatched] },
  restart: { from: [RUN_STATUS.failed, RUN_STATUS.timedOut] },
  release: { from: [RUN_STATUS.dispatched] },
} as const satisfies Record<string, { readonly from: readonly RunStatus[] }>;

/** Statuses with an owner still at work on the run: every other status is an outcome. */
const IN_PROGRESS: ReadonlySet<string> = new Set([RUN_STATUS.dispatched, RUN_STATUS.running]);

/** Has the run an outcome yet (or is its owner still at work on it)? */
export function hasOutcome(status: string | undefined): boolean {
  return status !== undefined && !IN_PROGRESS.has(status);
}

/** Outcome fields a `complete` replaces: one an outcome does not carry is removed (a retry's success drops the failure's error). */
export const OUTCOME_FIELDS = ['durationMs', 'error', 'reason', 'output'] as const;

/** The record fields the predicates read. */
export interface RunState {
  readonly owner: string;
  readonly status: RunStatus;
  /** Why it ended as it did (`abandoned`, …), if it has a reason. */
  readonly reason?: string | undefined;
  readonly claimedAt: number;
  /** Starts by a worker so far; undefined if no worker ever started it. */
  readonly attempts: number | undefined;
  /** The worker invocation that started it last. */
  readonly worker: string | undefined;
}

/** `take over`: may a claim by `owner` replace `existing`? */
export function canTakeOver(existing: RunState, claim: { readonly owner: string; readonly takeOverDispatchedBefore?: number }): boolean {
  if (!includes(RUN_TRANSITIONS.takeOver.from, existing.status)) return false;
  return existing.owner === claim.owner || (claim.takeOverDispatchedBefore !== undefined && existing.claimedAt < claim.takeOverDispatchedBefore);
}

/**
 * `start` or `restart`: may this worker start the run? A run still `running` is never started again,
 * not even by a Lambda retry of the worker that started it: that attempt may have done its work
 * before it died, so the retry records it abandoned instead (see `createTaskHandler`).
 */
export function canStart(existing: RunState, start: { readonly owner: string; readonly retries: number }): boolean {
  if (existing.owner !== start.owner) return false;
  if (includes(RUN_TRANSITIONS.start.from, existing.status)) return true;
  // An abandoned run may have done its work: it is never started again, whatever `retries` allows.
  if (existing.reason === FAILURE_REASON.abandoned) return false;
  return includes(RUN_TRANSITIONS.restart.from, existing.status) && existing.attempts !== undefined && existing.attempts <= start.retries;
}

function includes(list: readonly RunStatus[], status: RunStatus): boolean {
  return list.includes(status);
}

/**
 * Lease rule: a lease may be taken when it is free, its holder's deadline has passed (judged by the
 * expiry time, never by TTL), or this owner already holds it for this same slot — a Lambda retry of
 * the invocation that took it, which is that same run.
 */
export function canAcquireLease(held: { readonly owner: string; readonly slot: string; readonly expiresAt: number }, request: { readonly owner: string; readonly slot: string; readonly now: number }): boolean {
  return held.expiresAt < request.now || (held.owner === request.owner && held.slot === request.slot);
}
