import type { MissReason, RunReason, RunStatus } from '../vocabulary.js';

export type { RunStatus } from '../vocabulary.js';

/** A claim on one `(task, slot)`: at most one claim per slot ever succeeds. */
export interface SlotClaim {
  readonly task: string;
  readonly slot: string;
  /** Who claims: the tick's request id. */
  readonly owner: string;
  /** Epoch milliseconds. */
  readonly claimedAt: number;
  /** Claims the slot for the task's own Lambda: the record says `dispatched` until a worker starts it. */
  readonly dispatch?: boolean;
  /**
   * Also takes the slot from a claim still `dispatched` that was made before this time (epoch ms): its
   * tick died between claiming and sending. Its event, should it still arrive, names the old owner
   * and is refused by the worker, so the slot still starts once. A claim still `dispatched` by this
   * same owner (a Lambda retry of the tick) is taken over at once. See `RUN_TRANSITIONS`.
   */
  readonly takeOverDispatchedBefore?: number;
  /**
   * Claims the slot already decided: the record is written with this outcome in the same request (a
   * `when()` that said no, a condition that threw), so no later tick can decide the slot again.
   */
  readonly decided?: { readonly status: 'skipped' | 'failed'; readonly reason: RunReason; readonly error?: string };
}

export type ClaimResult =
  | { readonly claimed: true }
  /** `holder.worker`: the task Lambda invocation that started the run, if a worker did. */
  | { readonly claimed: false; readonly holder: { readonly owner: string; readonly claimedAt: number; readonly status: RunStatus; readonly worker?: string } };

/** How a claimed run ended. Only the claim's owner may record it. */
export interface RunOutcome {
  readonly task: string;
  readonly slot: string;
  readonly owner: string;
  readonly status: Exclude<RunStatus, 'running'>;
  /** Epoch milliseconds. */
  readonly finishedAt: number;
  readonly durationMs?: number;
  readonly error?: string;
  /** Why the run was skipped (or failed without an error of its own). */
  readonly reason?: RunReason;
  /** The tail of the run's captured output (see `OUTPUT_EXCERPT_BYTES`). */
  readonly output?: string;
  /** Epoch milliseconds the run started, and how long after its slot that was. */
  readonly startedAt?: number;
  readonly latenessMs?: number;
  /** Record it only if the run still has this status (a tick giving up a dispatch it never sent). */
  readonly ifStatus?: RunStatus;
}

/** The record of one `(task, slot)`: the claim, updated with its outcome. */
export interface RunRecord {
  readonly task: string;
  readonly slot: string;
  readonly owner: string;
  readonly status: RunStatus;
  readonly claimedAt: number;
  readonly finishedAt?: number;
  readonly durationMs?: number;
  readonly error?: string;
  readonly reason?: RunReason;
  readonly output?: string;
  readonly startedAt?: number;
  readonly latenessMs?: number;
  /** Starts by a worker, for fan-out runs. */
  readonly attempts?: number;
}

