import pLimit from 'p-limit';
import { TickworkError } from '../errors.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { planCatchUp, type MissedSlots } from '../evaluation/planCatchUp.js';
import { wallClock } from '../evaluation/wallClock.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { QueuedRun, Store } from '../store/Store.js';
import { runSlot, slotInstant, type RunContext, type SkipReason, type SlotResult } from './runSlot.js';

export { LEASE_MARGIN_MS, type SkipReason } from './runSlot.js';

/** Queued runs (one-offs, dispatch retries) a tick takes on at most; the rest wait for the next. */
export const QUEUE_BATCH = 100;

/** Ticks that try to dispatch one slot before it is given up and recorded `undispatched`. */
export const MAX_DISPATCH_ATTEMPTS = 5;

/**
 * Claims in flight at once. Unbounded, a tick with a thousand due slots would open a thousand
 * requests and meet throttling and socket limits; one by one, it would spend its minute waiting.
 */
export const CLAIM_CONCURRENCY = 32;

export interface RunTickInput extends RunContext {
  readonly tasks: readonly CompiledTask[];
  readonly store: Store;
  /** Sends fan-out tasks to their own Lambdas; required when any task is `runInBackground()`/`onLambda()`. */
  readonly dispatcher?: Dispatcher;
  /** The deployment id the store uses, carried by task events so a worker can check them. @default 'default' */
  readonly deployment?: string;
  /** The deployment's stage, for `environments()` filters. */
  readonly stage: string;
  /** The scheduled minute this tick stands for (from the event, floored). */
  readonly minute: Date;
}

/** A fan-out slot that could not be sent. */
export interface Undispatched {
  readonly name: string;
  readonly slot: string;
  readonly attempt: number;
  readonly error: string;
  /** Queued for the next tick to try again; false once `MAX_DISPATCH_ATTEMPTS` ticks have tried. */
  readonly requeued: boolean;
}

/** What one tick did, returned by the tick Lambda. */
export interface TickReport {
  /** The scheduled minute evaluated, ISO-8601. */
  readonly tick: string;
  /** Names of the tasks with a slot in this minute. */
  readonly due: readonly string[];
  /** Names of the tasks this tick started and that succeeded. */
  readonly ran: readonly string[];
  /** Slots that did not run and will not: summarised per task and reason (see `MissReason`). */
  readonly missed: readonly MissedSlots[];
  /** Tasks this tick started that threw or ran past their deadline. */
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  /** Due tasks this tick did not start, and why. */
  readonly skipped: readonly { readonly name: string; readonly reason: SkipReason }[];
  /** Names of the fan-out tasks whose events were sent to their own Lambdas. */
  readonly dispatched: readonly string[];
  /** Fan-out slots whose event could not be sent, even after retries: released and queued again, or given up. */
  readonly undispatched: readonly Undispatched[];
  /** Queued runs this tick took on: one-offs now due, and dispatch retries. */
  readonly queued: number;
  /** Events that needed more than one attempt (sent or not). */
  readonly retried: number;
}

/**
 * Runs each task's slots one after another, in time order (caught-up slots before the minute's own),
 * while different tasks run side by side: a task's catch-up runs never overlap each other, and a
 * `withoutOverlapping()` task does not lose them to its own lease.
 */
function runInTaskOrder(slots: readonly QueuedSlot[], run: (slot: QueuedSlot) => Promise<SlotResult>): Promise<SlotResult>[] {
  const tails = new Map<string, Promise<unknown>>();
  return slots.map((slot) => {
    const name = slot.due.task.definition.name;
    const result = (tails.get(name) ?? Promise.resolve()).then(() => run(slot));
    tails.set(name, result.catch(() => undefined));
    return result;
  });
}

/**
 * Evaluates one minute: plans its slots (and any missed ones, see `planCatchUp`), claims each with a
 * conditional write, runs the slots it won inline — different tasks side by side, one task's slots in
 * time order; one task's failure never stops the others — and reports the outcome of each.
 *
 * A task's own failure is reported, not thrown. The store failing (unreachable table, throttling past
 * the SDK's retries) is a system-wide fault: the tick finishes what it started, then throws so the
 * invocation fails and alarms fire. Slots already claimed stay claimed, so a retry cannot double-run them.
 */
