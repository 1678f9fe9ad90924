import type { LimitFunction } from 'p-limit';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { outlivedItsInvocation } from '../kernel/runBudget.js';
import type { Pauses, QueuedRun, SlotClaim, Store } from '../store/Store.js';
import { hasOutcome } from '../store/runTransitions.js';
import { FAILURE_REASON, RUN_STATUS, SKIP_REASON, type MissReason, type SkipReason } from '../vocabulary.js';
import { prepareDispatch, STALE_DISPATCH_MS } from './fanOut.js';
import { filterReason, staticFilter } from './filters.js';
import { ABANDONED, recordAbandoned, runLeased, settleOwnLease, waitingBehindLease } from './overlap.js';
import { recordResult, runClaimed } from './runClaimed.js';
import { outcomeFields } from './outcomeLog.js';
import type { RunTickInput, SlotResult } from './RunContext.js';
import { conditionMessage, failBeforeRun } from './runTask.js';

/**
 * One slot, start to end: its filters and the pause state (no request), its claim — which also records
 * a decision not to run it — its lease if the task asks for one, then either the run and its record
 * (inline, `runClaimed`/`runLeased`) or the event for the task's own Lambda (`fanOut.ts`), which the
 * tick sends with the others.
 *
 * A `queued` slot (a one-off from `dispatchAt`, or a slot whose dispatch failed before) skips the
 * filters — it was asked for explicitly, or passed them when first due — and leaves the queue once its
 * record holds an outcome (see `leaveQueue`).
 */
export async function runSlot(input: RunTickInput, due: DueSlot, pauses: Pauses, claimLimit: LimitFunction, queued?: QueuedRun): Promise<SlotResult> {
  const { owner, logger } = input;
  const { definition } = due.task;
  const { name, withoutOverlapping } = definition;
  const fanOut = definition.lambda !== false;
  // onOneServer() tasks claim and lease where every deployment sharing the table looks.
  const store = definition.onOneServer ? input.store.shared() : input.store;
  const log = (outcome: string, extra: { reason?: string } & Record<string, unknown> = {}) => logger.info(`task ${outcome}`, { ...outcomeFields(input, { task: name, slot: due.slot, outcome }), ...extra });

  // Filters any tick decides alike (`staticFilter`) cost no request. Conditions (`when`/`skip`) and
  // pauses can change between two ticks for the same minute, so those decisions are written on the
  // slot (see `SlotClaim.decided`).
  const ruledOut = queued === undefined ? staticFilter(definition, due.clock, input.stage) : undefined;
  if (ruledOut !== undefined) {
    log('skipped', { reason: ruledOut });
    return { kind: 'skipped', name, reason: ruledOut };
  }
  let filtered: SkipReason | undefined;
  let conditionError: unknown;
  try {
    filtered = queued === undefined ? await filterReason(due, input.stage) : undefined;
  } catch (error) {
    conditionError = error;
  }
  const pause = pauses.tasks.get(name) ?? pauses.all;
  const paused = pause !== undefined && !definition.evenWhenPaused;
  const decidedReason = filtered ?? (paused && conditionError === undefined ? SKIP_REASON.paused : undefined);

  const claimedAt = input.now();
  const dispatch = fanOut && decidedReason === undefined && conditionError === undefined;
  const claim: SlotClaim = {
    task: name,
    slot: due.slot,
    owner,
    claimedAt,
    dispatch,
    ...(dispatch ? { takeOverDispatchedBefore: claimedAt - STALE_DISPATCH_MS } : {}),
    ...(decidedReason === undefined ? {} : { decided: { status: RUN_STATUS.skipped, reason: decidedReason } }),
  };
  const claimed = await claimLimit(() => store.claimSlot(claim));
  const settled = (result: SlotResult) => leaveQueue(input, queued, result);
  if (!claimed.claimed) {
    if (claimed.holder.owner === owner && fanOut && !dispatch && claimed.holder.status === RUN_STATUS.dispatched) {
      return settled(await redecideOwnDispatch(input, store, due, decidedReason, conditionError));
    }
    if (claimed.holder.owner === owner) return settled(await resumeOwnClaim(input, store, due, claimed.holder));
    if (queued !== undefined && !fanOut && isStrandedInline(claimed.holder, claimedAt)) {
      // Every attempt of the invocation that claimed it failed: nothing runs behind it any more.
      await recordAbandoned(input, store, name, due.slot, claimed.holder.owner, RUN_STATUS.running);
      return settled({ kind: 'failed', name, error: ABANDONED });
    }
    // Another tick's claim: that tick takes the entry off the queue once the run has an outcome, and
    // this one does so only when it finds the outcome (the other tick ended between the two writes).
    if (queued !== undefined && hasOutcome(claimed.holder.status)) await input.store.dequeue(queued);
    log('skipped', { reason: SKIP_REASON.alreadyClaimed, holder: claimed.holder.owner });
    return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed, ...(queued === undefined && heldInline(definition, claimed.holder) ? { heldOpen: due.slot } : {}) };
  }
  if (decidedReason !== undefined) {
    log('skipped', { reason: decidedReason, ...(decidedReason === SKIP_REASON.paused && pause !== undefined ? { note: pause.note, pausedAt: new Date(pause.pausedAt).toISOString() } : {}) });
    return settled({ kind: 'skipped', name, reason: decidedReason });
  }
  if (conditionError !== undefined) {
    // Decided failed by its claim: the failure hooks and mail run once, in the tick that won it.
    return settled(await recordResult(input, store, due, owner, await failBeforeRun(due, conditionError, input), FAILURE_REASON.conditionThrew));
  }

  if (fanOut) return settled(await prepareDispatch(input, store, due, queued));
  if (withoutOverlapping === false) return settled(await runClaimed(input, store, due, owner));
  return settled(await runLeased(input, store, due, withoutOverlapping));
}

