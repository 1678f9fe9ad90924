import type { CompiledTask } from '../kernel/Schedule.js';
import type { LeaseHolder, MissedRecord, PauseState, QueuedRun, RunRecord, Store, UnsettledRange } from '../store/Store.js';
import { FAILURE_REASON, MISS_REASON, RUN_STATUS, SKIP_REASON } from '../vocabulary.js';
import { STALE_RUN_MS, TICK_TIMEOUT_SECONDS } from '../kernel/runBudget.js';
import { duration, iso } from './format.js';
import { runEntry, type RunEntry } from './history.js';
import { effectivePause } from './pauses.js';
import { matchSlot, type SlotMatch } from './slotMatch.js';
import { runSource, storeOf } from './sources.js';
import { isStranded, outcomeOf, strandedError } from './stranded.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Missed summaries are keyed by their first slot, and one tick catches up at most a day. */
const MISSED_LOOK_BACK_MS = DAY_MS;
/** Every queued run is due before this (one-offs are refused from 10000 on: src/dispatch/dispatchAt.ts). */
const QUEUE_HORIZON = Date.UTC(10_000, 0, 1);
/** The queue holds a handful of runs at a time; a slot past this many is not looked for. */
const QUEUE_READ_LIMIT = 1_000;
/** Minutes no tick evaluated are recorded once for the whole deployment, under this name. */
const WHOLE_SCHEDULER = '*';

/** One line of an explanation, in the order the tick decides. */
export interface Finding {
  /** `expression`, `dst`, `filters`, `conditions`, `pause`, `claim`, `overlap`, `catch-up`, `dispatch`, `outcome`, `tick`. */
  readonly step: string;
  readonly finding: string;
}

/** Everything `tickwork why` knows about one slot. */
export interface Explanation {
  readonly task: string;
  readonly slot: string;
  /** Later than the time of asking, with no record yet: the explanation says what would happen. */
  readonly future: boolean;
  /** One line: what happened (or would). */
  readonly verdict: string;
  readonly match: SlotMatch;
  readonly record?: RunEntry;
  readonly missed: readonly MissedRecord[];
  readonly pause?: PauseState & { readonly scope: 'scheduler' | 'task' };
  readonly lease?: LeaseHolder;
  readonly lastTick?: string;
  readonly findings: readonly Finding[];
}

interface Facts {
  readonly record: RunRecord | undefined;
  /** The record says `running` though nothing is left running it (`isStranded`). */
  readonly stranded: boolean;
  readonly missed: readonly MissedRecord[];
  readonly pause: Explanation['pause'];
  /** The task's lease while it is held. */
  readonly lease: LeaseHolder | undefined;
  /** The task's lease once its expiry has passed with a holder still named: that holder ended without releasing it. */
  readonly lapsedLease: LeaseHolder | undefined;
  readonly lastTick: number | undefined;
  /** The unsettled range holding the slot's minute, read when the slot has no record: its tick began and has not decided all its slots. */
  readonly unsettled: UnsettledRange | undefined;
  /** The slot waiting in the queue, when it has no record: a one-off, or a fan-out slot whose event could not be sent yet. */
  readonly queued: QueuedRun | undefined;
}

/**
 * Explains the decision for `task` at `at` from the kernel (does the expression match, with which DST
 * rule, which static filter) and the table (pause, claim and its owner, overlap, catch-up, dispatch,
 * outcome). For a slot no tick has decided yet it says what would happen, as far as a read can know.
 */
export async function explainSlot(store: Store, tasks: readonly CompiledTask[], task: CompiledTask, at: Date, now: number, stage: string): Promise<Explanation> {
  const match = matchSlot(tasks, task, at, stage);
  const facts = await readFacts(store, task, match.slot, at.getTime(), now);
  const future = facts.record === undefined && facts.missed.length === 0 && at.getTime() > now;
  return {
    task: task.definition.name,
    slot: match.slot,
    future,
    verdict: verdict(task, match, facts, future, now),
    match,
    ...(facts.record === undefined ? {} : { record: runEntry(facts.record, now) }),
    missed: facts.missed,
    ...(facts.pause === undefined ? {} : { pause: facts.pause }),
    ...(facts.lease === undefined ? {} : { lease: facts.lease }),
    ...(facts.lastTick === undefined ? {} : { lastTick: iso(facts.lastTick) }),
    findings: findings(task, match, facts),
  };
}

