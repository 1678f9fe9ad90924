import type { LimitFunction } from 'p-limit';
import type { DueSlot } from '../evaluation/dueSlots.js';
import type { OverlapOptions } from '../kernel/types.js';
import { excerpt } from '../output/index.js';
import type { Pauses, PendingRun, Store } from '../store/Store.js';
import { deliverOutput } from './deliverOutput.js';
import { filterReason, type FilterReason } from './filters.js';
import { startHeartbeat } from './heartbeat.js';
import { runTask } from './runTask.js';
import type { RunTickInput } from './runTick.js';

/** Added to a run's deadline so a lease outlives a run that finishes right at its deadline. */
export const LEASE_MARGIN_MS = 30_000;

/** Why a due slot did not start: a filter ruled it out, another tick holds it, or a run still does. */
export type SkipReason = FilterReason | 'paused' | 'already-claimed' | 'overlapping' | 'buffered';

export type SlotResult =
  | { kind: 'ran'; name: string }
  | { kind: 'failed'; name: string; error: string }
  | { kind: 'skipped'; name: string; reason: SkipReason };

/**
 * One slot, start to end: its filters and the pause state (no request), its claim, its lease if the
 * task asks for one, the run, and the run record.
 */
export async function runSlot(input: RunTickInput, due: DueSlot, pauses: Pauses, claimLimit: LimitFunction): Promise<SlotResult> {
  const { owner, logger } = input;
  const { definition } = due.task;
  const { name, withoutOverlapping } = definition;
  // onOneServer() tasks claim and lease where every deployment sharing the table looks.
  const store = definition.onOneServer ? input.store.shared() : input.store;
  const log = (outcome: string, extra: Record<string, unknown> = {}) =>
    logger.info(`task ${outcome}`, { task: name, slot: due.slot, outcome, ...extra });

  // Filters first: a slot they rule out costs no request, and duplicate ticks agree on it.
  let filtered: FilterReason | undefined;
  try {
    filtered = await filterReason(due, input.stage);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log('failed', { error: message });
    return { kind: 'failed', name, error: message };
  }
  if (filtered !== undefined) {
    log('skipped', { reason: filtered });
    return { kind: 'skipped', name, reason: filtered };
  }
  const pause = pauses.tasks.get(name) ?? pauses.all;
  if (pause !== undefined && !definition.evenWhenPaused) {
    log('skipped', { reason: 'paused', note: pause.note, pausedAt: new Date(pause.pausedAt).toISOString() });
    return { kind: 'skipped', name, reason: 'paused' };
  }

  const claim = await claimLimit(() => store.claimSlot({ task: name, slot: due.slot, owner, claimedAt: input.now() }));
  if (!claim.claimed) {
    log('skipped', { reason: 'already-claimed', holder: claim.holder.owner });
    return { kind: 'skipped', name, reason: 'already-claimed' };
  }

  if (withoutOverlapping === false) return runClaimed(input, store, due, owner);
  return runLeased(input, store, due, withoutOverlapping);
}

/**
 * Runs a claimed slot under the task's lease. With `bufferOne`, a slot that finds the lease held waits
 * behind it (one at most), and the run that releases the lease takes it back in the same request and
 * runs it next — in this tick, while time remains.
 *
 *   tick 10:00 ── lease ─────── run 10:00 ──────── release → pending 10:01 ── lease ── run 10:01 ── release
 *   tick 10:01 ── lease held → buffered (reason `buffered`)
 *   tick 10:02 ── lease held, one already buffered → skipped (reason `overlapping`)
 */
