import { nextRuns } from '../evaluation/occurrences.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { DEFAULT_RETENTION_DAYS, type RunRecord, type Store } from '../store/Store.js';
import { MISS_REASON, RUN_STATUS, SKIP_REASON, type RunStatus } from '../vocabulary.js';
import { iso } from './format.js';
import { graceMs } from './grace.js';
import { effectivePause, pauseView, type PauseView } from './pauses.js';
import { storeOf } from './sources.js';
import { latestSlot, staticFilter } from './staticFilters.js';
import { isStranded, startOf, strandedError } from './stranded.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The tick runs every minute: one not seen for this long has stopped (the stack's alarm uses the same 3 minutes). */
export const TICK_GRACE_MS = 3 * MINUTE_MS;
/** Records read per task: enough for the last failure of all but the busiest sub-minute tasks, in one request. */
export const MONITOR_RECORDS = 50;
/** A slot older than this is not judged late: a tick looks back no further (`MAX_LOOK_BACK_MINUTES`). */
const LATE_LOOK_BACK_MS = DAY_MS;

/** Statuses of a run that started. */
const STARTED: readonly RunStatus[] = [RUN_STATUS.running, RUN_STATUS.succeeded, RUN_STATUS.failed, RUN_STATUS.timedOut, RUN_STATUS.replaced];
/** Statuses of a run that ended, and of those that ended badly. */
const FINISHED: readonly RunStatus[] = [RUN_STATUS.succeeded, RUN_STATUS.failed, RUN_STATUS.timedOut, RUN_STATUS.replaced];
const FAILED: readonly RunStatus[] = [RUN_STATUS.failed, RUN_STATUS.timedOut];

/** A slot that should have started by now and has not. */
export interface LateSlot {
  readonly slot: string;
  /** `no record`, `dispatched, never started`, `undispatched` or `missed (<reason>)`. */
  readonly why: string;
}

/** One line of `tickwork monitor`. */
export interface TaskHealth {
  readonly task: string;
  readonly lastStart?: { readonly slot: string; readonly at: string };
  readonly lastFinish?: { readonly slot: string; readonly at: string; readonly status: RunStatus };
  /** `at`: when it ended, or for a run left `running` with no outcome (`stranded`), when it started. */
  readonly lastFailure?: { readonly slot: string; readonly at: string; readonly error?: string; readonly stranded?: true };
  /** The next slot after `at` (ISO), time zones and DST applied; filters not. */
  readonly nextDue?: string;
  readonly graceMs: number;
  readonly late?: LateSlot;
  /** Its latest finished run failed or timed out, or was left `running` with no outcome (`isStranded`). */
  readonly failing: boolean;
  /** The pause its slots are skipped for now (its own, else the scheduler's), unless it runs `evenWhenPaused()`. */
  readonly paused?: PauseView;
}

export interface MonitorReport {
  /** The instant judged. */
  readonly at: string;
  /** `paused`: the whole scheduler's pause, when it is paused. */
  readonly scheduler: { readonly lastTick?: string; readonly late: boolean; readonly paused?: PauseView };
  readonly tasks: readonly TaskHealth[];
  /** Nothing late, nothing failing. */
  readonly ok: boolean;
}

/**
 * Judges every task at `now`: late when its latest slot past its grace (see `graceMs`) has not
 * started; failing when its latest finished run failed — a run left `running` after every invocation
 * that could record its outcome has ended counts as one (`isStranded`). A task with no record at all in the
 * retention period is not judged late, nor is a slot older than its first record — a task just added,
 * or a deployment just made, must not be flagged for slots before it ran — but a scheduler whose tick
 * has stopped is, and that makes the report fail too.
 */
export async function readMonitor(store: Store, tasks: readonly CompiledTask[], now: number, stage: string): Promise<MonitorReport> {
  const [lastTick, pauses, health] = await Promise.all([store.lastTick(), store.pauses(), Promise.all(tasks.map((task) => taskHealth(store, tasks, task, now, stage)))]);
  const schedulerLate = lastTick === undefined || now - lastTick > TICK_GRACE_MS;
  return {
    at: iso(now),
    scheduler: { ...(lastTick === undefined ? {} : { lastTick: iso(lastTick) }), late: schedulerLate, ...(pauses.all === undefined ? {} : { paused: pauseView({ ...pauses.all, scope: 'scheduler' }) }) },
    tasks: health.map((health, i) => {
      // A paused task's slots are recorded skipped (`paused`): neither late nor failing, and shown why.
      const pause = tasks[i]!.definition.evenWhenPaused ? undefined : effectivePause(pauses, health.task);
      return pause === undefined ? health : { ...health, paused: pauseView(pause) };
    }),
    ok: !schedulerLate && health.every((t) => t.late === undefined && !t.failing),
  };
}

