import pLimit from 'p-limit';
import { TickworkError } from '../errors.js';
import { dueSlots, type DueSlot } from '../evaluation/dueSlots.js';
import { planCatchUp, type MissedSlots } from '../evaluation/planCatchUp.js';
import { wallClock } from '../evaluation/wallClock.js';
import { outlivedItsInvocation } from '../kernel/runBudget.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { queueMayBeDue, type QueuedRun } from '../store/Store.js';
import { hasOutcome } from '../store/runTransitions.js';
import { MISS_REASON, type MissReason, type SkipReason } from '../vocabulary.js';
import { sendPrepared, type Undispatched } from './fanOut.js';
import { slotInstant } from './overlap.js';
import type { RunTickInput, SlotResult } from './RunContext.js';
import { outcomeFields } from './outcomeLog.js';
import { staticFilter } from './filters.js';
import { hasRecordedSlots, recoverRange } from './recoverRange.js';
import { decideSlot, runSlot } from './runSlot.js';

export type { SkipReason } from '../vocabulary.js';
export type { RunTickInput } from './RunContext.js';
export { LEASE_MARGIN_MS } from './overlap.js';
export { MAX_DISPATCH_ATTEMPTS, type Undispatched } from './fanOut.js';

/** Queued runs (one-offs, dispatch retries) a tick takes on at most; the rest wait for the next. */
export const QUEUE_BATCH = 100;

/**
 * Claims in flight at once. Unbounded, a tick with a thousand due slots would open a thousand
 * requests and meet throttling and socket limits; one by one, it would spend its minute waiting.
 */
export const CLAIM_CONCURRENCY = 32;

/** Unsettled ranges (`UnsettledRange`) a tick recovers at most, oldest first; the rest wait for the next. */
export const RECOVER_BATCH = 5;

