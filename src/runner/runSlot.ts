import type { LimitFunction } from 'p-limit';
import type { DueSlot } from '../evaluation/dueSlots.js';
import type { Pauses, QueuedRun, SlotClaim, Store } from '../store/Store.js';
import { hasOutcome } from '../store/runTransitions.js';
import { FAILURE_REASON, RUN_STATUS, SKIP_REASON, type SkipReason } from '../vocabulary.js';
import { prepareDispatch, STALE_DISPATCH_MS } from './fanOut.js';
import { filterReason } from './filters.js';
import { ABANDONED, recordAbandoned, runLeased, settleOwnLease } from './overlap.js';
import { recordResult, runClaimed } from './runClaimed.js';
import { outcomeFields } from './outcomeLog.js';
import type { RunTickInput, SlotResult } from './RunContext.js';
import { failBeforeRun } from './runTask.js';

/**
 * Filters any tick decides alike — they depend only on the stage and the slot's wall clock — so a
 * slot they rule out costs no request. Conditions (`when`/`skip`) and pauses can change between two
 * ticks for the same minute, so those decisions are written on the slot (see `SlotClaim.decided`).
 */
const STATIC_FILTERS: ReadonlySet<SkipReason> = new Set([SKIP_REASON.environment, SKIP_REASON.outsideBetween, SKIP_REASON.insideUnlessBetween]);

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

  let filtered: SkipReason | undefined;
  let conditionError: unknown;
  try {
    filtered = queued === undefined ? await filterReason(due, input.stage) : undefined;
  } catch (error) {
    conditionError = error;
  }
  if (filtered !== undefined && STATIC_FILTERS.has(filtered)) {
    log('skipped', { reason: filtered });
    return { kind: 'skipped', name, reason: filtered };
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
    if (claimed.holder.owner === owner) return settled(await resumeOwnClaim(input, store, due, claimed.holder));
    // Another tick's claim: that tick takes the entry off the queue once the run has an outcome, and
    // this one does so only when it finds the outcome (the other tick ended between the two writes).
    if (queued !== undefined && hasOutcome(claimed.holder.status)) await input.store.dequeue(queued);
    log('skipped', { reason: SKIP_REASON.alreadyClaimed, holder: claimed.holder.owner });
    return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
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
  const abandoned = holder.status === RUN_STATUS.running && holder.worker === undefined;
  if (abandoned) await recordAbandoned(input, store, name, due.slot, input.owner, RUN_STATUS.running);
  if (due.task.definition.withoutOverlapping !== false && due.task.definition.lambda === false) await settleOwnLease(input, store, name, due.slot);
  if (!abandoned) {
    input.logger.info('task skipped', { ...outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason: SKIP_REASON.alreadyClaimed }), note: 'decided by an earlier attempt of this invocation' });
    return { kind: 'skipped', name, reason: SKIP_REASON.alreadyClaimed };
  }
  return { kind: 'failed', name, error: ABANDONED };
}