export async function runTick(input: RunTickInput): Promise<TickReport> {
  const tick = input.minute.toISOString();
  const [lastTick, pauses, queued] = await Promise.all([
    input.store.lastTick(),
    input.store.pauses(),
    input.store.dueRuns(input.now(), QUEUE_BATCH),
  ]);
  const claimLimit = pLimit(CLAIM_CONCURRENCY);
  const { run: planned, missed } = planCatchUp(input.tasks, { minute: input.minute, lastTick, now: input.now() });
  const { slots: queuedSlots, unknown } = fromQueue(input.tasks, queued);
  for (const m of missed) input.logger.warn('task missed', { task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason });
  for (const q of unknown) input.logger.warn('queued run dropped', { task: q.task, slot: q.slot, reason: 'unknown-task' });
  const slots = [...planned.map((due) => ({ due, queued: undefined })), ...queuedSlots];
  const inline = slots.filter(({ due }) => due.task.definition.lambda === false);
  const fanOut = slots.filter(({ due }) => due.task.definition.lambda !== false);
  if (fanOut.length > 0 && input.dispatcher === undefined) {
    throw new TickworkError('NO_DISPATCHER', `Tick ${tick}: ${fanOut[0]!.due.task.definition.name} runs in its own Lambda, but the tick has no dispatcher`);
  }
  const run = ({ due, queued: q }: QueuedSlot) => runSlot(input, due, pauses, claimLimit, q);
  const [fanOutResults, settled] = await Promise.all([
    dispatchFanOut(input, fanOut, run),
    Promise.allSettled([
      // Recorded as evaluated once planned (only ever forward): the next tick must not re-plan this
      // minute while its runs are still going. A tick that fails is retried by Lambda with the same
      // event, which evaluates this minute again; claims keep that from running anything twice.
      input.store.advanceTick(input.minute.getTime()).then(() => undefined),
      ...runInTaskOrder(inline, run),
      ...missed.map((m) => input.store.recordMissed({ task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason, tick })),
      ...unknown.map(async (q) => {
        await input.store.recordMissed({ task: q.task, from: q.slot, to: q.slot, count: 1, reason: 'unknown-task', tick });
        await input.store.dequeue(q);
      }),
    ]),
  ]);

  const report = {
    tick,
    due: slots.map(({ due }) => due.task.definition.name),
    missed,
    ran: [] as string[],
    failed: [] as { name: string; error: string }[],
    skipped: [] as { name: string; reason: SkipReason }[],
    dispatched: [] as string[],
    undispatched: fanOutResults.undispatched,
    queued: queued.length,
    retried: fanOutResults.retried,
  };
  const storeFaults: unknown[] = [];
  for (const result of [...fanOutResults.settled, ...settled]) {
    if (result.status === 'rejected') {
      storeFaults.push(result.reason);
      continue;
    }
    const outcome = result.value;
    if (outcome === undefined) continue; // the tick state or a missed record
    switch (outcome.kind) {
      case 'ran':
        report.ran.push(outcome.name);
        break;
      case 'failed':
        report.failed.push({ name: outcome.name, error: outcome.error });
        break;
      case 'skipped':
        report.skipped.push({ name: outcome.name, reason: outcome.reason });
        break;
      case 'dispatch':
        report.dispatched.push(outcome.name);
        break;
    }
  }
  if (storeFaults.length > 0) {
    throw new AggregateError(storeFaults, `Tick ${report.tick}: the store failed for ${storeFaults.length} of ${slots.length} due slots`);
  }
  return report;
}

interface QueuedSlot {
  readonly due: DueSlot;
  readonly queued: QueuedRun | undefined;
}

/** Queued runs as slots of the kernel's tasks; a run of a task the kernel no longer has is `unknown`. */
function fromQueue(tasks: readonly CompiledTask[], queued: readonly QueuedRun[]): { slots: QueuedSlot[]; unknown: QueuedRun[] } {
  if (queued.length === 0) return { slots: [], unknown: [] }; // the usual tick: no index to build
  const byName = new Map(tasks.map((task) => [task.definition.name, task]));
  const slots: QueuedSlot[] = [];
  const unknown: QueuedRun[] = [];
  for (const q of queued) {
    const task = byName.get(q.task);
    if (task === undefined) {
      unknown.push(q);
      continue;
    }
    // A retried slot keeps its scheduled instant; a one-off's is its due time.
    const at = slotInstant(q.slot);
    const due: DueSlot = { task, at, slot: q.slot, clock: wallClock(at, task.definition.timezone), ...(q.payload === undefined ? {} : { payload: q.payload }) };
    slots.push({ due, queued: q });
  }
  return { slots, unknown };
}