async function runLeased(input: RunTickInput, store: Store, first: DueSlot, overlap: OverlapOptions): Promise<SlotResult> {
  const { owner, logger } = input;
  const name = first.task.definition.name;
  let current: { readonly due: DueSlot; readonly recordOwner: string } | undefined = { due: first, recordOwner: owner };
  let firstResult: SlotResult | undefined;
  while (current !== undefined) {
    const due: DueSlot = current.due;
    const recordOwner: string = current.recordOwner;
    const now = input.now();
    const until = runDeadline(input, due, now) + LEASE_MARGIN_MS;
    const cap = overlap.expiresMinutes * 60_000;
    const lease = await store.acquireLease({ task: name, owner, slot: due.slot, now, expiresAt: Math.min(until, now + cap) });
    if (!lease.acquired) {
      const buffered = overlap.policy === 'bufferOne' && (await store.bufferBehindLease({ task: name, slot: due.slot, owner: recordOwner, now }));
      const reason = buffered ? 'buffered' : 'overlapping';
      await store.completeRun({ task: name, slot: due.slot, owner: recordOwner, status: 'skipped', reason, finishedAt: input.now() });
      logger.info('task skipped', { task: name, slot: due.slot, outcome: 'skipped', reason, holder: lease.holder.owner, heldFor: lease.holder.slot });
      return firstResult ?? { kind: 'skipped', name, reason };
    }
    if (lease.superseded !== undefined) {
      // A lapsed holder had buffered this run; the run about to start is the "one more" it stood for.
      const { slot: supersededSlot, owner: supersededOwner } = lease.superseded;
      await store.completeRun({ task: name, slot: supersededSlot, owner: supersededOwner, status: 'skipped', reason: 'superseded', finishedAt: now });
      logger.info('task skipped', { task: name, slot: supersededSlot, outcome: 'skipped', reason: 'superseded' });
    }
    const leaseLost = new AbortController();
    const stopHeartbeat = now + cap < until
      ? startHeartbeat({
          store, task: name, owner, now: input.now, length: cap, until, logger,
          onLost: () => leaseLost.abort(new Error(`Task "${name}" lost its lease; stopped so its fence token is not used stale`)),
        })
      : () => {};
    let pending: PendingRun | undefined;
    try {
      const result = await runClaimed(input, store, due, recordOwner, { fence: lease.fence, signal: leaseLost.signal, immediate: due !== first });
      firstResult ??= result;
    } finally {
      stopHeartbeat();
      ({ pending } = await store.releaseLeaseTakingPending(name, owner));
    }
    current = undefined;
    if (pending !== undefined) {
      if (input.now() < input.deadline) {
        current = { due: { ...due, at: new Date(pending.slot), slot: pending.slot }, recordOwner: pending.owner };
      } else {
        await store.completeRun({ task: name, slot: pending.slot, owner: pending.owner, status: 'skipped', reason: 'overlapping', finishedAt: input.now() });
        logger.info('task skipped', { task: name, slot: pending.slot, outcome: 'skipped', reason: 'overlapping', note: 'buffered run found no time left in the tick' });
      }
    }
  }
  return firstResult ?? { kind: 'skipped', name, reason: 'overlapping' };
}

/** The run's own deadline: its `timeout()` from when it starts, within the tick's. */
function runDeadline(input: RunTickInput, due: DueSlot, now: number): number {
  const { timeoutSeconds } = due.task.definition;
  const start = Math.max(now, due.at.getTime());
  return timeoutSeconds === undefined ? input.deadline : Math.min(input.deadline, start + timeoutSeconds * 1000);
}

/** Runs a claimed slot and records its outcome on the claim owned by `recordOwner`. */
async function runClaimed(
  input: RunTickInput,
  store: Store,
  due: DueSlot,
  recordOwner: string,
  lease: { fence: number; signal: AbortSignal; immediate: boolean } | undefined = undefined,
): Promise<SlotResult> {
  const { logger } = input;
  const { definition } = due.task;
  const name = definition.name;
  const result = await runTask(due, {
    deadline: input.deadline,
    now: input.now,
    logger,
    commands: input.commands,
    ...(lease === undefined ? {} : { fence: lease.fence, signal: lease.signal, immediate: lease.immediate }),
  });
  const { output, ...outcome } = result;
  await store.completeRun({
    task: name,
    slot: due.slot,
    owner: recordOwner,
    finishedAt: input.now(),
    ...outcome,
    ...(output === '' ? {} : { output: excerpt(output) }),
  });
  await deliverOutput(definition, due.slot, result, input.sinks, logger);
  const log = (outcome: string, extra: Record<string, unknown>) => logger.info(`task ${outcome}`, { task: name, slot: due.slot, outcome, ...extra });
  if (result.status === 'succeeded') {
    log('ran', { durationMs: result.durationMs, latenessMs: result.latenessMs });
    return { kind: 'ran', name };
  }
  log(result.status, { durationMs: result.durationMs, error: result.error });
  return { kind: 'failed', name, error: result.error };
}
