import type { DueSlot } from '../evaluation/dueSlots.js';
import { outcomeFields } from './outcomeLog.js';
import { RunReplacedError } from '../errors.js';
import type { OverlapOptions } from '../kernel/types.js';
import type { LeaseRequest, LeaseResult, PendingRun, Store } from '../store/Store.js';
import { FAILURE_REASON, RUN_STATUS, SKIP_REASON, type RunStatus } from '../vocabulary.js';
import { startHeartbeat } from './heartbeat.js';
import type { RunContext, SlotResult } from './RunContext.js';
import { runClaimed } from './runClaimed.js';
import { runWindow } from './runTask.js';

/**
 * Where overlap is decided: `withoutOverlapping()` and its policies (`skip`, `bufferOne`, `replace`).
 * A task's runs never overlap because each holds the task's lease (`Leases`) while it may be running,
 * and the lease's expiry is decided in one place, `leaseExpiry()`.
 */

/** Added to a run's deadline so a lease outlives a run that finishes right at its deadline. */
export const LEASE_MARGIN_MS = 30_000;

/** How often a `replace` run's heartbeat asks whether a newer slot waits to replace it. */
export const REPLACE_CHECK_MS = 5_000;

/**
 * When a lease taken at `now` for a run that may last until `runEnd` expires: the run's end plus
 * `LEASE_MARGIN_MS`, but never later than the task's `expiresMinutes` cap from now (a run that needs
 * longer keeps it alive with a heartbeat). `runEnd` comes from `runWindow()` — from when the run really
 * starts, after its jitter — or, for a fan-out run, from its Lambda's timeout.
 */
export function leaseExpiry(now: number, runEnd: number, overlap: OverlapOptions): { readonly expiresAt: number; readonly until: number; readonly capped: boolean } {
  const until = runEnd + LEASE_MARGIN_MS;
  const cap = now + overlap.expiresMinutes * 60_000;
  return { expiresAt: Math.min(until, cap), until, capped: cap < until };
}

/**
 * A slot that found the task's lease held: buffered behind it (`bufferOne`: if nothing waits yet;
 * `replace`: in place of whatever waits, newest work wins, and the holder's heartbeat stops the current
 * run for it) or skipped as `overlapping`.
 */
export async function leaseRefused(
  input: RunContext,
  store: Store,
  due: DueSlot,
  recordOwner: string,
  overlap: OverlapOptions,
  holder: { readonly owner: string; readonly slot: string },
  claimStatus: typeof RUN_STATUS.running | typeof RUN_STATUS.dispatched = RUN_STATUS.running,
): Promise<SlotResult> {
  const name = due.task.definition.name;
  const now = input.now();
  // The holder holds the lease for this very slot: it took the slot from behind the lease to run it,
  // after an earlier attempt of this invocation buffered it and died before recording so.
  if (holder.slot === due.slot && holder.owner !== recordOwner) return leftToHolder(input, store, name, due.slot, recordOwner, holder.owner, claimStatus);
  const answer = overlap.policy === 'skip'
    ? { buffered: false, displaced: undefined }
    : await store.bufferBehindLease({ task: name, slot: due.slot, owner: recordOwner, now, displace: overlap.policy === 'replace', ...(due.payload === undefined ? {} : { payload: due.payload }) });
  // A Lambda retry of a tick that buffered this slot and died before recording so finds it waiting
  // already: refused (`bufferOne`), or displacing itself (`replace`). It is still buffered.
  const own = (run: PendingRun | undefined) => run?.slot === due.slot && run.owner === recordOwner;
  const buffered = answer.buffered || own(answer.waiting);
  const displaced = own(answer.displaced) ? undefined : answer.displaced;
  if (displaced !== undefined) await recordSuperseded(input, store, name, displaced, now);
  const reason = buffered ? SKIP_REASON.buffered : SKIP_REASON.overlapping;
  // Only over the claim as it stands: once buffered, the holder may take this run, run it and record its
  // outcome before this write lands (a slow or retried request), and that outcome must stay.
  await store.completeRun({ task: name, slot: due.slot, owner: recordOwner, status: RUN_STATUS.skipped, reason, finishedAt: now, ifStatus: claimStatus });
  input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason }), holder: holder.owner, heldFor: holder.slot });
  return { kind: 'skipped', name, reason };
}