async function readFacts(store: Store, task: CompiledTask, slot: string, at: number, now: number): Promise<Facts> {
  const { name, withoutOverlapping } = task.definition;
  const records = storeOf(store, task.definition);
  const range = { from: iso(at - MISSED_LOOK_BACK_MS), to: slot, limit: 50 };
  const [record, missed, gaps, pauses, lease, lastTick] = await Promise.all([
    records.getRun(name, slot),
    records.missedBetween(name, range),
    store.missedBetween(WHOLE_SCHEDULER, range),
    store.pauses(),
    withoutOverlapping === false ? undefined : records.lease(name),
    store.lastTick(),
  ]);
  const pause = effectivePause(pauses, name);
  // A slot whose claim was given back to be sent again later (or a one-off not yet due) is only in the
  // queue: read it only when there is no record, which is when it can be there.
  const [queue, unsettled] = record === undefined ? await Promise.all([store.dueRuns(QUEUE_HORIZON, QUEUE_READ_LIMIT), store.unsettled()]) : [[], []];
  const queued = queue.find((q) => q.task === name && q.slot === slot);
  const minute = minuteOf(slot);
  return {
    unsettled: unsettled.find((range) => (range.from ?? range.to - MINUTE_MS) < minute && minute <= range.to),
    queued,
    record,
    stranded: record !== undefined && isStranded(record, now),
    missed: [...missed, ...gaps].filter((m) => m.from <= slot && m.to >= slot),
    pause,
    lease: lease !== undefined && lease.expiresAt > now ? lease : undefined,
    lapsedLease: lease !== undefined && lease.expiresAt <= now ? lease : undefined,
    lastTick,
  };
}

function verdict(task: CompiledTask, match: SlotMatch, facts: Facts, future: boolean, now: number): string {
  if (!match.isSlot) return `not a slot of ${task.definition.name}`;
  if (match.filter !== undefined) return `not run: ${match.filter} (every tick decides it alike, so it is not recorded)`;
  const { record } = facts;
  if (record !== undefined) return isBuffered(record) ? bufferedVerdict(record, facts) : recordVerdict(record, facts.stranded);
  if (facts.queued !== undefined) return queuedVerdict(facts.queued);
  const [missed] = facts.missed;
  if (missed !== undefined) return missedVerdict(missed.reason);
  if (!future && (facts.lastTick === undefined || facts.lastTick < minuteOf(match.slot))) {
    return `not decided: ${facts.lastTick === undefined ? 'no tick has run in this deployment' : `the last tick evaluated ${iso(facts.lastTick)}`}`;
  }
  // The tick evaluated this minute and left nothing: see README "Under faults".
  if (!future) return unsettledVerdict(facts.unsettled, now) ?? 'no record: the kernel deployed then had no such slot, or its record has expired';
  if (facts.pause !== undefined && !task.definition.evenWhenPaused) return `would be skipped: paused (${facts.pause.note}), unless resumed first`;
  return `would run at ${match.slot}${match.conditions > 0 ? ', if its when()/skip() conditions allow' : ''}`;
}

const MISS_REASONS: ReadonlySet<string> = new Set(Object.values(MISS_REASON));

/** A slot in the queue: the first tick from its time on takes it (and claims it then). */
function queuedVerdict(queued: QueuedRun): string {
  if (queued.attempt === 0) return `queued for the first tick from ${iso(queued.at)} on`;
  const error = queued.lastError === undefined ? '' : `: ${queued.lastError}`;
  return `not sent yet: its event could not be sent (attempt ${queued.attempt}${error}), and it is queued for the first tick from ${iso(queued.at)} on to send again`;
}

function isBuffered(record: RunRecord): boolean {
  return record.status === RUN_STATUS.skipped && record.reason === SKIP_REASON.buffered;
}

/**
 * A slot buffered behind the task's lease (`bufferOne`, `replace`) runs when the holder releases the
 * lease, which hands it on (docs/design.md "Overlap"). A holder that ended without releasing it never
 * hands it on: the lease lapses, and the task's next run takes it over and records the waiting slot
 * superseded — until then the record says `buffered`.
 */