/**
 * An earlier attempt of this invocation claimed the fan-out slot to send it and ended before it could;
 * this attempt decides not to run it (a pause, or a `when()`/`skip()` condition, changed in between).
 * The decision replaces the unsent claim — only while the record still says `dispatched`: had the
 * earlier event gone out and its worker started, the run is the worker's — and the lease that attempt
 * took for the slot is freed. A condition that threw runs the failure hooks once the record says so.
 */
async function redecideOwnDispatch(input: RunTickInput, store: Store, due: DueSlot, decided: SkipReason | undefined, conditionError: unknown): Promise<SlotResult> {
  const { name, withoutOverlapping } = due.task.definition;
  const finishedAt = input.now();
  const decision = decided !== undefined
    ? { status: RUN_STATUS.skipped, reason: decided }
    : { status: RUN_STATUS.failed, reason: FAILURE_REASON.conditionThrew, error: conditionMessage(conditionError) };
  const written = await store.completeRun({ task: name, slot: due.slot, owner: input.owner, finishedAt, ifStatus: RUN_STATUS.dispatched, ...decision });
  if (!written) {
    input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), note: "the earlier attempt's event reached its worker" });
    return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
  }
  if (withoutOverlapping !== false) await releaseOwnLease(store, name, due.slot, input.owner);
  if (decided !== undefined) {
    input.logger.info('task skipped', outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason: decided }));
    return { kind: 'skipped', name, reason: decided };
  }
  await failBeforeRun(due, conditionError, input); // its hooks and pings; the record is written above
  input.logger.info('task failed', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'failed', reason: FAILURE_REASON.conditionThrew }), error: decision.error });
  return { kind: 'failed', name, error: decision.error ?? '' };
}

/** Frees the task's lease if `owner` holds it for this very slot. */
async function releaseOwnLease(store: Store, name: string, slot: string, owner: string): Promise<void> {
  const lease = await store.lease(name);
  if (lease?.owner === owner && lease.slot === slot) await store.releaseLease(name, owner);
}

/**
 * An inline claim left `running` by an invocation that is over, and whose Lambda retries all failed
 * too (or never came). Only a queued run is ever looked at again by another tick — its entry stays
 * until its record has an outcome — so that tick records it abandoned and lets the entry go.
 */
export function isStrandedInline(holder: { readonly status: string; readonly claimedAt: number; readonly worker?: string }, now: number): boolean {
  return holder.status === RUN_STATUS.running && holder.worker === undefined && outlivedItsInvocation(holder.claimedAt, now);
}

/**
 * A past sub-minute slot of the tick's own minute that its policy does not run (`CatchUpPlan.decide`):
 * one claim records it skipped with the miss reason, so a duplicate or a retry of this tick that sees
 * the minute differently cannot run it, and one that decided first keeps its decision.
 *
 * If the claim is this invocation's own, an earlier attempt reached the slot in time and took it on:
 * an inline run it left `running` is settled as abandoned (`resumeOwnClaim`); a fan-out claim it may
 * never have sent goes the usual way (`runSlot`), which takes the claim over and sends the event.
 */
