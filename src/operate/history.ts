import type { TaskDefinition } from '../kernel/types.js';
import type { MissedRecord, RunRecord, Store } from '../store/Store.js';
import type { MissReason, RunReason, RunStatus } from '../vocabulary.js';
import { iso } from './format.js';
import { runSource, storeOf, type RunSource } from './sources.js';
import { isStranded, outcomeOf, strandedError } from './stranded.js';

/** What `history` reads: the newest `limit` entries with slots in `[since, until]`. */
export interface HistoryOptions {
  readonly since: Date;
  /** Also the instant the entries are judged at: a run still `running` then may be `stranded`. */
  readonly until: Date;
  /** At most this many entries in all (and so at most this many read per task). */
  readonly limit: number;
}

/** One run record: a slot that was claimed, with what became of it. */
export interface RunEntry {
  readonly kind: 'run';
  readonly task: string;
  readonly slot: string;
  readonly status: RunStatus;
  /** Who claimed it: the tick's (or, for a one-off, the dispatching tick's) request id, or a backfill's owner. */
  readonly owner: string;
  /** Where the run came from (see `runSource`). */
  readonly source: RunSource;
  readonly claimedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly latenessMs?: number;
  /** Starts by a worker (fan-out runs). */
  readonly attempt?: number;
  readonly error?: string;
  readonly reason?: RunReason;
  /** The tail of the run's output, as kept on its record (see `OUTPUT_EXCERPT_BYTES`). */
  readonly output?: string;
  /**
   * The record says `running`, but the run started longer ago than any Lambda invocation lasts: the
   * invocation that ran it ended without recording an outcome, and no Lambda retry has settled it
   * (`isStranded`); `error` says so.
   */
  readonly stranded?: true;
}

/** Slots that never started, summarised per task and reason (see `MISS_REASON`). */
export interface MissedEntry {
  readonly kind: 'missed';
  readonly task: string;
  /** The last missed slot: where the summary sorts among runs. */
  readonly slot: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly reason: MissReason;
  /** The tick that found them. */
  readonly tick: string;
}

export type HistoryEntry = RunEntry | MissedEntry;

const HOUR_MS = 3_600_000;
/**
 * A missed summary is keyed by its first slot, and one tick catches up at most 24 hours
 * (`MAX_LOOK_BACK_MINUTES`): reading from this far before `since` finds every summary reaching into it.
 */
const MISSED_LOOK_BEFORE_MS = 24 * HOUR_MS;
/** Minutes no tick evaluated are recorded once for the whole deployment, under this name. */
const WHOLE_SCHEDULER = '*';

/**
 * The newest entries of `tasks` (and the deployment's `not-evaluated` gaps) in the range, newest first:
 * two Queries per task, run side by side.
 */
export async function readHistory(store: Store, tasks: readonly TaskDefinition[], options: HistoryOptions, withGaps: boolean): Promise<HistoryEntry[]> {
  const sources: [string, Store][] = tasks.map((task) => [task.name, storeOf(store, task)]);
  if (withGaps) sources.push([WHOLE_SCHEDULER, store]);
  const perTask = await Promise.all(sources.map(([name, source]) => taskHistory(source, name, options)));
  return perTask
    .flat()
    .sort((a, b) => (a.slot < b.slot ? 1 : a.slot > b.slot ? -1 : a.task.localeCompare(b.task)))
    .slice(0, options.limit);
}

async function taskHistory(store: Store, task: string, options: HistoryOptions): Promise<HistoryEntry[]> {
  const from = options.since.toISOString();
  const to = options.until.toISOString();
  const [runs, missed] = await Promise.all([
    store.runsBetween(task, { from, to, limit: options.limit }),
    store.missedBetween(task, { from: iso(options.since.getTime() - MISSED_LOOK_BEFORE_MS), to, limit: options.limit }),
  ]);
  return [...runs.map((run) => runEntry(run, options.until.getTime())), ...missed.filter((m) => m.to >= from).map(missedEntry)];
}

/** A run record as history shows it at `now`: times as ISO, attempts as the attempt number, its outcome (`outcomeOf`), a stranded run marked. */
export function runEntry(run: RunRecord, now: number): RunEntry {
  const stranded = isStranded(run, now);
  const outcome = outcomeOf(run);
  const error = stranded ? strandedError(run) : outcome.error;
  return {
    kind: 'run',
    task: run.task,
    slot: run.slot,
    status: run.status,
    owner: run.owner,
    source: runSource(run),
    claimedAt: iso(run.claimedAt),
    ...(run.startedAt === undefined ? {} : { startedAt: iso(run.startedAt) }),
    ...(outcome.finishedAt === undefined ? {} : { finishedAt: iso(outcome.finishedAt) }),
    ...(outcome.durationMs === undefined ? {} : { durationMs: outcome.durationMs }),
    ...(outcome.latenessMs === undefined ? {} : { latenessMs: outcome.latenessMs }),
    ...(run.attempts === undefined ? {} : { attempt: run.attempts }),
    ...(error === undefined ? {} : { error }),
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    ...(outcome.output === undefined || outcome.output === '' ? {} : { output: outcome.output }),
    ...(stranded ? { stranded } : {}),
  };
}

function missedEntry(missed: MissedRecord): MissedEntry {
  return { kind: 'missed', task: missed.task, slot: missed.to, from: missed.from, to: missed.to, count: missed.count, reason: missed.reason, tick: missed.tick };
}