/**
 * A slot its lease's holder took from behind the lease to run, found by a Lambda retry of the tick that
 * buffered it and died before recording so. Buffered or sent again, it would run twice: it is left to
 * the holder, which records its outcome. Its record says `buffered` meanwhile (over the claim only), so a
 * holder that dies mid-run has it recorded `abandoned` by the next holder of the lapsed lease
 * (`recordLapsedRun`) instead of leaving it `dispatched` for good.
 */
export async function leftToHolder(input: RunContext, store: Store, name: string, slot: string, recordOwner: string, holder: string, claimStatus: RunStatus): Promise<SlotResult> {
  await store.completeRun({ task: name, slot, owner: recordOwner, status: RUN_STATUS.skipped, reason: SKIP_REASON.buffered, finishedAt: input.now(), ifStatus: claimStatus });
  input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), holder, note: 'taken from behind the lease by its holder, which runs it' });
  return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
}

/**
 * Where `slot`, claimed by `owner`, stands on the task's lease held by another: `waiting` behind it, or
 * `handed` — taken off it by the holder, which holds the lease for it and runs it. A tick that put the
 * slot there and died before writing `buffered` over its claim left it saying `running`; its Lambda
 * retry asks here before taking that for a run it started itself. One read, only on that path.
 */
export async function waitingBehindLease(store: Store, name: string, slot: string, owner: string, now: number): Promise<'waiting' | 'handed' | undefined> {
  const lease = await store.lease(name);
  if (lease === undefined || lease.owner === owner) return undefined;
  if (lease.pending?.slot === slot && lease.pending.owner === owner) return 'waiting';
  if (lease.slot === slot && lease.expiresAt >= now) return 'handed';
  return undefined;
}

/**
 * The run the lease's previous acquire took off it, if its record still says `buffered`: that acquire
 * superseded it, and its holder failed (a store fault past every retry) before recording so — a run
 * it started instead has its own outcome, or is its lapsed holder's (`recordLapsedRun`). Recorded
 * superseded now, so no slot is left saying it waits for a run that is not coming. One read, only on
 * the acquire after a hand-over.
 */
export async function settlePreviouslyHanded(input: RunContext, store: Store, name: string, lease: { readonly previouslyHanded?: PendingRun; readonly lapsed?: PendingRun }, slot: string): Promise<void> {
  const previous = lease.previouslyHanded;
  if (previous === undefined || previous.slot === slot || previous.slot === lease.lapsed?.slot) return;
  const record = await store.getRun(name, previous.slot);
  if (record?.status !== RUN_STATUS.skipped || record.reason !== SKIP_REASON.buffered) return;
  await store.completeRun({ task: name, slot: previous.slot, owner: record.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.superseded, finishedAt: input.now(), ifStatus: RUN_STATUS.skipped });
  input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: previous.slot, outcome: 'skipped', reason: SKIP_REASON.superseded }), note: 'found still buffered by the next acquire of the lease' });
}

/** A run that waited behind the lease will not run: a newer one took its place. */
export async function recordSuperseded(input: RunContext, store: Store, name: string, superseded: PendingRun, now: number): Promise<void> {
  await store.completeRun({ task: name, slot: superseded.slot, owner: superseded.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.superseded, finishedAt: now });
  input.logger.info('task skipped', outcomeFields(input, { task: name, slot: superseded.slot, outcome: 'skipped', reason: SKIP_REASON.superseded }));
}

