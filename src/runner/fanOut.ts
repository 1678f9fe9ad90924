import { taskEventId, type TaskEventDetail } from '../dispatch/Dispatcher.js';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { lambdaSettings } from '../kernel/lambdaSettings.js';
import { DEFAULT_DEPLOYMENT } from '../store/keys.js';
import type { QueuedRun, Store } from '../store/Store.js';
import { RUN_STATUS, SKIP_REASON } from '../vocabulary.js';
import { outcomeFields } from './outcomeLog.js';
import { leaseExpiry, leaseRefused, leftToHolder, recordLapsedRun, recordSuperseded, settlePreviouslyHanded } from './overlap.js';
import type { RunTickInput, SlotResult } from './RunContext.js';

/**
 * Fan-out, the tick's side: a claimed slot is prepared (its lease taken, its event built), all the
 * tick's events are sent in one go, and a slot whose event could not be sent is released — claim
 * deleted and a retry queued in one step — so a later tick sends it again. The worker's side is
 * `createTaskHandler`.
 *
 *   claim (dispatched) ── lease? ── event ──▶ dispatcher.dispatch(all events) ──┬─ sent: the worker starts it
 *                                                                              └─ not sent: release → queue
 */

/**
 * How long a fan-out run's lease allows, before its Lambda's own timeout, for the event to reach the
 * worker. The worker moves the lease to its real deadline as soon as it starts.
 */
export const DISPATCH_ALLOWANCE_MS = 60_000;

/**
 * How long a fan-out claim may stay `dispatched` with its event still on the way: EventBridge retries
 * delivery for up to an hour, Lambda's async queue holds an event for up to another hour (both set in
 * `src/infra/fanOutInfrastructure.ts`), and a run lasts at most Lambda's 15 minutes. Only a claim older
 * than that can be taken over by another tick's claim of the same slot (a late duplicate tick, a queued
 * retry): its event can no longer start a run, so sending a new one never runs the slot twice or
 * strands it. The tick's own Lambda retry takes over its unsent claims at once, whatever their age.
 */
export const STALE_DISPATCH_MS = (2 * 60 + 15) * 60_000;

/** Ticks that try to dispatch one slot before it is given up and recorded `undispatched`. */
export const MAX_DISPATCH_ATTEMPTS = 5;

/** A fan-out slot that could not be sent. */
export interface Undispatched {
  readonly name: string;
  readonly slot: string;
  readonly attempt: number;
  readonly error: string;
  /** Queued for the next tick to try again; false once `MAX_DISPATCH_ATTEMPTS` ticks have tried. */
  readonly requeued: boolean;
}

type Prepared = Extract<SlotResult, { kind: 'dispatch' }>;

/**
 * Readies a claimed fan-out slot for its Lambda: takes the task's lease if it asks for one — until the
 * Lambda's timeout, plus time for the event to arrive — and builds the event. A slot that finds the
 * lease held is skipped or buffered here, exactly as an inline one, and is never sent.
 */