export async function decideSlot(input: RunTickInput, due: DueSlot, reason: MissReason, pauses: Pauses, claimLimit: LimitFunction): Promise<SlotResult> {
  const { definition } = due.task;
  const store = definition.onOneServer ? input.store.shared() : input.store;
  const claimed = await claimLimit(() =>
    store.claimSlot({ task: definition.name, slot: due.slot, owner: input.owner, claimedAt: input.now(), dispatch: false, decided: { status: RUN_STATUS.skipped, reason } }),
  );
  if (claimed.claimed) {
    input.logger.warn('task missed', outcomeFields(input, { task: definition.name, slot: due.slot, outcome: 'missed', reason }));
    return { kind: 'missed', name: definition.name, slot: due.slot, reason };
  }
  if (claimed.holder.owner === input.owner) {
    if (definition.lambda !== false && claimed.holder.status === RUN_STATUS.dispatched) return runSlot(input, due, pauses, claimLimit);
    return resumeOwnClaim(input, store, due, claimed.holder);
  }
  input.logger.info('task skipped', { ...outcomeFields(input, { task: definition.name, slot: due.slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), holder: claimed.holder.owner });
  return { kind: 'skipped', name: definition.name, reason: SKIP_REASON.alreadyClaimed, ...(heldInline(definition, claimed.holder) ? { heldOpen: due.slot } : {}) };
}

/** Another invocation's inline run with no outcome yet: the one kind of claim recovery may have to settle. */
function heldInline(definition: { readonly lambda: unknown; readonly onOneServer: boolean }, holder: { readonly status: string; readonly worker?: string }): boolean {
  // An onOneServer holder may be another deployment's tick, which settles its own note, not ours.
  return definition.lambda === false && !definition.onOneServer && holder.status === RUN_STATUS.running && holder.worker === undefined;
}

/**
 * A queued slot leaves the queue only once its record holds an outcome (or a buffered place behind the
 * lease): a tick that dies before that leaves the entry for its Lambda retry, which finds its own claim
 * (`resumeOwnClaim`) and settles it. A dispatch leaves it in `sendPrepared`, once the event is sent.
 */
async function leaveQueue(input: RunTickInput, queued: QueuedRun | undefined, result: SlotResult): Promise<SlotResult> {
  if (queued !== undefined && result.kind !== 'dispatch') await input.store.dequeue(queued);
  return result;
}

/**
 * The slot's claim is this invocation's own, written by an earlier attempt: Lambda retried the tick
 * (same request id) after that attempt crashed, timed out or failed on a store fault. A fan-out claim
 * it never sent was taken over by the claim itself (see `RUN_TRANSITIONS`); a run it left `running` —
 * inline, or a fan-out slot it decided failed (a condition threw) — has no run behind it any more — that attempt is gone — and is recorded `failed` with
 * reason `abandoned`, because it may have done some or all of its work and must not start again.
 */
async function resumeOwnClaim(input: RunTickInput, store: Store, due: DueSlot, holder: { readonly status: string; readonly worker?: string }): Promise<SlotResult> {
  const name = due.task.definition.name;
  // A `running` fan-out record with a worker is that worker's run; without one, this tick's own
  // decision (a condition that threw) whose outcome it never wrote.
  const { withoutOverlapping, lambda } = due.task.definition;
  if (holder.status === RUN_STATUS.running && lambda === false && withoutOverlapping !== false && withoutOverlapping.policy !== 'skip') {
    const behind = await waitingBehindLease(store, name, due.slot, input.owner, input.now());
    if (behind !== undefined) return stillBehindLease(input, store, name, due.slot, behind);
  }
  const abandoned = holder.status === RUN_STATUS.running && holder.worker === undefined;
  // Its outcome may come in first: a run the lease's holder took from behind the lease and finished.
  const recorded = abandoned && (await recordAbandoned(input, store, name, due.slot, input.owner, RUN_STATUS.running));
  if (withoutOverlapping !== false && lambda === false) await settleOwnLease(input, store, name, due.slot);
  // A fan-out slot the earlier attempt decided not to send (given up after every dispatch attempt) may
  // still hold the lease that attempt took for it; no worker runs behind a decided record.
  if (withoutOverlapping !== false && lambda !== false && (abandoned || holder.status === RUN_STATUS.skipped)) await releaseOwnLease(store, name, due.slot, input.owner);
  if (!recorded) {
    const note = abandoned ? 'its outcome was recorded before it could be recorded abandoned' : 'decided by an earlier attempt of this invocation';
    input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), note });
    return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
  }
  return { kind: 'failed', name, error: ABANDONED };
}

/**
 * The earlier attempt put this slot behind the task's lease and died before writing `buffered` over its
 * claim: no run of it started here. Waiting, it is recorded `buffered` now (over the claim only, as
 * `leaseRefused` writes it); handed, the holder is running it and records its outcome.
 */
async function stillBehindLease(input: RunTickInput, store: Store, name: string, slot: string, behind: 'waiting' | 'handed'): Promise<SlotResult> {
  if (behind === 'waiting') {
    await store.completeRun({ task: name, slot, owner: input.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.buffered, finishedAt: input.now(), ifStatus: RUN_STATUS.running });
    input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot, outcome: 'skipped', reason: SKIP_REASON.buffered }), note: 'buffered by an earlier attempt of this invocation' });
    return { kind: 'skipped', name, reason: SKIP_REASON.buffered };
  }
  input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), note: 'buffered by an earlier attempt of this invocation, and now run by the lease holder' });
  return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
}
