import type { Logger } from '@aws-lambda-powertools/logger';
import type { LimitFunction } from 'p-limit';
import { taskEventId, type TaskEventDetail } from '../dispatch/Dispatcher.js';
import type { DueSlot } from '../evaluation/dueSlots.js';
import type { CommandRegistry } from '../kernel/CommandRegistry.js';
import { lambdaSettings } from '../kernel/lambdaSettings.js';
import type { OverlapOptions } from '../kernel/types.js';
import { RunReplacedError } from '../errors.js';
import { excerpt } from '../output/index.js';
import { DEFAULT_DEPLOYMENT } from '../store/keys.js';
import type { LeaseRequest, LeaseResult, Pauses, PendingRun, QueuedRun, Store } from '../store/Store.js';
import { deliverOutput, type OutputSinks } from './deliverOutput.js';
import { filterReason, type FilterReason } from './filters.js';
import { startHeartbeat } from './heartbeat.js';
import { runTask } from './runTask.js';
import type { RunTickInput } from './runTick.js';

/** Added to a run's deadline so a lease outlives a run that finishes right at its deadline. */
export const LEASE_MARGIN_MS = 30_000;

/**
 * How long a fan-out run's lease allows, before its Lambda's own timeout, for the event to reach the
 * worker. The worker moves the lease to its real deadline as soon as it starts.
 */
export const DISPATCH_ALLOWANCE_MS = 60_000;

/**
 * A fan-out claim still `dispatched` after this long was never sent (its tick died in between): a
 * retry of that tick takes it over. Sending takes well under a second.
 */
export const STALE_DISPATCH_MS = 120_000;

/** How often a `replace` run's heartbeat asks whether a newer slot waits to replace it. */
export const REPLACE_CHECK_MS = 5_000;

/** Why a due slot did not start: a filter ruled it out, another tick holds it, or a run still does. */
export type SkipReason = FilterReason | 'paused' | 'already-claimed' | 'overlapping' | 'buffered';

export type SlotResult =
  | { kind: 'ran'; name: string }
  /**
   * `abandoned`: the action ignored its abort and may still be running (see `TaskResult`);
   * `replaced`: stopped for a newer slot (overlap policy `replace`) — not a failure to retry.
   */
  | { kind: 'failed'; name: string; error: string; abandoned?: boolean; replaced?: boolean }
  | { kind: 'skipped'; name: string; reason: SkipReason }
  /** Claimed (and leased, if the task asks) for the task's own Lambda: the tick sends `event` next. */
  | { kind: 'dispatch'; name: string; event: TaskEventDetail; leased: boolean; onOneServer: boolean; queued: QueuedRun | undefined };

/** What running a claimed slot needs, in the tick and in a task worker alike. */
export interface RunContext {
  readonly commands: CommandRegistry;
  /** Where task output goes. */
  readonly sinks: OutputSinks;
  /** Who claimed the slot and holds its lease: the tick's request id. */
  readonly owner: string;
  /** Epoch milliseconds by which every run must have ended (the Lambda's deadline less a margin). */
  readonly deadline: number;
  /** Wall clock, for lease expiry and durations only — never for deciding which minute is due. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Aborts every run from outside: the worker Lambda's own timeout signal. */
  readonly signal?: AbortSignal;
}

/**
 * One slot, start to end: its filters and the pause state (no request), its claim, its lease if the
 * task asks for one, then either the run and its record (inline) or the event for the task's own
 * Lambda (fan-out), which the tick sends with the others.
 *
 * A `queued` slot (a one-off from `dispatchAt`, or a slot whose dispatch failed before) skips the
 * filters — it was asked for explicitly, or passed them when first due — and leaves the queue once
 * claimed, by this tick or another.
 */