/** One task's line of the report: the dashboard's task page reads it alone. */
export async function taskHealth(store: Store, tasks: readonly CompiledTask[], task: CompiledTask, now: number, stage: string): Promise<TaskHealth> {
  const { name } = task.definition;
  const records = storeOf(store, task.definition);
  const runs = await records.runsBetween(name, { from: iso(now - DEFAULT_RETENTION_DAYS * DAY_MS), to: iso(now), limit: MONITOR_RECORDS });
  const grace = graceMs(task.definition);
  const [next] = nextRuns(tasks, name, new Date(now + 1), 1);
  // The task's whole recorded history is in hand when it fits one page: a slot before its first record
  // (before the deployment's first tick, say) is not judged, as a task with no record at all is not.
  const firstRecorded = runs.length < MONITOR_RECORDS ? runs[runs.length - 1]?.slot : undefined;
  const late = runs.length === 0 ? undefined : await lateSlot(records, task, now - grace, stage, firstRecorded);
  const started = runs.find((r) => STARTED.includes(r.status));
  const isFinished = (r: RunRecord) => FINISHED.includes(r.status) && r.finishedAt !== undefined;
  // A run left `running` after every invocation that could record its outcome ended counts as a failure.
  const isFailure = (r: RunRecord) => FAILED.includes(r.status) || isStranded(r, now);
  const finished = runs.find(isFinished);
  const failure = runs.find(isFailure);
  const ended = runs.find((r) => isFinished(r) || isStranded(r, now));
  return {
    task: name,
    ...(started === undefined ? {} : { lastStart: { slot: started.slot, at: iso(startOf(started)) } }),
    ...(finished === undefined ? {} : { lastFinish: { slot: finished.slot, at: iso(finished.finishedAt ?? 0), status: finished.status } }),
    ...(failure === undefined ? {} : { lastFailure: lastFailure(failure, now) }),
    ...(next === undefined ? {} : { nextDue: next.toISOString() }),
    graceMs: grace,
    ...(late === undefined ? {} : { late }),
    failing: ended !== undefined && isFailure(ended),
  };
}

/** Whether the latest slot due by `dueBy` started (or was decided not to); one or two reads. */
async function lateSlot(store: Store, task: CompiledTask, dueBy: number, stage: string, firstRecorded: string | undefined): Promise<LateSlot | undefined> {
  // Slots the static filters rule out are never recorded, so they cannot be late.
  const due = latestSlot(task, dueBy, LATE_LOOK_BACK_MS, (s) => staticFilter(task.definition, s.clock, stage) === undefined);
  if (due === undefined) return undefined;
  if (firstRecorded !== undefined && Date.parse(due.slot) < Date.parse(firstRecorded)) return undefined;
  const { name } = task.definition;
  const record = await store.getRun(name, due.slot);
  if (record !== undefined) return lateRecord(record);
  const missed = await store.missedBetween(name, { from: iso(due.at.getTime() - LATE_LOOK_BACK_MS), to: due.slot, limit: MONITOR_RECORDS });
  const covering = missed.find((m) => m.from <= due.slot && m.to >= due.slot);
  // Coalesced: a later slot of the same catch-up ran for it.
  if (covering?.reason === MISS_REASON.coalesced) return undefined;
  return { slot: due.slot, why: covering === undefined ? 'no record' : `missed (${covering.reason})` };
}

function lateRecord(record: RunRecord): LateSlot | undefined {
  if (record.status === RUN_STATUS.dispatched) return { slot: record.slot, why: 'dispatched, never started' };
  if (record.status === RUN_STATUS.skipped && record.reason === SKIP_REASON.undispatched) return { slot: record.slot, why: 'undispatched' };
  // A past sub-minute slot decided on its own record reads as the same miss in a summary would.
  if (record.status === RUN_STATUS.skipped && record.reason !== undefined && record.reason !== MISS_REASON.coalesced && (Object.values(MISS_REASON) as string[]).includes(record.reason)) {
    return { slot: record.slot, why: `missed (${record.reason})` };
  }
  return undefined;
}

/** A task's last failure: a run that failed or timed out, or one stranded `running`, which never ended. */
function lastFailure(run: RunRecord, now: number): NonNullable<TaskHealth['lastFailure']> {
  if (isStranded(run, now)) return { slot: run.slot, at: iso(startOf(run)), error: strandedError(run), stranded: true };
  return { slot: run.slot, at: iso(run.finishedAt ?? run.claimedAt), ...(run.error === undefined ? {} : { error: run.error }) };
}