function bufferedVerdict(record: RunRecord, facts: Facts): string {
  const { lease, lapsedLease } = facts;
  const held = lease ?? lapsedLease;
  const waiting = held?.pending?.slot === record.slot;
  if (lease !== undefined && waiting) return `buffered: waiting behind ${lease.owner}'s run of ${lease.slot}, to run when it releases the lease`;
  if (lease !== undefined && lease.slot === record.slot) return `buffered, and handed on: ${lease.owner} holds the lease to run it next`;
  if (lapsedLease !== undefined && (waiting || lapsedLease.slot === record.slot)) {
    const lapsed = `the lease lapsed at ${iso(lapsedLease.expiresAt)} without ${lapsedLease.owner} releasing it`;
    return waiting
      ? `buffered behind ${lapsedLease.owner}'s run of ${lapsedLease.slot}, and ${lapsed}: this slot will not run, and the task's next run records it superseded`
      : `buffered, then handed to ${lapsedLease.owner} to run, and ${lapsed}: it may have started, and the task's next run records it abandoned`;
  }
  return "buffered, and no longer waiting on the lease: if no run of it has started, it will not run, and the task's next run records it superseded";
}

/**
 * A slot in a range its tick began and has not settled: that tick is still deciding it, or it failed
 * before claiming it and a tick records it once no attempt of that tick can still be running.
 */
function unsettledVerdict(range: UnsettledRange | undefined, now: number): string | undefined {
  if (range === undefined) return undefined;
  const tick = `the tick for ${iso(range.to)}, begun at ${iso(range.begunAt)}`;
  if (now < range.begunAt + TICK_TIMEOUT_SECONDS * 1000) return `not decided yet: ${tick}, is still deciding its slots`;
  const failed = `no record yet: ${tick}, failed before claiming it (the tick's Errors alarm fired)`;
  const recordedFrom = range.begunAt + STALE_RUN_MS;
  if (now <= recordedFrom) return `${failed}; a Lambda retry of it may still claim it, and if none does, the first tick from ${iso(recordedFrom)} on records it missed`;
  return `${failed}; the next tick records it missed (due since ${iso(recordedFrom)}: no tick has been able to yet)`;
}

const MISS_NOTES: Partial<Record<string, string>> = {
  [MISS_REASON.coalesced]: ' (the same catch-up kept a later slot of the task to run: see that slot)',
  [MISS_REASON.tickFailed]: ' (the tick that decided its minute failed before claiming it, and so did every Lambda retry of it)',
};

function missedVerdict(reason: string): string {
  return `missed: ${reason}${MISS_NOTES[reason] ?? ''}`;
}

function minuteOf(slot: string): number {
  return Math.floor(Date.parse(slot) / MINUTE_MS) * MINUTE_MS;
}

function recordVerdict(record: RunRecord, stranded: boolean): string {
  if (stranded) return strandedError(record);
  switch (record.status) {
    case RUN_STATUS.succeeded:
      return `ran: succeeded${record.durationMs === undefined ? '' : ` in ${duration(record.durationMs)}`}`;
    case RUN_STATUS.failed:
      return `ran and failed: ${record.reason === FAILURE_REASON.conditionThrew ? 'its condition threw' : record.reason === FAILURE_REASON.abandoned ? 'abandoned' : (record.error ?? 'no error recorded')}`;
    case RUN_STATUS.timedOut:
      return 'ran and timed out';
    case RUN_STATUS.replaced:
      return 'ran, and was stopped for a newer slot (replace)';
    case RUN_STATUS.skipped:
      // A past sub-minute slot of a late tick's own minute is decided on its record (docs/design.md "Sub-minute tasks").
      if (record.reason !== undefined && MISS_REASONS.has(record.reason)) return missedVerdict(record.reason);
      return `skipped: ${record.reason ?? 'no reason recorded'}`;
    case RUN_STATUS.dispatched:
      return 'dispatched to its Lambda; no worker has started it';
    case RUN_STATUS.running:
      return 'running (no outcome recorded yet)';
  }
}