export async function prepareDispatch(input: RunTickInput, store: Store, due: DueSlot, queued: QueuedRun | undefined): Promise<SlotResult> {
  const { definition } = due.task;
  const { name, withoutOverlapping } = definition;
  let fence: number | null = null;
  if (withoutOverlapping !== false) {
    const now = input.now();
    const runEnd = now + DISPATCH_ALLOWANCE_MS + (lambdaSettings(definition)?.timeout ?? 0) * 1000;
    const lease = await store.acquireLease({ task: name, owner: input.owner, slot: due.slot, now, expiresAt: leaseExpiry(now, runEnd, withoutOverlapping).expiresAt });
    if (!lease.acquired) return leaseRefused(input, store, due, input.owner, withoutOverlapping, lease.holder, RUN_STATUS.dispatched);
    if (lease.superseded !== undefined) await recordSuperseded(input, store, name, lease.superseded, now);
    if (lease.lapsed !== undefined) await recordLapsedRun(input, store, name, lease.lapsed);
    // The acquire before this one took this very slot from behind the lease, for a holder with this
    // tick's owner (the worker of another of its slots) — and this acquire, a Lambda retry's, re-took
    // the lease from that holder. The holder runs the slot; the lease stays with it (the same owner).
    if (lease.previouslyHanded?.slot === due.slot && lease.previouslyHanded.owner === input.owner) {
      return leftToHolder(input, store, name, due.slot, input.owner, input.owner, RUN_STATUS.dispatched);
    }
    await settlePreviouslyHanded(input, store, name, lease, due.slot);
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
 * Sends the prepared slots' events in one go — batched by the dispatcher — and releases the ones that
 * could not be sent, even after the dispatcher's retries (see `releaseUndispatched`). Only slots
 * actually sent stay `dispatch` results; a store fault while releasing is a tick fault.
 */
export async function sendPrepared(
  input: RunTickInput,
  settled: PromiseSettledResult<SlotResult | undefined>[],
): Promise<{ settled: PromiseSettledResult<SlotResult | undefined>[]; undispatched: Undispatched[]; retried: number }> {
  const ready = settled.flatMap((s) => (s.status === 'fulfilled' && s.value?.kind === 'dispatch' ? [s.value] : []));
  if (ready.length === 0 || input.dispatcher === undefined) return { settled, undispatched: [], retried: 0 };

  const outcomes = await input.dispatcher.dispatch(ready.map((r) => r.event));
  const failures = outcomes.flatMap((outcome, i) => (outcome.dispatched ? [] : [{ prepared: ready[i]!, error: outcome.error }]));
  const released = await Promise.allSettled(failures.map(({ prepared, error }) => releaseUndispatched(input, prepared, error)));
  // A queued slot leaves the queue once sent, started by its worker or given up; a requeued one was
  // rewritten in place, and one whose release hit a store fault stays for the next tick.
  const releaseOf = new Map(failures.map(({ prepared }, k) => [prepared, released[k]!]));
  const leaving = ready.flatMap((prepared) => {
    const release = releaseOf.get(prepared);
    const done = release === undefined || (release.status === 'fulfilled' && release.value !== 'requeued');
    return prepared.queued !== undefined && done ? [prepared.queued] : [];
  });
  const leftQueue = await Promise.allSettled(leaving.map((queued) => input.store.dequeue(queued)));
  const undispatched: Undispatched[] = [];
  const sent = new Set<string>();
  outcomes.forEach((outcome, i) => {
    if (!outcome.dispatched) return;
    const { event } = ready[i]!;
    sent.add(event.id);
    input.logger.info('task dispatched', { ...outcomeFields(input, { task: event.task, slot: event.slot, outcome: 'dispatched', attempt: event.attempt }), eventId: event.id, sends: outcome.attempts });
  });
  released.forEach((result, k) => {
    const { prepared: { event }, error } = failures[k]!;
    if (result.status === 'rejected') return; // a store fault: reported with the tick's
    if (result.value === 'started') {
      // The send looked failed (a lost reply), yet the worker has started the run: it was delivered.
      sent.add(event.id);
      input.logger.warn('task dispatched', { ...outcomeFields(input, { task: event.task, slot: event.slot, outcome: 'dispatched', attempt: event.attempt }), eventId: event.id, note: 'the send reported a failure, but the run had already started', error });
      return;
    }
    undispatched.push({ name: event.task, slot: event.slot, attempt: event.attempt, error, requeued: result.value === 'requeued' });
  });
  return {
    settled: [
      ...settled.filter((s) => !(s.status === 'fulfilled' && s.value?.kind === 'dispatch' && !sent.has(s.value.event.id))),
      ...released.filter((r) => r.status === 'rejected'),
      ...leftQueue.filter((r) => r.status === 'rejected'),
    ],
    undispatched,
    retried: outcomes.filter((o) => o.attempts > 1).length,
  };
}

/**
 * Gives an unsent slot back: its claim deleted, its lease freed and a retry queued, in one transaction
 * — or, out of attempts, recorded `undispatched` and then its lease released. Both require the record
 * to still say `dispatched`: when a send reported failure but in fact got through (a lost reply), the
 * worker may already have started the run, and then nothing is released — its lease and record are
 * the worker's.
 */
async function releaseUndispatched(input: RunTickInput, prepared: Prepared, error: string): Promise<'requeued' | 'given-up' | 'started'> {
  const { event, queued } = prepared;
  const store = prepared.onOneServer ? input.store.shared() : input.store;
  const now = input.now();
  const requeue = event.attempt < MAX_DISPATCH_ATTEMPTS;
  const done = requeue
    ? await input.store.releaseDispatch({
        task: event.task,
        slot: event.slot,
        owner: event.owner,
        onOneServer: prepared.onOneServer,
        releaseLease: prepared.leased,
        retry: {
          id: queued?.id ?? `retry#${event.task}#${event.slot}`,
          task: event.task,
          slot: event.slot,
          at: queued?.at ?? now,
          attempt: event.attempt,
          lastError: error,
          enqueuedAt: queued?.enqueuedAt ?? now,
          ...(queued?.payload === undefined ? {} : { payload: queued.payload }),
        },
      })
    : await store.completeRun({ task: event.task, slot: event.slot, owner: event.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.undispatched, error, finishedAt: now, ifStatus: RUN_STATUS.dispatched });
  if (!done) return 'started';
  // Requeued, the lease went with the claim; given up, it goes now (a Lambda retry of a tick that fails
  // in between finds its own decided claim and frees it: see `resumeOwnClaim`).
  if (!requeue && prepared.leased) await store.releaseLease(event.task, event.owner);
  const log = requeue ? input.logger.warn.bind(input.logger) : input.logger.error.bind(input.logger);
  log('task not dispatched', { ...outcomeFields(input, { task: event.task, slot: event.slot, outcome: 'undispatched', attempt: event.attempt }), error, requeued: requeue });
  return requeue ? 'requeued' : 'given-up';
}