/**
 * Runs a claimed slot under the task's lease. With `bufferOne` or `replace`, a slot that finds the
 * lease held waits behind it (one at most), and the run that releases the lease takes it back in the
 * same request and runs it next — in this invocation, while time remains.
 *
 *   tick 10:00 ── lease ─────── run 10:00 ──────── release → pending 10:01 ── lease ── run 10:01 ── release
 *   tick 10:01 ── lease held → buffered (reason `buffered`)
 *   tick 10:02 ── lease held, one already buffered → skipped (`overlapping`); with `replace`, 10:02
 *                 takes 10:01's place (10:01 `superseded`) and the running 10:00 is stopped (`replaced`)
 */
export async function runLeased(
  input: RunContext,
  store: Store,
  first: DueSlot,
  overlap: OverlapOptions,
  acquireFirst: (request: LeaseRequest) => Promise<LeaseResult> = (request) => store.acquireLease(request),
): Promise<SlotResult> {
  const { owner, logger } = input;
  const name = first.task.definition.name;
  let current: { readonly due: DueSlot; readonly recordOwner: string } | undefined = { due: first, recordOwner: owner };
  let firstResult: SlotResult | undefined;
  while (current !== undefined) {
    const due: DueSlot = current.due;
    const recordOwner: string = current.recordOwner;
    const immediate = due !== first;
    const now = input.now();
    const window = runWindow(due, { now, deadline: input.deadline, immediate });
    const { expiresAt, until, capped } = leaseExpiry(now, window.end, overlap);
    const request = { task: name, owner, slot: due.slot, now, expiresAt };
    const lease = await (immediate ? store.acquireLease(request) : acquireFirst(request));
    if (!lease.acquired) {
      // A buffered run whose lease another slot took between the release and here was taken off the
      // lease by that acquire, which recorded it `superseded`.
      if (immediate) return firstResult ?? { kind: 'skipped', name, reason: SKIP_REASON.superseded };
      return leaseRefused(input, store, due, recordOwner, overlap, lease.holder);
    }
    if (lease.superseded !== undefined) await recordSuperseded(input, store, name, lease.superseded, now);
    if (lease.lapsed !== undefined) await recordLapsedRun(input, store, name, lease.lapsed);
    await settlePreviouslyHanded(input, store, name, lease, due.slot);
    const stop = new AbortController();
    // A lease capped below the run's end needs a heartbeat to stay alive; `replace` needs one to
    // learn that a newer slot waits, and beats at least every REPLACE_CHECK_MS for it.
    const replace = overlap.policy === 'replace';
    const stopHeartbeat = capped || replace
      ? startHeartbeat({
          store, task: name, owner, now: input.now, length: expiresAt - now, until, logger,
          onLost: () => stop.abort(new Error(`Task "${name}" lost its lease; stopped so its fence token is not used stale`)),
          ...(replace
            ? {
                intervalMs: REPLACE_CHECK_MS,
                onPending: (waiting: PendingRun) => {
                  if (stop.signal.aborted) return;
                  logger.info('task replaced', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'replaced' }), by: waiting.slot });
                  stop.abort(new RunReplacedError(name, due.slot, waiting.slot));
                },
              }
            : {}),
        })
      : () => {};
    let pending: PendingRun | undefined;
    let result: SlotResult;
    try {
      result = await runClaimed(input, store, due, recordOwner, { fence: lease.fence, signal: stop.signal, immediate });
    } catch (fault) {
      stopHeartbeat();
      // A store fault while recording the run. A run that had waited behind the lease keeps it: its
      // record belongs to another tick, and the lease is how this invocation's Lambda retry — or, once
      // it lapses, the next holder — finds the run and records it (`settleOwnLease`, `lapsedRun`). The
      // slot's own run is found by its claim, so its lease is freed for the next slot as usual.
      if (!immediate) await store.releaseLeaseTakingPending(name, owner).catch(() => undefined); // else it lapses
      throw fault;
    }
    stopHeartbeat();
    firstResult ??= result;
    if (result.kind === 'failed' && result.abandoned === true) {
      // The action ignored its abort and may still be running: releasing now would let the next slot
      // overlap it. The lease lapses at its own expiry instead, and a waiting run is superseded then.
      logger.warn('lease kept until it expires', { task: name, slot: due.slot, reason: 'the run did not stop when aborted' });
    } else {
      ({ pending } = await store.releaseLeaseTakingPending(name, owner));
    }
    current = undefined;
    if (pending !== undefined) {
      if (input.now() < input.deadline) {
        const { payload: _previous, ...rest } = due;
        const next: DueSlot = { ...rest, at: slotInstant(pending.slot), slot: pending.slot, ...(pending.payload === undefined ? {} : { payload: pending.payload }) };
        current = { due: next, recordOwner: pending.owner };
      } else {
        await store.completeRun({ task: name, slot: pending.slot, owner: pending.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.overlapping, finishedAt: input.now() });
        logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: pending.slot, outcome: 'skipped', reason: SKIP_REASON.overlapping }), note: 'buffered run found no time left in the tick' });
      }
    }
  }
  return firstResult ?? { kind: 'skipped', name, reason: SKIP_REASON.overlapping };
}

