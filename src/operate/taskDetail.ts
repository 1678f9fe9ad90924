import { nextRuns } from '../evaluation/occurrences.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';
import { RUN_STATUS } from '../vocabulary.js';
import { dstChangeOnDay } from './dstDays.js';
import { readHistory, type HistoryEntry, type MissedEntry, type RunEntry } from './history.js';
import { taskHealth } from './monitor.js';
import { taskOverview, type TaskOverview } from './overview.js';
import { matchSlot } from './slotMatch.js';
import { storeOf } from './sources.js';

/** What the task page reads: how far back, how many entries, how many next runs. */
export interface TaskDetailOptions {
  readonly since: Date;
  /** At most this many history entries. */
  readonly limit: number;
  /** How many next runs to list. */
  readonly next: number;
}

/** One upcoming slot, with what DST does that day. */
export interface NextRun {
  readonly at: string;
  /** The slot on the task's wall clock: `Sun 2026-03-08 03:00`. */
  readonly wallTime: string;
  /** The day has a DST change in the task's zone: what the clocks do. */
  readonly dstDay?: string;
  /** The slot itself is where it is because of DST (a fixed time in the gap): why. */
  readonly dstRule?: string;
}

/** Everything the task page shows, besides the "why" explainer (`ReadModel.why`). */
export interface TaskDetail {
  readonly overview: TaskOverview;
  /** Runs and missed slots, newest first. */
  readonly entries: readonly HistoryEntry[];
  /** Runs that failed or timed out, or that were left `running` with no outcome, with their errors and output. */
  readonly failures: readonly RunEntry[];
  /** Slots that did not run: skipped runs and missed summaries, with their reasons. */
  readonly notRun: readonly (RunEntry | MissedEntry)[];
  readonly nextRuns: readonly NextRun[];
}

const NOT_RUN: readonly string[] = [RUN_STATUS.skipped];
const FAILED: readonly string[] = [RUN_STATUS.failed, RUN_STATUS.timedOut];

/**
 * One task at `now`: its overview row (the monitor's rules), its history since `options.since`
 * split into failures and slots that did not run, and its next runs with their DST notes.
 */
export async function readTaskDetail(store: Store, tasks: readonly CompiledTask[], task: CompiledTask, now: number, stage: string, options: TaskDetailOptions): Promise<TaskDetail> {
  const { name, timezone } = task.definition;
  const [health, pauses, lastRun, entries] = await Promise.all([
    taskHealth(store, tasks, task, now, stage),
    store.pauses(),
    storeOf(store, task.definition).lastRun(name),
    readHistory(store, [task.definition], { since: options.since, until: new Date(now), limit: options.limit }, false),
  ]);
  const upcoming = nextRuns(tasks, name, new Date(now + 1), options.next).map((at): NextRun => {
    const match = matchSlot(tasks, task, at, stage);
    const day = dstChangeOnDay(at, timezone);
    return {
      at: at.toISOString(),
      wallTime: match.wallTime,
      ...(day === undefined ? {} : { dstDay: day.note }),
      ...(match.dst === undefined ? {} : { dstRule: match.dst.note }),
    };
  });
  return {
    overview: taskOverview(task, health, pauses, lastRun, now),
    entries,
    failures: entries.filter((e): e is RunEntry => e.kind === 'run' && (FAILED.includes(e.status) || e.stranded === true)),
    notRun: entries.filter((e) => e.kind === 'missed' || NOT_RUN.includes(e.status)),
    nextRuns: upcoming,
  };
}