export async function runSlot(input: RunTickInput, due: DueSlot, pauses: Pauses, claimLimit: LimitFunction, queued?: QueuedRun): Promise<SlotResult> {
  const { owner, logger } = input;
  const { definition } = due.task;
  const { name, withoutOverlapping } = definition;
  const fanOut = definition.lambda !== false;
  // onOneServer() tasks claim and lease where every deployment sharing the table looks.
  const store = definition.onOneServer ? input.store.shared() : input.store;
  const log = (outcome: string, extra: Record<string, unknown> = {}) =>
    logger.info(`task ${outcome}`, { task: name, slot: due.slot, outcome, ...extra });

  // Filters first: a slot they rule out costs no request, and duplicate ticks agree on it.
  let filtered: FilterReason | undefined;
  try {
    filtered = queued === undefined ? await filterReason(due, input.stage) : undefined;
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
  const paused = pause !== undefined && !definition.evenWhenPaused;
  if (paused && queued === undefined) {
    log('skipped', { reason: 'paused', note: pause.note, pausedAt: new Date(pause.pausedAt).toISOString() });
    return { kind: 'skipped', name, reason: 'paused' };
  }

  const claimedAt = input.now();
  const dispatch = fanOut && !paused;
  const claim = await claimLimit(() =>
    store.claimSlot({ task: name, slot: due.slot, owner, claimedAt, dispatch, ...(dispatch ? { takeOverDispatchedBefore: claimedAt - STALE_DISPATCH_MS } : {}) }),
  );
  // Claimed here or by another tick, the slot has its record now: the queue entry is done.
  if (queued !== undefined) await input.store.dequeue(queued);
  if (!claim.claimed) {
    log('skipped', { reason: 'already-claimed', holder: claim.holder.owner });
    return { kind: 'skipped', name, reason: 'already-claimed' };
  }
  if (paused) {
    // A one-off is not kept back until the pause ends: it is recorded as skipped, like a scheduled slot.
    await store.completeRun({ task: name, slot: due.slot, owner, status: 'skipped', reason: 'paused', finishedAt: input.now() });
    log('skipped', { reason: 'paused', note: pause.note, pausedAt: new Date(pause.pausedAt).toISOString() });
    return { kind: 'skipped', name, reason: 'paused' };
  }

  if (fanOut) return prepareDispatch(input, store, due, queued);
  if (withoutOverlapping === false) return runClaimed(input, store, due, owner);
  return runLeased(input, store, due, withoutOverlapping);
}

/**
 * Readies a claimed fan-out slot for its Lambda: takes the task's lease if it asks for one — until the
 * Lambda's timeout, plus time for the event to arrive — and builds the event. A slot that finds the
 * lease held is skipped or buffered here, exactly as an inline one, and is never sent.
 */
async function prepareDispatch(input: RunTickInput, store: Store, due: DueSlot, queued: QueuedRun | undefined): Promise<SlotResult> {
  const { definition } = due.task;
  const { name, withoutOverlapping } = definition;
  let fence: number | null = null;
  if (withoutOverlapping !== false) {
    const now = input.now();
    const runMs = (lambdaSettings(definition)?.timeout ?? 0) * 1000;
    const until = now + DISPATCH_ALLOWANCE_MS + runMs + LEASE_MARGIN_MS;
    const lease = await store.acquireLease({ task: name, owner: input.owner, slot: due.slot, now, expiresAt: Math.min(until, now + withoutOverlapping.expiresMinutes * 60_000) });
    if (!lease.acquired) return leaseRefused(input, store, due, input.owner, withoutOverlapping, lease.holder);
    if (lease.superseded !== undefined) await recordSuperseded(input, store, name, lease.superseded, now);
    fence = lease.fence;
  }
  const deployment = input.deployment ?? DEFAULT_DEPLOYMENT;
  const event: TaskEventDetail = {
    version: 1,
    id: taskEventId(deployment, name, due.slot),
    deployment,
    task: name,
    slot: due.slot,
    at: due.at.toISOString(),
    owner: input.owner,
    fence,
    attempt: (queued?.attempt ?? 0) + 1,
    ...(due.payload === undefined ? {} : { payload: JSON.parse(due.payload) as unknown }),
  };
  return { kind: 'dispatch', name, event, leased: withoutOverlapping !== false, onOneServer: definition.onOneServer, queued };
}

/**
 * A slot that found the task's lease held: buffered behind it (`bufferOne`, `replace`; one at most —
 * with `replace`, the holder's heartbeat sees it and stops the current run for it) or skipped.
 */
async function leaseRefused(
  input: RunContext,
  store: Store,
  due: DueSlot,
  recordOwner: string,
  overlap: OverlapOptions,
  holder: { readonly owner: string; readonly slot: string },
): Promise<SlotResult> {
  const name = due.task.definition.name;
  const buffered = overlap.policy !== 'skip' &&
    (await store.bufferBehindLease({ task: name, slot: due.slot, owner: recordOwner, now: input.now(), ...(due.payload === undefined ? {} : { payload: due.payload }) }));
  const reason = buffered ? 'buffered' : 'overlapping';
  await store.completeRun({ task: name, slot: due.slot, owner: recordOwner, status: 'skipped', reason, finishedAt: input.now() });
  input.logger.info('task skipped', { task: name, slot: due.slot, outcome: 'skipped', reason, holder: holder.owner, heldFor: holder.slot });
  return { kind: 'skipped', name, reason };
}

/** A lapsed holder had buffered this run; the run about to start is the "one more" it stood for. */
async function recordSuperseded(input: RunContext, store: Store, name: string, superseded: PendingRun, now: number): Promise<void> {
  await store.completeRun({ task: name, slot: superseded.slot, owner: superseded.owner, status: 'skipped', reason: 'superseded', finishedAt: now });
  input.logger.info('task skipped', { task: name, slot: superseded.slot, outcome: 'skipped', reason: 'superseded' });
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
    const now = input.now();
    const until = runDeadline(input, due, now) + LEASE_MARGIN_MS;
    const cap = overlap.expiresMinutes * 60_000;
    const request = { task: name, owner, slot: due.slot, now, expiresAt: Math.min(until, now + cap) };
    const lease = await (due === first ? acquireFirst(request) : store.acquireLease(request));
    if (!lease.acquired) {
      const refused = await leaseRefused(input, store, due, recordOwner, overlap, lease.holder);
      return firstResult ?? refused;
    }
    if (lease.superseded !== undefined) await recordSuperseded(input, store, name, lease.superseded, now);
    const stop = new AbortController();
    // A lease capped below the run's deadline needs a heartbeat to stay alive; `replace` needs one to
    // learn that a newer slot waits, and beats at least every REPLACE_CHECK_MS for it.
    const replace = overlap.policy === 'replace';
    const stopHeartbeat = now + cap < until || replace
      ? startHeartbeat({
          store, task: name, owner, now: input.now, length: Math.min(cap, until - now), until, logger,
          onLost: () => stop.abort(new Error(`Task "${name}" lost its lease; stopped so its fence token is not used stale`)),
          ...(replace
            ? {
                intervalMs: REPLACE_CHECK_MS,
                onPending: (waiting: PendingRun) => {
                  if (stop.signal.aborted) return;
                  logger.info('task replaced', { task: name, slot: due.slot, by: waiting.slot });
                  stop.abort(new RunReplacedError(name, due.slot, waiting.slot));
                },
              }
            : {}),
        })
      : () => {};
    let pending: PendingRun | undefined;
    let abandoned = false;
    try {
      const result = await runClaimed(input, store, due, recordOwner, { fence: lease.fence, signal: stop.signal, immediate: due !== first });
      abandoned = result.kind === 'failed' && result.abandoned === true;
      firstResult ??= result;
    } finally {
      stopHeartbeat();
      if (abandoned) {
        // The action ignored its abort and may still be running: releasing now would let the next slot
        // overlap it. The lease lapses at its own expiry instead, and a waiting run is superseded then.
        logger.warn('lease kept until it expires', { task: name, slot: due.slot, reason: 'the run did not stop when aborted' });
      } else {
        ({ pending } = await store.releaseLeaseTakingPending(name, owner));
      }
    }
    current = undefined;
    if (pending !== undefined) {
      if (input.now() < input.deadline) {
        const { payload: _previous, ...rest } = due;
        const next: DueSlot = { ...rest, at: slotInstant(pending.slot), slot: pending.slot, ...(pending.payload === undefined ? {} : { payload: pending.payload }) };
        current = { due: next, recordOwner: pending.owner };
      } else {
        await store.completeRun({ task: name, slot: pending.slot, owner: pending.owner, status: 'skipped', reason: 'overlapping', finishedAt: input.now() });
        logger.info('task skipped', { task: name, slot: pending.slot, outcome: 'skipped', reason: 'overlapping', note: 'buffered run found no time left in the tick' });
      }
    }
  }
  return firstResult ?? { kind: 'skipped', name, reason: 'overlapping' };
}