/** The scheduled instant of a slot: a one-off's slot is `<due ISO>#<id>`, a scheduled one its ISO instant. */
export function slotInstant(slot: string): Date {
  return new Date(Date.parse(slot.split('#')[0]!));
}

export const ABANDONED = 'Abandoned: the invocation that ran this slot ended before recording an outcome; Lambda retried it, and the run is not started twice';

/** Records the run `abandoned` over its record as it stands (`ifStatus`); false if the record moved on first (its outcome came in). */
export async function recordAbandoned(input: RunContext, store: Store, name: string, slot: string, owner: string, ifStatus: RunStatus): Promise<boolean> {
  const written = await store.completeRun({ task: name, slot, owner, status: RUN_STATUS.failed, reason: FAILURE_REASON.abandoned, error: ABANDONED, finishedAt: input.now(), ifStatus });
  if (written) input.logger.error('task failed', { ...outcomeFields(input, { task: name, slot, outcome: 'failed', reason: FAILURE_REASON.abandoned }), error: ABANDONED });
  return written;
}

/**
 * The lease an earlier attempt of this invocation left held: nothing runs behind it any more, so it is
 * freed (a run still waiting on it stays for the next acquire to report; see
 * `Leases.releaseLeaseTakingPending`). Held for another slot, it was taken for a run that had waited
 * behind this one (`bufferOne`/`replace`), which that attempt started and never finished: that run's
 * record, still saying `buffered`, is recorded `abandoned` too.
 */
export async function settleOwnLease(input: RunContext, store: Store, name: string, slot: string): Promise<void> {
  const lease = await store.lease(name);
  if (lease?.owner !== input.owner) return;
  if (lease.slot !== slot) {
    const handed = await store.getRun(name, lease.slot);
    if (handed !== undefined && isUnfinished(handed)) {
      await recordAbandoned(input, store, name, lease.slot, handed.owner, handed.status);
    }
  }
  await store.releaseLease(name, input.owner);
}

/**
 * The previous holder let the lease lapse (it died, or lost its lease): a run it had started — its
 * own slot's, or one handed to it from behind the lease — and never recorded stays `running` or
 * `buffered` on its record. The next holder records it `abandoned`; a run that is in fact still going
 * overwrites that with its own outcome when it ends.
 */
export async function recordLapsedRun(input: RunContext, store: Store, name: string, lapsed: PendingRun): Promise<void> {
  const record = await store.getRun(name, lapsed.slot);
  if (record === undefined || !isUnfinished(record)) return;
  await recordAbandoned(input, store, name, lapsed.slot, record.owner, record.status);
}

/** A record whose run may have started and never ended: `running`, or `buffered` behind a lease. */
function isUnfinished(record: { readonly status: string; readonly reason?: string }): boolean {
  return record.status === RUN_STATUS.running || (record.status === RUN_STATUS.skipped && record.reason === SKIP_REASON.buffered);
}