/**
 * Claims the fan-out slots (and takes their leases), then sends all their events in one go — batched
 * by the dispatcher — while inline runs go on beside. A slot whose event could not be sent, even
 * after the dispatcher's retries, is released: its claim deleted and a retry queued in one step, so
 * the next tick sends it again; after `MAX_DISPATCH_ATTEMPTS` ticks it is recorded `undispatched`.
 */
async function dispatchFanOut(
  input: RunTickInput,
  slots: readonly QueuedSlot[],
  run: (slot: QueuedSlot) => Promise<SlotResult>,
): Promise<{ settled: PromiseSettledResult<SlotResult | undefined>[]; undispatched: Undispatched[]; retried: number }> {
  const settled = await Promise.allSettled(runInTaskOrder(slots, run));
  const ready = settled.flatMap((s) => (s.status === 'fulfilled' && s.value?.kind === 'dispatch' ? [s.value] : []));
  if (ready.length === 0 || input.dispatcher === undefined) return { settled, undispatched: [], retried: 0 };

  const outcomes = await input.dispatcher.dispatch(ready.map((r) => r.event));
  const failures = outcomes.flatMap((outcome, i) => (outcome.dispatched ? [] : [{ prepared: ready[i]!, error: outcome.error }]));
  const released = await Promise.allSettled(failures.map(({ prepared, error }) => releaseUndispatched(input, prepared, error)));
  const undispatched: Undispatched[] = [];
  const sent = new Set<string>();
  outcomes.forEach((outcome, i) => {
    if (!outcome.dispatched) return;
    const { event } = ready[i]!;
    sent.add(event.id);
    input.logger.info('task dispatched', { task: event.task, slot: event.slot, outcome: 'dispatched', eventId: event.id, attempts: outcome.attempts });
  });
  released.forEach((result, k) => {
    const { prepared: { event }, error } = failures[k]!;
    if (result.status === 'rejected') return; // a store fault: reported with the tick's
    if (result.value === 'started') {
      // The send looked failed (a lost reply), yet the worker has started the run: it was delivered.
      sent.add(event.id);
      input.logger.warn('task dispatched', { task: event.task, slot: event.slot, outcome: 'dispatched', eventId: event.id, note: 'the send reported a failure, but the run had already started', error });
      return;
    }
    undispatched.push({ name: event.task, slot: event.slot, attempt: event.attempt, error, requeued: result.value === 'requeued' });
  });
  return {
    // Only the slots actually sent count as dispatched; a store fault while releasing is a tick fault.
    settled: [
      ...settled.filter((s) => !(s.status === 'fulfilled' && s.value?.kind === 'dispatch' && !sent.has(s.value.event.id))),
      ...released.filter((r) => r.status === 'rejected'),
    ],
    undispatched,
    retried: outcomes.filter((o) => o.attempts > 1).length,
  };
}

/**
 * Gives an unsent slot back: its claim deleted with a retry queued (one transaction) — or, out of
 * attempts, recorded `undispatched` — and only then its lease released. Both writes require the
 * record to still say `dispatched`: when a send reported failure but in fact got through (a lost
 * reply), the worker may already have started the run, and then nothing is released — its lease and
 * record are the worker's.
 */
async function releaseUndispatched(
  input: RunTickInput,
  prepared: Extract<SlotResult, { kind: 'dispatch' }>,
  error: string,
): Promise<'requeued' | 'given-up' | 'started'> {
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
    : await store.completeRun({ task: event.task, slot: event.slot, owner: event.owner, status: 'skipped', reason: 'undispatched', error, finishedAt: now, ifStatus: 'dispatched' });
  if (!done) return 'started';
  if (prepared.leased) await store.releaseLease(event.task, event.owner);
  const log = requeue ? input.logger.warn.bind(input.logger) : input.logger.error.bind(input.logger);
  log('task not dispatched', { task: event.task, slot: event.slot, outcome: 'undispatched', attempt: event.attempt, error, requeued: requeue });
  return requeue ? 'requeued' : 'given-up';
}