/** The scheduled instant of a slot: a one-off's slot is `<due ISO>#<id>`, a scheduled one its ISO instant. */
export function slotInstant(slot: string): Date {
  return new Date(Date.parse(slot.split('#')[0]!));
}

/** The run's own deadline: its `timeout()` from when it starts, within the tick's. */
function runDeadline(input: RunContext, due: DueSlot, now: number): number {
  const { timeoutSeconds } = due.task.definition;
  const start = Math.max(now, due.at.getTime());
  return timeoutSeconds === undefined ? input.deadline : Math.min(input.deadline, start + timeoutSeconds * 1000);
}

/** Runs a claimed slot and records its outcome on the claim owned by `recordOwner`. */
export async function runClaimed(
  input: RunContext,
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
    ...signalOf(input.signal, lease?.signal),
    ...(lease === undefined ? {} : { fence: lease.fence, immediate: lease.immediate }),
  });
  const { output, abandoned, ...outcome } = result;
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
  return { kind: 'failed', name, error: result.error, abandoned, ...(result.status === 'replaced' ? { replaced: true } : {}) };
}

/** The one signal that aborts a run from outside: the worker's timeout, a lost lease, or either. */
function signalOf(...signals: (AbortSignal | undefined)[]): { signal?: AbortSignal } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return {};
  return { signal: present.length === 1 ? present[0]! : AbortSignal.any(present) };
}
