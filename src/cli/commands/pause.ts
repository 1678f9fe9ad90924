// `tickwork pause --note "…" [--task name]` and `tickwork resume [--task name] [--note "…"]` (`schedule:pause`,
// `schedule:resume`): pause or resume the scheduler (or one task) of a deployment, in its table. Ticks
// skip paused tasks with reason `paused` — unless they say evenWhenPaused() — until resumed. The write
// is `ScheduleActions`', which the dashboard's buttons use too.
import { loadKernel } from '../../local/loadKernel.js';
import { ScheduleActions } from '../../operate/actions.js';
import type { Project, TableOptions } from '../project.js';
import { unknownTask, UsageError } from '../usage.js';
import { withStore } from './table.js';

export interface PauseOptions extends TableOptions {
  readonly task?: string;
  readonly note?: string;
  readonly kernel?: string;
}

export async function pause(project: Project, options: PauseOptions): Promise<void> {
  const note = options.note?.trim();
  if (note === undefined || note === '') throw new UsageError('pause needs --note "why" (shown in every skipped slot\'s log line)');
  // A typo would pause nothing: a task's name must be one of the kernel's. The whole scheduler needs no kernel.
  const schedule = options.task === undefined ? undefined : await loadKernel(project.kernel(options.kernel));
  if (schedule !== undefined && options.task !== undefined) {
    const names = schedule.tasks().map((t) => t.name);
    if (!names.includes(options.task)) throw unknownTask(options.task, names);
  }
  const { message } = await withStore(project, options, (store) => new ScheduleActions({ store, stage: options.stage, schedule }).pause({ task: options.task, note }));
  process.stdout.write(`${message}\n`);
}

/**
 * Resuming takes any name, so that a pause outliving its task can still be lifted. Its `--note` is
 * printed, not stored: the table keeps nothing of a lifted pause (see `ScheduleActions.resume`).
 */
export async function resume(project: Project, options: PauseOptions): Promise<void> {
  const { message } = await withStore(project, options, (store) => new ScheduleActions({ store, stage: options.stage }).resume(options.task, options.note));
  process.stdout.write(`${message}\n`);
}
