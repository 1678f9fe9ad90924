// `tickwork list` (`schedule:list`): the kernel's tasks and when each runs next, on the engine the
// tick uses (time zones and DST included). Like Laravel's schedule:list.
import Table from 'cli-table3';
import type { TaskDefinition } from '../../kernel/types.js';
import { loadKernel } from '../../local/loadKernel.js';
import type { Project } from '../project.js';

export interface ListOptions {
  readonly from?: Date;
  readonly count: number;
  readonly json?: boolean;
  readonly kernel?: string;
}

/** One task in `--json`. */
export interface ListedTask {
  readonly name: string;
  readonly expression: string;
  readonly timezone: string;
  /** Its next runs from `--from`, ISO-8601 UTC. */
  readonly next: string[];
  /** Whether it runs in its own Lambda (`onLambda()`) rather than inline in the tick. */
  readonly lambda: boolean;
  readonly description: string | null;
}

export async function list(project: Project, options: ListOptions, colour: boolean): Promise<void> {
  const from = options.from ?? new Date();
  const schedule = await loadKernel(project.kernel(options.kernel));
  const tasks = schedule.tasks();
  if (options.json) {
    const listed: ListedTask[] = tasks.map((task) => ({
      name: task.name,
      expression: task.expression,
      timezone: task.timezone,
      next: schedule.nextRuns(task.name, from, options.count).map((d) => d.toISOString()),
      lambda: task.lambda !== false,
      description: task.description ?? null,
    }));
    process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
    return;
  }
  const table = new Table({
    head: ['task', 'expression', 'zone', `next run${options.count > 1 ? 's' : ''} (UTC)`, 'notes'],
    // Colour for people, plain text for pipes and logs.
    ...(colour ? {} : { style: { head: [], border: [] } }),
  });
  for (const task of tasks) {
    const next = schedule.nextRuns(task.name, from, options.count).map((d) => d.toISOString().replace('.000Z', 'Z'));
    table.push([task.name, task.expression, task.timezone, next.join('\n') || '—', describeTask(task)]);
  }
  process.stdout.write(`${table.toString()}\n`);
}

function describeTask(task: TaskDefinition): string {
  const notes = [
    task.repeatSeconds !== undefined && `every ${task.repeatSeconds}s`,
    task.intervalMinutes !== undefined && `every ${task.intervalMinutes} min`,
    task.withoutOverlapping !== false && 'without overlapping',
    task.onOneServer && 'one server',
    task.lambda !== false && 'own Lambda',
    task.filters.environments !== undefined && `only ${task.filters.environments.join(', ')}`,
    task.filters.between !== undefined && `between ${task.filters.between.start}–${task.filters.between.end}`,
    task.filters.unlessBetween !== undefined && `not ${task.filters.unlessBetween.start}–${task.filters.unlessBetween.end}`,
    (task.filters.when.length > 0 || task.filters.skip.length > 0) && 'conditional',
  ].filter(Boolean);
  return [task.description, notes.join(', ')].filter(Boolean).join('\n');
}
