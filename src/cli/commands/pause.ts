// `tickwork pause --note "…" [--task name]` and `tickwork resume [--task name]` (`schedule:pause`,
// `schedule:resume`): pause or resume the scheduler (or one task) of a deployment, in its table. Ticks
// skip paused tasks with reason `paused` — unless they say evenWhenPaused() — until resumed.
import { loadKernel } from '../../local/loadKernel.js';
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
  if (options.task !== undefined) {
    // A typo would pause nothing: the name must be one of the kernel's tasks.
    const names = (await loadKernel(project.kernel(options.kernel))).tasks().map((t) => t.name);
    if (!names.includes(options.task)) throw unknownTask(options.task, names);
  }
  await withStore(project, options, async (store) => {
    await store.pause({ ...(options.task === undefined ? {} : { task: options.task }), note, pausedAt: Date.now() });
  });
  process.stdout.write(`paused ${what(options.task)} (${options.stage}): ${note}\n`);
}

/** Resuming takes any name, so that a pause outliving its task can still be lifted. */
export async function resume(project: Project, options: PauseOptions): Promise<void> {
  const had = await withStore(project, options, (store) => store.resume(options.task));
  process.stdout.write(had ? `resumed ${what(options.task)} (${options.stage})\n` : `${what(options.task)} was not paused (${options.stage})\n`);
}

function what(task: string | undefined): string {
  return task === undefined ? 'the scheduler' : `task "${task}"`;
}