function findings(task: CompiledTask, match: SlotMatch, facts: Facts): Finding[] {
  const { definition } = task;
  const out: Finding[] = [{ step: 'expression', finding: match.rule }];
  if (match.dst !== undefined) out.push({ step: 'dst', finding: match.dst.note });
  if (!match.isSlot) {
    out.push({ step: 'nearest', finding: `previous slot ${match.previous ?? 'none in the day before'}, next ${match.next ?? 'none within 400 days'}` });
    return out;
  }
  out.push({ step: 'filters', finding: match.filter === undefined ? 'environments(), between(), unlessBetween(): none rules it out' : `${match.filter}: ruled out by the task's filters` });
  if (match.conditions > 0) out.push({ step: 'conditions', finding: `${match.conditions} when()/skip() condition(s), decided at tick time; a refusal is recorded on the slot` });
  out.push({ step: 'pause', finding: pauseFinding(facts, definition.evenWhenPaused) });
  const { record } = facts;
  if (record !== undefined) out.push(...recordFindings(record, definition.lambda !== false, facts));
  for (const m of facts.missed) {
    out.push({ step: 'catch-up', finding: `missed (${m.reason}) with ${m.count - 1} other slot(s) from ${m.from} to ${m.to}, found by the tick of ${m.tick}` });
  }
  if (facts.lease !== undefined) out.push({ step: 'overlap', finding: `lease held now by ${facts.lease.owner} for ${facts.lease.slot}, until ${iso(facts.lease.expiresAt)}` });
  if (facts.lapsedLease !== undefined) {
    out.push({ step: 'overlap', finding: `lease lapsed at ${iso(facts.lapsedLease.expiresAt)}, never released by ${facts.lapsedLease.owner} (for ${facts.lapsedLease.slot}): the task's next run takes it over` });
  }
  out.push({ step: 'tick', finding: facts.lastTick === undefined ? 'no tick has run in this deployment' : `last evaluated minute ${iso(facts.lastTick)}` });
  return out;
}

function pauseFinding(facts: Facts, evenWhenPaused: boolean): string {
  const recordedPause = facts.record?.status === RUN_STATUS.skipped && facts.record.reason === SKIP_REASON.paused;
  if (recordedPause) return 'paused when the tick decided it (recorded on the slot)';
  if (facts.pause === undefined) return 'not paused now';
  const what = `${facts.pause.scope === 'task' ? 'the task' : 'the scheduler'} is paused now since ${iso(facts.pause.pausedAt)}: ${facts.pause.note}`;
  return evenWhenPaused ? `${what} (the task runs even when paused)` : what;
}

function recordFindings(record: RunRecord, fanOut: boolean, facts: Facts): Finding[] {
  const { stranded } = facts;
  const source = runSource(record);
  const by = source === 'backfill' ? ' (a backfill)' : source === 'one-off' ? ' (a one-off)' : '';
  const out: Finding[] = [{ step: 'claim', finding: `claimed by ${record.owner}${by} at ${iso(record.claimedAt)}` }];
  if (record.reason === SKIP_REASON.overlapping || record.reason === SKIP_REASON.buffered || record.reason === SKIP_REASON.superseded) {
    out.push({ step: 'overlap', finding: `${record.reason}: the task's lease was held by another run (withoutOverlapping)` });
  }
  if (fanOut) out.push({ step: 'dispatch', finding: dispatchFinding(record) });
  const outcome = outcomeOf(record);
  const timing = [
    // A stranded run's verdict says when it started.
    record.startedAt === undefined || stranded ? undefined : `started ${iso(record.startedAt)}`,
    outcome.latenessMs === undefined ? undefined : `${duration(outcome.latenessMs)} after its slot`,
    outcome.durationMs === undefined ? undefined : `took ${duration(outcome.durationMs)}`,
    outcome.error,
  ].filter((part): part is string => part !== undefined);
  out.push({ step: 'outcome', finding: [isBuffered(record) ? bufferedVerdict(record, facts) : recordVerdict(record, stranded), ...timing].join('; ') });
  return out;
}

function dispatchFinding(record: RunRecord): string {
  if (record.status === RUN_STATUS.dispatched) return 'claimed for its own Lambda; the worker has not started it';
  if (record.reason === SKIP_REASON.undispatched) return 'its event could not be sent after every attempt';
  if (record.attempts !== undefined) return `started by its Lambda (attempt ${record.attempts})`;
  return 'decided by the tick; never sent';
}
