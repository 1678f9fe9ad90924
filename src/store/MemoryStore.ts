import { randomUUID } from 'node:crypto';
import { StoreError } from '../errors.js';
import { RUN_STATUS } from '../vocabulary.js';
import { DEFAULT_DEPLOYMENT } from './keys.js';
import { canAcquireLease, canStart, canTakeOver, OUTCOME_FIELDS } from './runTransitions.js';
import {
  DEPLOYMENT_ID,
  SHARED_SCOPE,
  type BufferRequest,
  type ClaimResult,
  type LeaseExtension,
  type LeaseHolder,
  type LeaseRequest,
  type LeaseResult,
  type MissedRecord,
  type Pauses,
  type PauseState,
  type PendingRun,
  type QueuedRun,
  type QueueMark,
  type RunOutcome,
  type RunStart,
  type RunRecord,
  type SlotClaim,
  type SlotRange,
  type StartResult,
  type Store,
  type TickAdvance,
  type TickBeginning,
  type TickStart,
  type UnsettledRange,
  RENOTE_AFTER_MS,
} from './Store.js';

const MINUTE_MS = 60_000;

/** Everything a MemoryStore holds; views made by `shared()` use the same state. */
class State {
  readonly runs = new Map<string, RunRecord>();
  readonly leases = new Map<string, LeaseHolder>();
  readonly fences = new Map<string, number>();
  readonly missed = new Map<string, MissedRecord>();
  readonly ticks = new Map<string, { readonly last: number; readonly previous: number | undefined }>();
  /** Catch-up ranges `(from, to]` per scope, as `DynamoTickState` records them. */
  readonly covered = new Map<string, { readonly from: number; readonly to: number }[]>();
  /** Unsettled ranges per scope, by their `to` (`UnsettledRange`). */
  readonly unsettled = new Map<string, Map<number, UnsettledRange>>();
  /** The worker that started each run last. */
  readonly workers = new Map<string, string>();
  readonly pauses = new Map<string, PauseState>();
  readonly pending = new Map<string, PendingRun>();
  /** The run each lease's last acquire took off it (`LeaseResult.previouslyHanded`). */
  readonly handed = new Map<string, PendingRun>();
  /** Starts per run record, as `startRun` counts them. */
  readonly attempts = new Map<string, number>();
  /** Queued runs by `scope|at|id`. */
  readonly queue = new Map<string, QueuedRun>();
  /** The queue's mark per scope, as `DynamoRunQueue` keeps it on the tick-state item. */
  readonly queueMarks = new Map<string, QueueMark>();
}

/**
 * An in-process store with the same semantics as `DynamoDbStore`, for unit tests and for local runs
 * without Java. State lives in this object only: two processes never share it.
 */
export class MemoryStore implements Store {
  readonly #scope: string;
  readonly #state: State;
  #shared: MemoryStore | undefined;

  /** @param deployment namespaces everything, like `DynamoDbStore`'s option. @default 'default' */
  constructor(deployment: string = DEFAULT_DEPLOYMENT, state: State = new State()) {
    if (deployment !== SHARED_SCOPE && !DEPLOYMENT_ID.test(deployment)) {
      throw new StoreError(`MemoryStore expects a deployment id of letters, digits, '.', '_' or '-', got ${JSON.stringify(deployment)}`);
    }
    this.#scope = deployment;
    this.#state = state;
  }

  async ensureTable(): Promise<void> {}

  shared(): Store {
    this.#shared ??= this.#scope === SHARED_SCOPE ? this : new MemoryStore(SHARED_SCOPE, this.#state);
    return this.#shared;
  }

  /** Another deployment's view of the same state, as two stacks pointing at one table see it. */
  withDeployment(deployment: string): MemoryStore {
    return new MemoryStore(deployment, this.#state);
  }

  async claimSlot(claim: SlotClaim): Promise<ClaimResult> {
    const key = this.#key(claim.task, claim.slot);
    const existing = this.#state.runs.get(key);
    const takeOver = existing !== undefined && claim.dispatch === true && canTakeOver(this.#runState(key, existing), claim);
    if (existing !== undefined && !takeOver) {
      const worker = this.#state.workers.get(key);
      return { claimed: false, holder: { owner: existing.owner, claimedAt: existing.claimedAt, status: existing.status, ...(worker === undefined ? {} : { worker }) } };
    }
    this.#state.attempts.delete(key);
    this.#state.workers.delete(key);
    const { dispatch, takeOverDispatchedBefore: _, decided, ...record } = claim;
    const status = decided?.status ?? (dispatch === true ? RUN_STATUS.dispatched : RUN_STATUS.running);
    this.#state.runs.set(key, {
      ...record,
      status,
      ...(decided === undefined ? {} : { reason: decided.reason, finishedAt: claim.claimedAt, ...(decided.error === undefined ? {} : { error: decided.error }) }),
    });
    return { claimed: true };
  }

