// `tickwork dispatch <task> [--after 90s | --at 2026-11-23T10:00:00Z] [--payload '{"customer":42}']`
// (`schedule:dispatch`): queues a one-off run of a kernel task in a deployment's table, as
// `dispatchAt`/`dispatchAfter` do from code — through `ScheduleActions`, as the dashboard's "run now".
// The first tick from its time on runs it, once.
import { InvalidDispatchError } from '../../errors.js';
import { loadKernel } from '../../local/loadKernel.js';
import { ScheduleActions } from '../../operate/actions.js';
import { duration } from '../../operate/format.js';
import { MemoryStore } from '../../store/MemoryStore.js';
import type { Project, TableOptions } from '../project.js';
import { unknownTask, UsageError } from '../usage.js';
import { withStore } from './table.js';

/**
 * How far in the past `--at` may be: a time typed as "now" is a few seconds old by the time it is
 * queued, and the next tick runs it all the same; anything older is a slip (a wrong date or zone),
 * since `dispatchAt` would queue it for the next tick as if it were now.
 */
const PAST_AT_TOLERANCE_MS = 60_000;

export interface DispatchOptions extends TableOptions {
  readonly after?: number;
  readonly at?: Date;
  readonly payload?: unknown;
  readonly kernel?: string;
}

export async function dispatch(project: Project, task: string, options: DispatchOptions): Promise<void> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  const names = schedule.tasks().map((t) => t.name);
  if (!names.includes(task)) throw unknownTask(task, names);
  const now = Date.now();
  if (options.at !== undefined && options.at.getTime() < now - PAST_AT_TOLERANCE_MS) {
    throw new UsageError(`--at expects a time from a minute ago on (the first tick from it runs the task), got ${options.at.toISOString()}, ${duration(now - options.at.getTime())} ago: to run past slots use tickwork backfill`);
  }
  const at = options.at ?? new Date(now + (options.after ?? 0));
  const request = { at, payload: options.payload };
  try {
    // A dry run on a store in memory: what the arguments ask for that cannot be queued (a date past
    // 9999, a payload too large) is a usage error, found before anything connects to DynamoDB.
    await new ScheduleActions({ store: new MemoryStore(), schedule, stage: options.stage }).dispatch(task, request);
  } catch (error) {
    if (error instanceof InvalidDispatchError) throw new UsageError(error.message);
    throw error;
  }
  const { message } = await withStore(project, options, (store) => new ScheduleActions({ store, schedule, stage: options.stage }).dispatch(task, request));
  process.stdout.write(`${message}\n`);
}
