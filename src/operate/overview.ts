import type { CompiledTask } from '../kernel/Schedule.js';
import type { Pauses, Store } from '../store/Store.js';
import { runEntry, type RunEntry } from './history.js';
import { readMonitor, type LateSlot, type TaskHealth } from './monitor.js';
import { effectivePause, pauseView, type PauseView } from './pauses.js';
import { scheduleInWords } from './scheduleText.js';
import { storeOf } from './sources.js';

export type { PauseView } from './pauses.js';

/** One task of the overview: what it is, when it runs, how its last run went, and whether to worry. */
export interface TaskOverview {
  readonly task: string;
  readonly description?: string;
  readonly expression: string;
  readonly timezone: string;
  /** The schedule in words, with its zone: "At 02:00, Europe/Paris". */
  readonly schedule: string;
  /** The next slot after the time judged (ISO); filters not applied. */
  readonly nextRun?: string;
  /** The record of the task's latest slot, whatever became of it (a skip says why). */
  readonly lastRun?: RunEntry;
  /** Late by the monitor's rule (see `readMonitor`). */
  readonly late?: LateSlot;
  /** Its latest finished run failed or timed out (the monitor's rule). */
  readonly failing: boolean;
  /** Runs in its own Lambda rather than inline in the tick. */
  readonly lambda: boolean;
  /** The pause a tick would apply now; absent when it is not paused. */
  readonly paused?: PauseView;
  readonly evenWhenPaused: boolean;
}

export interface Overview {
  /** The instant judged. */
  readonly at: string;
  readonly scheduler: { readonly lastTick?: string; readonly late: boolean; readonly paused?: PauseView };
  readonly tasks: readonly TaskOverview[];
  /** Nothing late, nothing failing, the tick alive (the monitor's verdict). */
  readonly ok: boolean;
}

/**
 * Every task of the kernel at `now`: the monitor's report (late and failing by its rules), the
 * deployment's pauses, and each task's latest record — one `lastRun` request per task beside what
 * the monitor reads.
 */
export async function readOverview(store: Store, tasks: readonly CompiledTask[], now: number, stage: string): Promise<Overview> {
  const [report, pauses, lastRuns] = await Promise.all([
    readMonitor(store, tasks, now, stage),
    store.pauses(),
    Promise.all(tasks.map((task) => storeOf(store, task.definition).lastRun(task.definition.name))),
  ]);
  return {
    at: report.at,
    scheduler: report.scheduler,
    tasks: tasks.map((task, i) => taskOverview(task, report.tasks[i]!, pauses, lastRuns[i], now)),
    ok: report.ok,
  };
}

/** One task's row at `now`, from its monitor line, the pauses and its latest record. */
export function taskOverview(task: CompiledTask, health: TaskHealth, pauses: Pauses, lastRun: Parameters<typeof runEntry>[0] | undefined, now: number): TaskOverview {
  const { definition } = task;
  const pause = effectivePause(pauses, definition.name);
  return {
    task: definition.name,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    expression: definition.expression,
    timezone: definition.timezone,
    schedule: scheduleInWords(definition),
    ...(health.nextDue === undefined ? {} : { nextRun: health.nextDue }),
    ...(lastRun === undefined ? {} : { lastRun: runEntry(lastRun, now) }),
    ...(health.late === undefined ? {} : { late: health.late }),
    failing: health.failing,
    lambda: definition.lambda !== false,
    ...(pause === undefined ? {} : { paused: pauseView(pause) }),
    evenWhenPaused: definition.evenWhenPaused,
  };
}