  async startRun(start: RunStart): Promise<StartResult> {
    const key = this.#key(start.task, start.slot);
    const run = this.#state.runs.get(key);
    if (run === undefined || !canStart(this.#runState(key, run), start)) {
      const worker = this.#state.workers.get(key);
      return { started: false, status: run?.status, ...(worker === undefined ? {} : { worker }) };
    }
    const attempt = (this.#state.attempts.get(key) ?? 0) + 1;
    this.#state.attempts.set(key, attempt);
    this.#state.workers.set(key, start.worker);
    this.#state.runs.set(key, { ...run, status: RUN_STATUS.running, startedAt: start.startedAt, attempts: attempt });
    return { started: true, attempt };
  }

  async releaseDispatch(request: { task: string; slot: string; owner: string; onOneServer: boolean; retry: QueuedRun; releaseLease?: boolean }): Promise<boolean> {
    const key = this.#key(request.task, request.slot, request.onOneServer ? SHARED_SCOPE : this.#scope);
    const run = this.#state.runs.get(key);
    // As on DynamoDB: a claim already gone was released by this same call, whose reply was lost.
    if (run === undefined) return true;
    if (run.owner !== request.owner || run.status !== 'dispatched') return false;
    this.#state.runs.delete(key);
    this.#queue(request.retry);
    if (request.releaseLease === true) await (request.onOneServer ? this.shared() : this).releaseLease(request.task, request.owner);
    return true;
  }

  /** Queues `run` and moves the mark as `enqueueWith` does: down to its time, and a new version. */
  #queue(run: QueuedRun): void {
    this.#state.queue.set(this.#queueKey(run), run);
    const mark = this.#state.queueMarks.get(this.#scope);
    this.#state.queueMarks.set(this.#scope, { earliest: Math.min(mark?.earliest ?? run.at, run.at), version: randomUUID() });
  }

  /** As `DynamoTickState.beginTick`: the move that decides a busy range notes it; an attempt that finds its own note a minute old stamps it begun again. */
  async beginTick(minute: number, noting?: TickBeginning): Promise<TickStart> {
    const last = this.#state.ticks.get(this.#scope)?.last;
    const advance = await this.advanceTick(minute);
    const moved = last === undefined || last < minute;
    if (noting !== undefined && moved) {
      const from = last !== undefined && minute - last > MINUTE_MS ? last : minute - MINUTE_MS; // a gap's range, else the minute alone
      if (noting.busy(from)) this.#unsettled.set(minute, { from: last, to: minute, begunAt: noting.now });
    }
    const own = this.#unsettled.get(minute);
    if (noting !== undefined && advance.decides && own !== undefined && own.begunAt < noting.now - RENOTE_AFTER_MS) this.#unsettled.set(minute, { ...own, begunAt: noting.now });
    return {
      advance,
      pauses: await this.pauses(),
      queue: this.#state.queueMarks.get(this.#scope) ?? { earliest: undefined, version: undefined },
      unsettled: await this.unsettled(),
      moved,
    };
  }

  async settleTick(minute: number): Promise<void> {
    this.#unsettled.delete(minute);
  }

  async unsettled(): Promise<UnsettledRange[]> {
    return [...this.#unsettled.values()].sort((a, b) => a.to - b.to);
  }

  get #unsettled(): Map<number, UnsettledRange> {
    let ranges = this.#state.unsettled.get(this.#scope);
    if (ranges === undefined) this.#state.unsettled.set(this.#scope, (ranges = new Map()));
    return ranges;
  }

  /** As `settleQueue` on DynamoDB: the earliest run still queued, unless a run was queued since `seen`. */
  async settleQueue(seen: QueueMark): Promise<void> {
    const mark = this.#state.queueMarks.get(this.#scope);
    if (mark?.version !== seen.version) return;
    const prefix = `${JSON.stringify(this.#scope)}|`;
    const times = [...this.#state.queue].filter(([key]) => key.startsWith(prefix)).map(([, run]) => run.at);
    this.#state.queueMarks.set(this.#scope, { earliest: times.length === 0 ? undefined : Math.min(...times), version: seen.version ?? randomUUID() });
  }

  async enqueue(run: QueuedRun): Promise<boolean> {
    const key = this.#queueKey(run);
    if (this.#state.queue.has(key)) return false;
    this.#queue(run);
    return true;
  }

  async dueRuns(now: number, limit: number): Promise<QueuedRun[]> {
    const prefix = `${JSON.stringify(this.#scope)}|`;
    return [...this.#state.queue]
      .filter(([key, run]) => key.startsWith(prefix) && run.at <= now)
      .map(([, run]) => run)
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async dequeue(run: Pick<QueuedRun, 'id' | 'at' | 'attempt'>): Promise<boolean> {
    const key = this.#queueKey(run);
    const queued = this.#state.queue.get(key);
    // Gone already counts as done (safe to repeat); a run queued again since stays.
    if (queued !== undefined && queued.attempt !== run.attempt) return false;
    this.#state.queue.delete(key);
    return true;
  }

  #queueKey(run: Pick<QueuedRun, 'id' | 'at'>): string {
    return `${JSON.stringify(this.#scope)}|${run.at}|${JSON.stringify(run.id)}`;
  }

  async completeRun(outcome: RunOutcome): Promise<boolean> {
    const key = this.#key(outcome.task, outcome.slot);
    const existing = this.#state.runs.get(key);
    if (existing === undefined || existing.owner !== outcome.owner) return false;
    if (outcome.ifStatus !== undefined && existing.status !== outcome.ifStatus) return false;
    const { ifStatus: _, ...fields } = outcome;
    const kept: Record<string, unknown> = { ...existing };
    for (const field of OUTCOME_FIELDS) delete kept[field];
    this.#state.runs.set(key, { ...(kept as unknown as RunRecord), ...fields });
    return true;
  }

  async getRun(task: string, slot: string): Promise<RunRecord | undefined> {
    return this.#state.runs.get(this.#key(task, slot));
  }

  async lastRun(task: string): Promise<RunRecord | undefined> {
    let latest: RunRecord | undefined;
    const prefix = this.#key(task, '');
    for (const [key, run] of this.#state.runs) {
      if (key.startsWith(prefix) && (latest === undefined || run.slot > latest.slot)) latest = run;
    }
    return latest;
  }

  async runsBetween(task: string, range: SlotRange): Promise<RunRecord[]> {
    const prefix = this.#key(task, '');
    const runs = [...this.#state.runs].filter(([key, run]) => key.startsWith(prefix) && run.slot >= range.from && run.slot <= range.to).map(([, run]) => run);
    return newestFirst(runs, (run) => run.slot).slice(0, range.limit);
  }

  async missedBetween(task: string, range: SlotRange): Promise<MissedRecord[]> {
    const prefix = this.#key(task, '');
    const missed = [...this.#state.missed].filter(([key, m]) => key.startsWith(prefix) && m.from >= range.from && m.from <= range.to).map(([, m]) => m);
    // The same order as DynamoDB's sort key `missed#<first slot>#<reason>`, read backwards.
    return newestFirst(missed, (m) => `${m.from}#${m.reason}`).slice(0, range.limit);
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    const key = this.#key(request.task);
    const held = this.#state.leases.get(key);
    if (held !== undefined && !canAcquireLease(held, request)) return { acquired: false, holder: held };
    this.#state.leases.set(key, { owner: request.owner, slot: request.slot, expiresAt: request.expiresAt });
    const fence = (this.#state.fences.get(key) ?? 0) + 1;
    this.#state.fences.set(key, fence);
    const waiting = this.#state.pending.get(key);
    this.#state.pending.delete(key);
    const previouslyHanded = this.#state.handed.get(key);
    if (waiting === undefined) this.#state.handed.delete(key);
    else this.#state.handed.set(key, waiting);
    const superseded = waiting?.slot === request.slot ? undefined : waiting;
    // As on DynamoDB: a holder still on the lease (release deletes it here) let it lapse.
    const lapsed = held !== undefined && held.owner !== request.owner ? { slot: held.slot, owner: held.owner } : undefined;
    return { acquired: true, fence, ...(superseded === undefined ? {} : { superseded }), ...(lapsed === undefined ? {} : { lapsed }), ...(previouslyHanded === undefined ? {} : { previouslyHanded }) };
  }

  async extendLease(request: { task: string; owner: string; now: number; expiresAt: number }): Promise<LeaseExtension> {
    const key = this.#key(request.task);
    const held = this.#state.leases.get(key);
    if (held === undefined || held.owner !== request.owner || held.expiresAt < request.now) return { extended: false };
    this.#state.leases.set(key, { ...held, expiresAt: request.expiresAt });
    return { extended: true, pending: this.#state.pending.get(key) };
  }

  async lease(task: string): Promise<LeaseHolder | undefined> {
    const key = this.#key(task);
    const held = this.#state.leases.get(key);
    const waiting = this.#state.pending.get(key);
    return held === undefined ? undefined : { ...held, ...(waiting === undefined ? {} : { pending: waiting }) };
  }

  async releaseLease(task: string, owner: string): Promise<boolean> {
    return (await this.releaseLeaseTakingPending(task, owner)).released;
  }

  async releaseLeaseTakingPending(task: string, owner: string): Promise<{ released: boolean; pending: PendingRun | undefined }> {
    const key = this.#key(task);
    if (this.#state.leases.get(key)?.owner !== owner) return { released: false, pending: undefined };
    this.#state.leases.delete(key);
    // The waiting run stays until an acquire takes it, as on DynamoDB.
    return { released: true, pending: this.#state.pending.get(key) };
  }

  async bufferBehindLease(request: BufferRequest): Promise<{ buffered: boolean; displaced?: PendingRun; waiting?: PendingRun }> {
    const key = this.#key(request.task);
    const held = this.#state.leases.get(key);
    const waiting = this.#state.pending.get(key);
    if (held === undefined || held.expiresAt < request.now || (waiting !== undefined && request.displace !== true)) return waiting === undefined ? { buffered: false } : { buffered: false, waiting };
    this.#state.pending.set(key, { slot: request.slot, owner: request.owner, ...(request.payload === undefined ? {} : { payload: request.payload }) });
    return waiting === undefined ? { buffered: true } : { buffered: true, displaced: waiting };
  }

  async lastTick(): Promise<number | undefined> {
    return this.#state.ticks.get(this.#scope)?.last;
  }

  /** As `DynamoTickState.advanceTick`: the same ranges, from the same state. */
  async advanceTick(minute: number): Promise<TickAdvance> {
    const state = this.#state.ticks.get(this.#scope);
    if (state === undefined || state.last < minute) {
      this.#state.ticks.set(this.#scope, { last: minute, previous: state?.last });
      return this.#decides(state?.last, minute);
    }
    if (state.last === minute) return this.#decides(state.previous, minute);
    const range = (this.#state.covered.get(this.#scope) ?? []).find((r) => r.from < minute && minute <= r.to);
    if (range === undefined) return { decides: true, from: minute - MINUTE_MS };
    return range.to === minute ? { decides: true, from: range.from } : { decides: false, lastTick: state.last };
  }

  #decides(from: number | undefined, minute: number): TickAdvance {
    if (from !== undefined && minute - from > MINUTE_MS) {
      const ranges = this.#state.covered.get(this.#scope) ?? [];
      if (!ranges.some((r) => r.to === minute)) ranges.push({ from, to: minute });
      this.#state.covered.set(this.#scope, ranges);
    }
    return { decides: true, from };
  }

  async recordMissed(missed: MissedRecord): Promise<boolean> {
    const key = this.#key(missed.task, `${missed.from}#${missed.reason}`);
    if (this.#state.missed.has(key)) return false;
    this.#state.missed.set(key, missed);
    return true;
  }

  async pause(request: { task?: string; note: string; pausedAt: number }): Promise<void> {
    this.#state.pauses.set(this.#pauseKey(request.task), { note: request.note, pausedAt: request.pausedAt });
  }

  async resume(task?: string): Promise<boolean> {
    return this.#state.pauses.delete(this.#pauseKey(task));
  }

  async pauses(): Promise<Pauses> {
    const tasks = new Map<string, PauseState>();
    const prefix = `${JSON.stringify(this.#scope)}|task|`;
    for (const [key, state] of this.#state.pauses) if (key.startsWith(prefix)) tasks.set(JSON.parse(key.slice(prefix.length)) as string, state);
    return { all: this.#state.pauses.get(this.#pauseKey()), tasks };
  }

  #pauseKey(task?: string): string {
    return `${JSON.stringify(this.#scope)}|${task === undefined ? 'all' : `task|${JSON.stringify(task)}`}`;
  }

  /** Every missed record of this scope, for tests. */
  missed(): MissedRecord[] {
    const prefix = `${JSON.stringify(this.#scope)}|`;
    return [...this.#state.missed].filter(([key]) => key.startsWith(prefix)).map(([, record]) => record);
  }

  #runState(key: string, run: RunRecord) {
    return { owner: run.owner, status: run.status, reason: run.reason, claimedAt: run.claimedAt, attempts: this.#state.attempts.get(key), worker: this.#state.workers.get(key) };
  }

  /** `scope|task|rest`, JSON-quoted so no name can forge another's key. */
  #key(task: string, rest?: string, scope: string = this.#scope): string {
    const base = `${JSON.stringify(scope)}|${JSON.stringify(task)}|`;
    return rest === undefined ? base : `${base}${rest}`;
  }
}

/** Sorted by `key` descending, as a DynamoDB Query with `ScanIndexForward: false` returns items. */
function newestFirst<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}
