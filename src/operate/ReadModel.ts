import { InvalidTaskError } from '../errors.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';
import { readHistory, type HistoryEntry, type HistoryOptions } from './history.js';
import { readMonitor, type MonitorReport } from './monitor.js';
import { readOverview, type Overview } from './overview.js';
import { readTaskDetail, type TaskDetail, type TaskDetailOptions } from './taskDetail.js';
import { explainSlot, type Explanation } from './why.js';

export interface ReadModelOptions {
  /** The kernel's compiled tasks (`schedule.compiled()`). */
  readonly tasks: readonly CompiledTask[];
  /** The deployment's store: `onOneServer()` tasks are read from its shared view. */
  readonly store: Store;
  /** The stage, for `environments()` filters. */
  readonly stage: string;
}

/**
 * What operators ask of a schedule — what ran, is anything late or failing, why did this slot do
 * what it did — answered from the kernel and the table, for `tickwork history`, `monitor` and `why`
 * and the dashboard (`overview`, `taskDetail`). Reads only: it never claims, writes, or runs a condition. Time is an
 * argument, never read from the clock.
 *
 * @example
 * const model = new ReadModel({ tasks: schedule.compiled(), store, stage: 'prod' });
 * const report = await model.monitor(Date.now());
 * if (!report.ok) process.exitCode = 1;
 */
export class ReadModel {
  readonly #options: ReadModelOptions;

  constructor(options: ReadModelOptions) {
    this.#options = options;
  }

  /** The task named `name`; `InvalidTaskError` naming the kernel's tasks if there is none. */
  task(name: string): CompiledTask {
    const task = this.#options.tasks.find((t) => t.definition.name === name);
    if (task === undefined) throw new InvalidTaskError(name, `no task has this name; the kernel has ${this.#options.tasks.map((t) => t.definition.name).join(', ')}`);
    return task;
  }

  /**
   * Recent run records and missed slots, newest first: of one task, or of all (with the deployment's
   * `not-evaluated` gaps).
   */
  async history(task: string | undefined, options: HistoryOptions): Promise<HistoryEntry[]> {
    const tasks = task === undefined ? this.#options.tasks : [this.task(task)];
    // A range that ends before it begins holds nothing (DynamoDB refuses such a query).
    if (options.since.getTime() > options.until.getTime()) return [];
    return readHistory(this.#options.store, tasks.map((t) => t.definition), options, task === undefined);
  }

  /** Each task's last start, finish and failure, next slot, and whether it is late or failing at `now`. */
  async monitor(now: number): Promise<MonitorReport> {
    return readMonitor(this.#options.store, this.#options.tasks, now, this.#options.stage);
  }

  /** Every task's schedule, next run, last run, pause and the monitor's late/failing verdicts at `now`. */
  async overview(now: number): Promise<Overview> {
    return readOverview(this.#options.store, this.#options.tasks, now, this.#options.stage);
  }

  /** One task at `now`: its overview row, recent runs, failures, slots that did not run, next runs with DST notes. */
  async taskDetail(task: string, now: number, options: TaskDetailOptions): Promise<TaskDetail> {
    return readTaskDetail(this.#options.store, this.#options.tasks, this.task(task), now, this.#options.stage, options);
  }

  /** Why `task` did (or will do) what it did at `at`, judged at `now`. */
  async why(task: string, at: Date, now: number): Promise<Explanation> {
    return explainSlot(this.#options.store, this.#options.tasks, this.task(task), at, now, this.#options.stage);
  }
}