/** What one tick did, returned by the tick Lambda. */
export interface TickReport {
  /** The scheduled minute evaluated, ISO-8601. */
  readonly tick: string;
  /**
   * False when a later tick had already decided this minute (its catch-up ran, coalesced or skipped
   * the minute's slots): this tick — late, or a Lambda retry — ran none of them. Queued runs still ran.
   */
  readonly evaluated: boolean;
  /** Names of the tasks with a slot in this minute. */
  readonly due: readonly string[];
  /** Names of the tasks this tick started and that succeeded. */
  readonly ran: readonly string[];
  /**
   * Slots that did not run and will not: summarised per task and reason (see `MISS_REASON`) — with
   * those of earlier minutes whose ticks failed for good, decided by this tick (`tick-failed`).
   */
  readonly missed: readonly MissedSlots[];
  /** Tasks this tick started that threw or ran past their deadline, and slots decided failed. */
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

interface QueuedSlot {
  readonly due: DueSlot;
  readonly queued: QueuedRun | undefined;
  /** Set for a past sub-minute slot the plan decided not to run (`CatchUpPlan.decide`). */
  readonly decide?: MissReason;
}

/** Each compiled schedule's distinct zones, worked out once (`Schedule.compiled()` returns the same array every time). */
const zonesOfTasks = new WeakMap<readonly CompiledTask[], readonly string[]>();

function zonesOf(tasks: readonly CompiledTask[]): readonly string[] {
  let zones = zonesOfTasks.get(tasks);
  if (zones === undefined) {
    zones = [...new Set(tasks.map((task) => task.definition.timezone))];
    zonesOfTasks.set(tasks, zones);
  }
  return zones;
}

/**
 * Evaluates one minute. First, in one write, it moves the deployment's last evaluated minute forward
 * and learns which minutes it decides (`TickAdvance`): its own and any missed since the last tick, or
 * none if a later tick's catch-up decided them. It plans those (see `planCatchUp`), claims each slot
 * with a conditional write, runs the slots it won inline — different tasks side by side, one task's
 * slots in time order; one task's failure never stops the others — sends the fan-out ones, and
 * reports the outcome of each.
 *
 * A task's own failure is reported, not thrown. The store failing (unreachable table, throttling past
 * the SDK's retries) is a system-wide fault: the tick finishes what it started, then throws so the
 * invocation fails and alarms fire. Lambda then retries it with the same request id; that retry
 * decides the same minutes, and finds what the failed attempt claimed (see `runSlot`'s `resumeOwnClaim`).
 * A busy tick's first write notes its range unsettled, and its last removes the note once every slot
 * is claimed or decided; should every attempt fail in between, a tick 16 minutes on decides the slots
 * left (`recoverRange`, reason `tick-failed`).
 */
export async function runTick(input: RunTickInput): Promise<TickReport> {
  const tick = input.minute.toISOString();
  // A zone ICU refuses (a Lambda takes its kernel's zones as packaged: src/kernel/timeZones.ts) fails
  // the tick here, before it writes anything: the minute stays undecided, for the catch-up of the
  // first tick that can evaluate it.
  for (const zone of zonesOf(input.tasks)) wallClock(input.minute, zone);
  // One request when nothing is due and nothing queued: the pauses and the queue's mark come back
  // with the tick state's write; the queue is read only when a run in it may be due.
  const minute = input.minute.getTime();
  const ownSlots = dueSlots(input.tasks, input.minute);
  const { advance, pauses, queue, unsettled, moved } = await input.store.beginTick(minute, {
    now: input.now(),
    busy: (from) => hasRecordedSlots(input.tasks, ownSlots, minute, from, input.stage),
  });
  const noted = advance.decides && unsettled.some((range) => range.to === minute);
  // Ranges whose ticks failed for good: no attempt of them can still be running. Recovered by the
  // attempt that moved the minute only, not by its duplicates nor its Lambda retries.
  const abandonedRanges = moved ? unsettled.filter((range) => range.to !== minute && outlivedItsInvocation(range.begunAt, input.now())).slice(0, RECOVER_BATCH) : [];
  const readsQueue = queueMayBeDue(queue, input.now());
  const queued = readsQueue ? await input.store.dueRuns(input.now(), QUEUE_BATCH) : [];
  const claimLimit = pLimit(CLAIM_CONCURRENCY);
  const { run: planned, missed, decide } = advance.decides
    ? planCatchUp(input.tasks, { minute: input.minute, lastTick: advance.from, now: input.now(), slots: ownSlots, recorded: (due) => staticFilter(due.task.definition, due.clock, input.stage) === undefined })
    : { run: [], missed: [], decide: [] };
  if (!advance.decides) input.logger.warn('tick already decided', { tick, lastTick: new Date(advance.lastTick).toISOString(), note: 'a later tick caught this minute up' });
  const { slots: queuedSlots, unknown } = fromQueue(input.tasks, queued);
  // A summary's `slot` is its first slot; `from`, `to` and `count` say how many it stands for.
  for (const m of missed) input.logger.warn('task missed', { ...outcomeFields(input, { task: m.name, slot: m.from, outcome: 'missed', reason: m.reason }), from: m.from, to: m.to, count: m.count });
  for (const q of unknown) input.logger.warn('queued run dropped', outcomeFields(input, { task: q.task, slot: q.slot, outcome: 'missed', reason: MISS_REASON.unknownTask }));
  // Decisions first: they are one claim each, and earlier than anything this minute still runs.
  const slots: QueuedSlot[] = [...decide.map(({ due, reason }) => ({ due, queued: undefined, decide: reason })), ...planned.map((due) => ({ due, queued: undefined })), ...queuedSlots];
  const inline = slots.filter(({ due }) => due.task.definition.lambda === false);
  const fanOut = slots.filter(({ due }) => due.task.definition.lambda !== false);
  if (fanOut.length > 0 && input.dispatcher === undefined) {
    throw new TickworkError('NO_DISPATCHER', `Tick ${tick}: ${fanOut[0]!.due.task.definition.name} runs in its own Lambda, but the tick has no dispatcher`);
  }
  const run = ({ due, queued: q, decide: reason }: QueuedSlot) => (reason === undefined ? runSlot(input, due, pauses, claimLimit, q) : decideSlot(input, due, reason, pauses, claimLimit));
  const [fanOutResults, settled, recovered] = await Promise.all([
    Promise.allSettled(runInTaskOrder(fanOut, run)).then((prepared) => sendPrepared(input, prepared)),
    Promise.allSettled([
      ...runInTaskOrder(inline, run),
      ...missed.map(async (m) => void (await input.store.recordMissed({ task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason, tick }))),
      ...unknown.map(async (q) => {
        await input.store.recordMissed({ task: q.task, from: q.slot, to: q.slot, count: 1, reason: MISS_REASON.unknownTask, tick });
        await input.store.dequeue(q);
      }),
    ]),
    Promise.allSettled(abandonedRanges.map((range) => recoverRange(input, range, pauses, claimLimit))),
  ]);
  // After the queued runs were taken on (and any failed dispatch queued again): the mark moves up.
  const settledQueue = readsQueue ? await Promise.allSettled([input.store.settleQueue(queue)]) : [];

  const report = {
    tick,
    evaluated: advance.decides,
    due: slots.filter((slot) => slot.decide === undefined).map(({ due }) => due.task.definition.name),
    missed: [...missed],
    ran: [] as string[],
    failed: [] as { name: string; error: string }[],
    skipped: [] as { name: string; reason: SkipReason }[],
    dispatched: [] as string[],
    undispatched: fanOutResults.undispatched,
    queued: queued.length,
    retried: fanOutResults.retried,
  };
  const storeFaults: unknown[] = [];
  const outcomes: (SlotResult | void)[] = [];
  for (const result of [...fanOutResults.settled, ...settled]) {
    if (result.status === 'rejected') storeFaults.push(result.reason);
    else outcomes.push(result.value);
  }
  // Every slot of this tick's range is claimed or decided: its note goes (a retry after a fault does
  // it) — unless another invocation still runs one of them (a duplicate): that one settles it, or,
  // should it die, a later tick's recovery records its run.
  const held = outcomes.flatMap((outcome) => (outcome?.kind === 'skipped' && outcome.heldOpen !== undefined ? [{ name: outcome.name, slot: outcome.heldOpen }] : []));
  // Read again once this attempt's own runs are over: of attempts that split the slots, the last to get here settles.
  const stillHeld = storeFaults.length === 0 && held.length > 0 ? await stillOpen(input, held) : false;
  const rangeSettled = storeFaults.length === 0 && !stillHeld;
  for (const result of [...settledQueue, ...recovered]) {
    if (result.status === 'rejected') storeFaults.push(result.reason);
    else if (result.value !== undefined) {
      outcomes.push(...result.value.results);
      report.missed.push(...result.value.missed);
    }
  }
  if (noted && rangeSettled) {
    // Not a fault of the tick's: every slot has its record, and should the note stay, a tick 16
    // minutes on finds them all claimed and removes it.
    await input.store.settleTick(minute).catch((error: unknown) => input.logger.warn('tick not settled', { tick, error: String(error), note: 'a later tick removes the note' }));
  }
  for (const outcome of outcomes) {
    if (outcome === undefined) continue; // a missed record
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
      case 'missed':
        report.missed.push({ name: outcome.name, from: outcome.slot, to: outcome.slot, count: 1, reason: outcome.reason });
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

async function stillOpen(input: RunTickInput, held: readonly { name: string; slot: string }[]): Promise<boolean> {
  const byName = new Map(input.tasks.map((task) => [task.definition.name, task.definition]));
  const records = await Promise.all(held.map(({ name, slot }) => (byName.get(name)?.onOneServer ? input.store.shared() : input.store).getRun(name, slot)));
  return records.some((record) => record !== undefined && !hasOutcome(record.status));
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
