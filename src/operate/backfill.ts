import type { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import { InvalidBackfillError } from '../errors.js';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { occurrences } from '../evaluation/occurrences.js';
import { wallClock } from '../evaluation/wallClock.js';
import type { CommandRegistry } from '../kernel/CommandRegistry.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { SAFETY_MARGIN_SECONDS, TICK_TIMEOUT_SECONDS } from '../kernel/runBudget.js';
import type { OutputSinks } from '../runner/deliverOutput.js';
import { sendPrepared } from '../runner/fanOut.js';
import type { RunTickInput } from '../runner/RunContext.js';
import { runSlot } from '../runner/runSlot.js';
import { DEFAULT_RETENTION_DAYS, type LeaseHolder, type RunRecord, type RunStatus, type Store } from '../store/Store.js';
import { RUN_STATUS, SKIP_REASON, type SkipReason } from '../vocabulary.js';
import { BACKFILL_OWNER_PREFIX, storeOf } from './sources.js';
import { staticFilter, type StaticFilterReason } from './staticFilters.js';
import { isStranded } from './stranded.js';

export { BACKFILL_OWNER_PREFIX } from './sources.js';

/** Slots one backfill takes on unless told otherwise (`limit`). */
export const DEFAULT_BACKFILL_LIMIT = 100;

/** The highest `limit` the CLI and the dashboard accept: one backfill stays a few minutes of work, not a migration. */
export const MAX_BACKFILL_LIMIT = 10_000;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What a backfill works with: the kernel's tasks and the deployment's table, as a tick has them. */
export interface BackfillContext {
  /** The kernel's compiled tasks (`schedule.compiled()`). */
  readonly tasks: readonly CompiledTask[];
  readonly commands: CommandRegistry;
  /** The deployment's store; `onOneServer()` tasks are claimed in its shared view, as the tick does. */
  readonly store: Store;
  /** Sends fan-out slots to their Lambdas; required to backfill a fan-out task (not for a dry run). */
  readonly dispatcher?: Dispatcher;
  /** The deployment id the store uses, carried by task events. */
  readonly deployment: string;
  /** The stage, for `environments()` filters. */
  readonly stage: string;
  readonly sinks: OutputSinks;
  readonly logger: Logger;
  /** The wall clock: the range may not reach past it, and runs are timed by it. */
  readonly now: () => number;
  /**
   * Run records older than this many days may have been deleted by TTL, so whether such a slot ran can
   * no longer be known: a range reaching further back is refused. @default DEFAULT_RETENTION_DAYS
   */
  readonly retentionDays?: number;
}

/** Which slots to backfill. */
export interface BackfillRequest {
  readonly task: string;
  /** The first instant of the range. */
  readonly from: Date;
  /** The last instant of the range, inclusive: not after `now`. */
  readonly to: Date;
  /** List what would run (reading the table), write nothing. @default false */
  readonly dryRun?: boolean;
  /** A range with more slots is refused before anything is claimed. @default DEFAULT_BACKFILL_LIMIT */
  readonly limit?: number;
  /** Called after each slot, in time order. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly slot: BackfillSlot }) => void;
}

/** What became of one slot of the range. */
export type BackfillSlot =
  /** Dry run: nothing holds the slot, and the static filters let it through (`when()`/`skip()` are not run). */
  | { readonly slot: string; readonly outcome: 'would-run' }
  /** Ruled out by `environments()`, `between()` or `unlessBetween()`: every tick decides it alike, and nothing is written. */
  | { readonly slot: string; readonly outcome: 'filtered'; readonly reason: StaticFilterReason }
  /**
   * Already claimed or decided (by a tick, a one-off, an earlier backfill): left alone. `holder.stranded`:
   * it says `running` with nothing left to record its outcome (`isStranded`).
   */
  | { readonly slot: string; readonly outcome: 'already-claimed'; readonly holder: { readonly owner: string; readonly status: RunStatus; readonly stranded?: true } }
  /** Claimed and run in this process; `status` is its outcome. */
  | { readonly slot: string; readonly outcome: 'ran'; readonly status: RunStatus; readonly durationMs?: number; readonly error?: string }
  /** Claimed by this backfill and decided not to run: a `when()`/`skip()` refusal, a lease held elsewhere, … */
  | { readonly slot: string; readonly outcome: 'skipped'; readonly reason: SkipReason }
  /** Claimed and its event sent to the task's own Lambda. */
  | { readonly slot: string; readonly outcome: 'dispatched' }
  /** Its event could not be sent: the claim was released and a retry queued for the tick (`requeued`), as a tick does. */
  | { readonly slot: string; readonly outcome: 'not-dispatched'; readonly error: string; readonly requeued: boolean }
  /**
   * Not claimed: the task's overlap lease is held (by a run elsewhere, or by this backfill's own
   * dispatched run), so this slot and every later one are left for another backfill.
   */
  | { readonly slot: string; readonly outcome: 'deferred'; readonly holder: LeaseHolder };

export interface BackfillReport {
  readonly task: string;
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** Where the task runs: in this process, or its own Lambda. */
  readonly runsIn: 'inline' | 'lambda';
  /** The owner of every claim this backfill made (`backfill-<uuid>`). */
  readonly owner: string;
  readonly slots: readonly BackfillSlot[];
}

/**
 * Runs a task's real slots in `[from, to]` — each under the identity the tick would claim it with, so
 * a slot a tick, a one-off or an earlier backfill already claimed or decided is left alone and
 * reported with its holder. Each slot goes through the tick's own path (`runSlot`): filters, claim,
 * lease, then the run and its record for an inline task, or the event to its Lambda (through
 * `dispatcher`) for a fan-out one. Slots go one at a time, oldest first, so a backfill never overlaps
 * itself. What it will not do is refused before any write (`InvalidBackfillError`): an unknown task,
 * a reversed or future range, one with more than `limit` slots, one older than the retention period,
 * a paused task (its slots would be recorded `paused` for good: resume it first).
 *
 * For the CLI (`tickwork backfill`) and a dashboard alike.
 *
 * @example
 * const report = await backfill(
 *   { tasks: schedule.compiled(), commands: schedule.commands, store, deployment: 'prod', stage: 'prod', sinks, logger, now: Date.now },
 *   { task: 'reports:daily', from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') },
 * );
 * report.slots; // [{ slot: '2026-11-20T01:00:00.000Z', outcome: 'already-claimed', holder: { … } }, { …, outcome: 'ran', status: 'succeeded' }, …]
 */
export async function backfill(context: BackfillContext, request: BackfillRequest): Promise<BackfillReport> {
  const task = context.tasks.find((t) => t.definition.name === request.task);
  if (task === undefined) {
    throw new InvalidBackfillError('task', `unknown task ${JSON.stringify(request.task)}: the kernel has ${context.tasks.map((t) => JSON.stringify(t.definition.name)).join(', ') || 'no tasks'}`);
  }
  const slots = plannedSlots(context, task, request);
  const { definition } = task;
  const dryRun = request.dryRun === true;
  const fanOut = definition.lambda !== false;
  if (fanOut && !dryRun && context.dispatcher === undefined) {
    throw new InvalidBackfillError('dispatcher', `Task "${definition.name}" runs in its own Lambda: a backfill needs a dispatcher to send its slots`);
  }
  const pauses = await context.store.pauses();
  const pause = pauses.tasks.get(definition.name) ?? pauses.all;
  if (pause !== undefined && !definition.evenWhenPaused) {
    throw new InvalidBackfillError('task', `Task "${definition.name}" is paused (${JSON.stringify(pause.note)}): resume it before backfilling, or its slots would be recorded paused`);
  }

  const owner = `${BACKFILL_OWNER_PREFIX}${randomUUID()}`;
  const records = storeOf(context.store, definition);
  const results: BackfillSlot[] = [];
  const report = (slot: BackfillSlot) => {
    results.push(slot);
    request.onProgress?.({ done: results.length, total: slots.length, slot });
  };
  let deferredBy: LeaseHolder | undefined;
  for (const due of slots) {
    if (deferredBy !== undefined) {
      report({ slot: due.slot, outcome: 'deferred', holder: deferredBy });
      continue;
    }
    const filtered = staticFilter(definition, due.clock, context.stage);
    if (filtered !== undefined) {
      report({ slot: due.slot, outcome: 'filtered', reason: filtered });
      continue;
    }
    const existing = await records.getRun(definition.name, due.slot);
    if (existing !== undefined) {
      report({ slot: due.slot, outcome: 'already-claimed', holder: holderOf(existing, context.now()) });
      continue;
    }
    if (dryRun) {
      report({ slot: due.slot, outcome: 'would-run' });
      continue;
    }
    if (definition.withoutOverlapping !== false) {
      // A slot that met a held lease would be recorded `overlapping` for good: leave it unclaimed instead.
      const holder = await records.lease(definition.name);
      if (holder !== undefined && holder.expiresAt > context.now()) {
        deferredBy = holder;
        report({ slot: due.slot, outcome: 'deferred', holder });
        continue;
      }
    }
    const result = await runOne(context, records, due, owner, pauses);
    report(result);
    if (definition.withoutOverlapping !== false && result.outcome === 'not-dispatched' && result.requeued) {
      // Queued for the deployed tick, which takes queued runs together: a second slot of a leased task
      // would meet the lease the first takes there and be recorded `overlapping` for good. One at a time.
      deferredBy = { owner: 'its queued slot (sent by the next deployed tick)', slot: due.slot, expiresAt: context.now() };
    }
  }
  return { task: definition.name, from: request.from.toISOString(), to: request.to.toISOString(), dryRun, runsIn: fanOut ? 'lambda' : 'inline', owner, slots: results };
}

/**
 * How many slots of a report ended each way, in order of first appearance; a slot that ran counts
 * under its status (`succeeded`, `failed`, …), any other under its outcome. The CLI's totals line and
 * the dashboard's counts.
 *
 * @example
 * outcomeCounts(report.slots); // Map { 'already-claimed' => 1, 'would-run' => 4 }
 */
export function outcomeCounts(slots: readonly BackfillSlot[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const slot of slots) {
    const key = slot.outcome === 'ran' ? slot.status : slot.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The task's slots in the range, checked against the request's bounds. */
function plannedSlots(context: BackfillContext, task: CompiledTask, request: BackfillRequest): DueSlot[] {
  const { from, to } = request;
  const name = task.definition.name;
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw new InvalidBackfillError('from', `backfill from expects a valid Date, got ${String(from)}`);
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw new InvalidBackfillError('to', `backfill to expects a valid Date, got ${String(to)}`);
  if (from > to) throw new InvalidBackfillError('from', `backfill from (${from.toISOString()}) is after to (${to.toISOString()})`);
  const now = context.now();
  if (to.getTime() > now) throw new InvalidBackfillError('to', `backfill to (${to.toISOString()}) is in the future (now ${new Date(now).toISOString()}): a backfill runs slots that are due already`);
  const oldest = now - (context.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS;
  if (from.getTime() < oldest) {
    throw new InvalidBackfillError('from', `backfill from (${from.toISOString()}) is older than the ${context.retentionDays ?? DEFAULT_RETENTION_DAYS} days run records are kept: whether those slots ran can no longer be known`);
  }
  const limit = request.limit ?? DEFAULT_BACKFILL_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidBackfillError('limit', `backfill limit expects a whole number ≥ 1, got ${String(limit)}`);
  const found = occurrences([task], from, new Date(to.getTime() + 1));
  if (found.length > limit) {
    throw new InvalidBackfillError('limit', `Task "${name}" has ${found.length} slots from ${from.toISOString()} to ${to.toISOString()}, more than the limit of ${limit}`);
  }
  return found.map(({ at }) => ({ task, at, slot: at.toISOString(), clock: wallClock(new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS), task.definition.timezone) }));
}

/** One slot through the tick's path: claim, lease, run and record — or the event to its Lambda. */
async function runOne(context: BackfillContext, records: Store, due: DueSlot, owner: string, pauses: Awaited<ReturnType<Store['pauses']>>): Promise<BackfillSlot> {
  const name = due.task.definition.name;
  const now = context.now();
  const input: RunTickInput = {
    tasks: context.tasks,
    commands: context.commands,
    sinks: context.sinks,
    stage: context.stage,
    store: context.store,
    ...(context.dispatcher === undefined ? {} : { dispatcher: context.dispatcher }),
    deployment: context.deployment,
    minute: new Date(Math.floor(due.at.getTime() / MINUTE_MS) * MINUTE_MS),
    owner,
    // The budget an inline run has in the tick; `timeout()` may shorten it.
    deadline: now + (TICK_TIMEOUT_SECONDS - SAFETY_MARGIN_SECONDS) * 1000,
    now: context.now,
    logger: context.logger,
  };
  const result = await runSlot(input, due, pauses, pLimit(1));
  if (result.kind === 'dispatch') {
    const sent = await sendPrepared(input, [{ status: 'fulfilled', value: result }]);
    const fault = sent.settled.find((s) => s.status === 'rejected');
    if (fault !== undefined) throw fault.reason;
    const unsent = sent.undispatched[0];
    return unsent === undefined ? { slot: due.slot, outcome: 'dispatched' } : { slot: due.slot, outcome: 'not-dispatched', error: unsent.error, requeued: unsent.requeued };
  }
  if (result.kind === 'skipped' && result.reason !== SKIP_REASON.alreadyClaimed) return { slot: due.slot, outcome: 'skipped', reason: result.reason };
  const record = await records.getRun(name, due.slot);
  if (result.kind === 'ran' || result.kind === 'failed') {
    return {
      slot: due.slot,
      outcome: 'ran',
      status: record?.status ?? (result.kind === 'ran' ? 'succeeded' : 'failed'),
      ...(record?.durationMs === undefined ? {} : { durationMs: record.durationMs }),
      ...(result.kind === 'failed' ? { error: result.error } : {}),
    };
  }
  // Claimed between our read and our claim (by a tick, most likely), or decided by the tick's path in a
  // way of its own: reported as the record now stands.
  if (record === undefined) return { slot: due.slot, outcome: 'already-claimed', holder: { owner: 'unknown', status: RUN_STATUS.running } };
  return { slot: due.slot, outcome: 'already-claimed', holder: holderOf(record, context.now()) };
}

/** Who holds a slot a backfill leaves alone, and whether its run has no outcome (`isStranded`). */
function holderOf(record: RunRecord, now: number): { owner: string; status: RunStatus; stranded?: true } {
  return { owner: record.owner, status: record.status, ...(isStranded(record, now) ? { stranded: true as const } : {}) };
}
