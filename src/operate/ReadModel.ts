import { InvalidTaskError } from '../errors.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';
import { readHistory, type HistoryEntry, type HistoryOptions } from './history.js';
import { readMonitor, type MonitorReport } from './monitor.js';
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
 * (and later the dashboard). Reads only: it never claims, writes, or runs a condition. Time is an
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
    return readHistory(this.#options.store, tasks.map((t) => t.definition), options, task === undefined);
  }

  /** Each task's last start, finish and failure, next slot, and whether it is late or failing at `now`. */
  async monitor(now: number): Promise<MonitorReport> {
    return readMonitor(this.#options.store, this.#options.tasks, now, this.#options.stage);
  }

  /** Why `task` did (or will do) what it did at `at`, judged at `now`. */
  async why(task: string, at: Date, now: number): Promise<Explanation> {
    return explainSlot(this.#options.store, this.#options.tasks, this.task(task), at, now, this.#options.stage);
  }
}