/** A task worker starting a dispatched run (see `Store.startRun`). */
export interface RunStart {
  readonly task: string;
  readonly slot: string;
  /** The claim's owner, as the event carries it: a start for someone else's claim is refused. */
  readonly owner: string;
  /** The worker invocation's request id. */
  readonly worker: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** How many times a failed or timed-out run may start again (the Lambda's async retries). */
  readonly retries: number;
}

export type StartResult =
  /** `attempt` counts the starts of this run, from 1. */
  | { readonly started: true; readonly attempt: number }
  /**
   * Already started (a duplicate delivery), finished, out of retries, or never claimed by `owner`.
   * `worker` is the invocation that started it last: when it is this one, a Lambda retry of a worker
   * that died mid-run found its own start with no retries left.
   */
  | { readonly started: false; readonly status: RunStatus | undefined; readonly worker?: string };

/**
 * A run waiting in the table for its time: a one-off dispatch (`dispatchAt`), or a slot whose dispatch
 * failed and that a later tick retries. `(at, id)` is its key.
 */
export interface QueuedRun {
  /** Unique within the deployment's queue. */
  readonly id: string;
  readonly task: string;
  /** The slot it runs as: its identity in claims and run records. */
  readonly slot: string;
  /** Epoch milliseconds: due from then on. */
  readonly at: number;
  /** Dispatch attempts already made. */
  readonly attempt: number;
  /** The payload handed to the task, as JSON. */
  readonly payload?: string;
  /** Why the last dispatch attempt failed. */
  readonly lastError?: string;
  /** Epoch milliseconds. */
  readonly enqueuedAt: number;
}

/** A request for a task's overlap lease. */
export interface LeaseRequest {
  readonly task: string;
  readonly owner: string;
  /** The slot the lease is taken for. */
  readonly slot: string;
  /** Epoch milliseconds: a lease whose `expiresAt` is before `now` is free, whatever TTL has done. */
  readonly now: number;
  /** Epoch milliseconds: the run's deadline plus a margin. */
  readonly expiresAt: number;
}

export interface LeaseHolder {
  readonly owner: string;
  readonly slot: string;
  readonly expiresAt: number;
  /** The run waiting behind it, as `lease()` reads it (an acquire refused does not say). */
  readonly pending?: PendingRun;
}

/** A slot waiting for the lease's holder to finish (overlap policies `bufferOne` and `replace`). */
export interface PendingRun {
  readonly slot: string;
  /** Who claimed the slot, and so owns its run record. */
  readonly owner: string;
  /** A one-off's payload (JSON), carried with it while it waits. */
  readonly payload?: string;
}

/** A slot asking to wait behind the task's lease (see `Leases.bufferBehindLease`). */
export interface BufferRequest {
  readonly task: string;
  readonly slot: string;
  /** Who claimed the slot, and so owns its record. */
  readonly owner: string;
  readonly now: number;
  readonly payload?: string;
  /** Take the place of a run already waiting (policy `replace`). */
  readonly displace?: boolean;
}

/** A heartbeat's answer: refused (the owner lost the lease), or extended — with the run waiting behind it, if any. */
export type LeaseExtension =
  | { readonly extended: false }
  | { readonly extended: true; readonly pending: PendingRun | undefined };

export type LeaseResult =
  /**
   * `fence` strictly increases with every acquisition of the task's lease, across all owners.
   * `superseded` is a run that waited on the lease for another slot (a lapsed holder's buffered run, or
   * one whose releasing holder never acquired it): it will not run now. `lapsed` is the previous
   * holder, when its lease ran out without being released: whatever it ran may have ended unrecorded.
   * `previouslyHanded` is the run the previous acquire took off the lease (started, or superseded): if
   * its record still says `buffered`, that acquire's holder failed before recording it superseded.
   */
  | { readonly acquired: true; readonly fence: number; readonly superseded?: PendingRun; readonly lapsed?: PendingRun; readonly previouslyHanded?: PendingRun }
  | { readonly acquired: false; readonly holder: LeaseHolder };

/** Slots of one task that did not run, summarised: how many, from when to when, and why. */
export interface MissedRecord {
  readonly task: string;
  /** The first and last missed slot (ISO). */
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly reason: MissReason;
  /** The tick (ISO minute) that found them. */
  readonly tick: string;
}

/** Why and since when the scheduler or a task is paused. */
export interface PauseState {
  readonly note: string;
  /** Epoch milliseconds. */
  readonly pausedAt: number;
}

/** The deployment's pauses: the whole scheduler, and single tasks. */
export interface Pauses {
  readonly all: PauseState | undefined;
  readonly tasks: ReadonlyMap<string, PauseState>;
}

/**
 * Which minutes a tick decides. Ticks move the deployment's last evaluated minute forward in one
 * conditional write; the tick that moves it from `L` to `M` decides every slot in `(L, M]` — its own
 * minute and, through catch-up, the ones missed in between — and its duplicates and Lambda retries
 * decide the same range. A tick whose minute a later tick's catch-up already decided decides nothing.
 *
 *   tick 10:00 ──▶ last 10:00, decides (…, 10:00]
 *   tick 10:04 ──▶ last 10:04, decides (10:00, 10:04]: 10:01–10:03 caught up, coalesced or skipped
 *   retry of 10:01 ──▶ 10:01 lies in (10:00, 10:04]: decides nothing
 *   duplicate of 10:04 ──▶ decides (10:00, 10:04] again; claims keep it from running anything twice
 */
export type TickAdvance =
  /** `from`: the last minute evaluated before this range (undefined for the very first tick). */
  | { readonly decides: true; readonly from: number | undefined }
  /** `lastTick`: the latest minute evaluated, after this one. */
  | { readonly decides: false; readonly lastTick: number };

/** Claims and run records. */
export interface RunRecords {
  /** Claims `(task, slot)`; a second claim of the same slot fails and reports the holder. */
  claimSlot(claim: SlotClaim): Promise<ClaimResult>;
  /**
   * A task worker starts a run the tick dispatched: only if `owner` claimed it and it is `dispatched`,
   * or it failed and has retries left. A duplicate delivery of the same event is refused.
   */
  startRun(start: RunStart): Promise<StartResult>;
  /**
   * Gives back a dispatched slot that could not be sent, in one atomic step: its claim is deleted (if
   * `owner` holds it and no worker started it) and `retry` is queued, so a later tick dispatches it.
   * `onOneServer` says the claim (and lease) live in the shared key space; the queue is always this
   * deployment's. With `releaseLease`, the task's lease `owner` took for the slot is released in the
   * same step (if `owner` still holds it): were it a second write, a fault between the two would leave
   * the lease held for a run that is not coming, and every slot until it lapses `overlapping`.
   */
  releaseDispatch(request: { readonly task: string; readonly slot: string; readonly owner: string; readonly onOneServer: boolean; readonly retry: QueuedRun; readonly releaseLease?: boolean }): Promise<boolean>;
  /**
   * Records how a claimed run ended, replacing any earlier outcome's fields (see `OUTCOME_FIELDS`).
   * Returns false (and writes nothing) if `owner` does not hold the claim, or the run's status is not
   * `ifStatus` when given.
   */
  completeRun(outcome: RunOutcome): Promise<boolean>;
  /** The run record of `(task, slot)`, read consistently. */
  getRun(task: string, slot: string): Promise<RunRecord | undefined>;
  /** The record of the task's latest slot, read consistently: one request however long its history. */
  lastRun(task: string): Promise<RunRecord | undefined>;
  /**
   * Records missed slots; a second record for the same task, first slot and reason changes nothing.
   * Returns whether this call wrote it (a retry after a lost reply finds its own write).
   */
  recordMissed(missed: MissedRecord): Promise<boolean>;
  /**
   * The task's run records whose slot lies in `[range.from, range.to]` (ISO strings compared as
   * strings, as slots sort), newest first, at most `range.limit`, read consistently: one request.
   * For `tickwork history`, `monitor` and `why`; the tick never reads a range.
   */
  runsBetween(task: string, range: SlotRange): Promise<RunRecord[]>;
  /**
   * The task's missed-slot summaries whose *first* slot lies in `[range.from, range.to]`, newest first,
   * at most `range.limit`: one request. A summary is keyed by its first slot, so a caller looking for
   * the summaries that cover an instant widens `from` by the longest gap a tick catches up (24 h).
   */
  missedBetween(task: string, range: SlotRange): Promise<MissedRecord[]>;
}

/** Slots from `from` to `to` (ISO, inclusive), and how many records to read at most. */
export interface SlotRange {
  readonly from: string;
  readonly to: string;
  readonly limit: number;
}

/** Runs waiting in the table for their time: one-offs and dispatch retries. */
export interface RunQueue {
  /** Queues a run; returns false (and changes nothing) if one with the same `at` and `id` is queued. */
  enqueue(run: QueuedRun): Promise<boolean>;
  /** Up to `limit` queued runs due by `now`, oldest first, read consistently. */
  dueRuns(now: number, limit: number): Promise<QueuedRun[]>;
  /**
   * Removes a queued run, unless it was queued again since (its `attempt` moved on). Returns whether
   * it is gone: removing one already removed is success, so the call is safe to repeat.
   */
  dequeue(run: Pick<QueuedRun, 'id' | 'at' | 'attempt'>): Promise<boolean>;
}

/** Overlap leases (`withoutOverlapping()`). */
export interface Leases {
  /**
   * Takes the task's overlap lease if it is free or expired — or already held by this owner for this
   * same slot (a Lambda retry of the tick that took it) — with the next fence token.
   */
  acquireLease(request: LeaseRequest): Promise<LeaseResult>;
  /** Who holds the task's lease now, and for which slot; undefined when nobody does. */
  lease(task: string): Promise<LeaseHolder | undefined>;
  /** Releases the lease if `owner` still holds it. Returns whether it did. */
  releaseLease(task: string, owner: string): Promise<boolean>;
  /**
   * Releases the lease and returns the run buffered behind it, if any, for the caller to run next. The
   * run stays on the lease until an acquire takes it: the caller's acquire for that slot starts it, and
   * if the caller dies before (a crash, a store fault), the next acquire for another slot reports it
   * `superseded` — a buffered run is never dropped unrecorded. Returns `released: false` (and nothing
   * pending) for a stale owner.
   */
  releaseLeaseTakingPending(task: string, owner: string): Promise<{ readonly released: boolean; readonly pending: PendingRun | undefined }>;
  /**
   * Buffers `slot` behind the current holder, only while the lease is held. With `displace` (policy
   * `replace`: the newest work wins) it takes the place of a run already waiting, which comes back as
   * `displaced`; without it (`bufferOne`) it is buffered only if nothing waits yet. Refused, it says
   * which run waits (`waiting`), read by the same request.
   */
  bufferBehindLease(request: BufferRequest): Promise<{ readonly buffered: boolean; readonly displaced?: PendingRun; readonly waiting?: PendingRun }>;
  /**
   * Moves the lease's expiry to `expiresAt` if `owner` still holds it and it has not expired by `now`
   * (a heartbeat), and says which run waits behind it (`bufferOne`, `replace`). Refused — changing
   * nothing — for a stale owner.
   */
  extendLease(request: { readonly task: string; readonly owner: string; readonly now: number; readonly expiresAt: number }): Promise<LeaseExtension>;
}

/**
 * What the queue looked like when a tick began: a lower bound on the due time of every queued run,
 * and a version that every enqueue changes. A tick reads the queue only when a run may be due — or
 * when the version is unknown (a table from before the mark existed) — and afterwards moves the bound
 * up to the earliest run still queued, unless a run was queued meanwhile (`settleQueue`).
 *
 *   enqueue(at 10:07) ──▶ earliest = min(earliest, 10:07), version v2   (one transaction with the run)
 *   tick 10:05 ──▶ earliest 10:07 > 10:05: no queue read at all
 *   tick 10:07 ──▶ reads the due runs, runs them, dequeues them
 *              ──▶ settleQueue(v2): earliest = next queued run's time (or none), only if still v2
 */
export interface QueueMark {
  /** Epoch ms: no queued run is due before it; undefined when nothing is queued. */
  readonly earliest: number | undefined;
  /** Undefined when not known: the tick then reads the queue, and its `settleQueue` sets one. */
  readonly version: string | undefined;
}

/** Whether a tick at `now` must read the queue. */
export function queueMayBeDue(mark: QueueMark, now: number): boolean {
  return mark.version === undefined || (mark.earliest !== undefined && mark.earliest <= now);
}

/**
 * A range of minutes `(from, to]` whose tick moved the last evaluated minute to `to` with slots to
 * record, and has not yet said it decided them all (`TickState.settleTick`). The note lives on the
 * tick-state item, so every tick reads the notes with the write that begins it, at no extra request.
 *
 *   tick 10:05, busy ──▶ last 10:05 and note (10:04, 10:05], begun 10:05:01, in its one write
 *                    ──▶ claims every slot ──▶ settleTick(10:05): note gone
 *   tick 10:06, busy ──▶ last 10:06, note (10:05, 10:06], begun 10:06:01 ──▶ throttled past every
 *                        retry, and its Lambda retries too (each stamps the note begun again)
 *   tick 10:23 ──▶ finds the note older than any attempt of its tick can run (`STALE_RUN_MS` after
 *                  it last began): claims each of its slots as missed, reason `tick-failed` — a slot
 *                  claimed meanwhile keeps its record — then settleTick(10:06)
 */
export interface UnsettledRange {
  /** The last minute evaluated before the range; undefined for the first tick ever. Epoch ms. */
  readonly from: number | undefined;
  /** The range's tick's own minute. Epoch ms. */
  readonly to: number;
  /** When an attempt of the range's tick last began (its clock), epoch ms: a tick that arrives late counts from then. */
  readonly begunAt: number;
}

/** What `TickState.beginTick` needs to note a range (`UnsettledRange`). */
export interface TickBeginning {
  /** The tick's clock, epoch ms. */
  readonly now: number;
  /** Whether the range `(from, minute]` has a slot a tick records; a range that has none is not noted. */
  readonly busy: (from: number | undefined) => boolean;
}

/** Attempts of a tick within this long of its note's `begunAt` leave the note as it is: duplicates delivered together write nothing more. */
export const RENOTE_AFTER_MS = 60_000;

/** What a tick learns from the one write that begins it (see `TickState.beginTick`). */
export interface TickStart {
  readonly advance: TickAdvance;
  readonly pauses: Pauses;
  readonly queue: QueueMark;
  /** Every range still noted unsettled, this tick's own included (its own minute as `to`) when noted. */
  readonly unsettled: readonly UnsettledRange[];
  /**
   * This attempt's write moved the last evaluated minute (its duplicates and Lambda retries find it
   * moved): the one attempt of a minute that recovers others' unsettled ranges.
   */
  readonly moved: boolean;
}

/** The deployment's last evaluated minute, and which minutes each tick decides. */
export interface TickState {
  /**
   * `advanceTick`, returning also the pauses, the queue's mark and the unsettled ranges, which live on
   * the same item: a tick with nothing due and nothing queued costs this one request. Given `noting`,
   * the write that moves the last tick also notes the range it decides unsettled when that range is
   * busy (`UnsettledRange`), and an attempt that finds its own range still noted — a duplicate, a
   * Lambda retry — stamps it begun again once the stamp is `RENOTE_AFTER_MS` old.
   */
  beginTick(minute: number, noting?: TickBeginning): Promise<TickStart>;
  /** Removes the note that the range ending at `minute` is unsettled: all its slots are claimed or decided. Safe to repeat. */
  settleTick(minute: number): Promise<void>;
  /** The ranges noted unsettled now, read consistently (for `tickwork why`; a tick gets them from `beginTick`). */
  unsettled(): Promise<UnsettledRange[]>;
  /**
   * After a tick read the queue: moves the queue's mark to the earliest run still queued, if no run
   * was queued since `seen` (else leaves it: it is still a lower bound). Safe to repeat.
   */
  settleQueue(seen: QueueMark): Promise<void>;
  /**
   * Moves the last evaluated minute forward to `minute` (never back) and says which minutes this tick
   * decides (see `TickAdvance`). One conditional write in the usual case.
   */
  advanceTick(minute: number): Promise<TickAdvance>;
  /** The latest minute a tick has evaluated (epoch ms), read consistently; undefined before the first. */
  lastTick(): Promise<number | undefined>;
}

/** Pausing the scheduler or single tasks. */
export interface PauseStore {
  /** Pauses the scheduler (no `task`) or one task, with a note; pausing again replaces the note. */
  pause(request: { readonly task?: string; readonly note: string; readonly pausedAt: number }): Promise<void>;
  /** Lifts a pause. Returns whether there was one. */
  resume(task?: string): Promise<boolean>;
  /** Every pause of this deployment, read consistently in one request. */
  pauses(): Promise<Pauses>;
}

/**
 * Tickwork's state, one port per concern. Every decision is one conditional write that is safe to
 * retry (a retry that finds its own write reports success); implementations never read-then-write,
 * and every condition checks expiry times itself (DynamoDB TTL only garbage-collects).
 */
export interface Store extends RunRecords, RunQueue, Leases, TickState, PauseStore {
  /** Creates the table where it does not exist. For local runs and tests; deployed stacks create it. */
  ensureTable(): Promise<void>;
  /**
   * The same store in the key space every deployment shares (for `onOneServer()` tasks): claims and
   * leases there are seen by all deployments that use the table.
   */
  shared(): Store;
}

/** The deployment id of the shared key space; ordinary ids may not contain `*`. */
export const SHARED_SCOPE = '*';

/** What a deployment id may look like, so it can never collide with the shared scope. */
export const DEPLOYMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Run records are kept this long (via TTL) unless the store is told otherwise. */
export const DEFAULT_RETENTION_DAYS = 30;
/** The shortest retention: a tick (or its retry) may arrive up to a day after its minute. */
export const MIN_RETENTION_DAYS = 2;
