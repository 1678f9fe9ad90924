// `npm run schedule:list`: the kernel's tasks and when each runs next, on the engine the tick uses
// (time zones and DST included). Like Laravel's schedule:list.
import Table from 'cli-table3';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TickworkError } from '../src/errors.js';
import { kernelPath, loadKernel } from '../src/local/loadKernel.js';
import type { TaskDefinition } from '../src/kernel/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: new Date().toISOString() },
      count: { type: 'string', default: '1' },
    },
  });
  const from = new Date(values.from);
  const count = Number(values.count);
  if (Number.isNaN(from.getTime())) throw new TickworkError('INVALID_ARGUMENT', `--from expects an ISO-8601 time, got ${JSON.stringify(values.from)}`);
  if (!Number.isInteger(count) || count < 1) throw new TickworkError('INVALID_ARGUMENT', `--count expects a whole number ≥ 1, got ${JSON.stringify(values.count)}`);

  const schedule = await loadKernel(kernelPath(root));
  const table = new Table({
    head: ['task', 'expression', 'zone', `next run${count > 1 ? 's' : ''} (UTC)`, 'notes'],
    // Colour for people, plain text for pipes and logs.
    ...(process.stdout.isTTY ? {} : { style: { head: [], border: [] } }),
  });
  for (const task of schedule.tasks()) {
    const next = schedule.nextRuns(task.name, from, count).map((d) => d.toISOString().replace('.000Z', 'Z'));
    table.push([task.name, task.expression, task.timezone, next.join('\n') || '—', describeTask(task)]);
  }
  process.stdout.write(`${table.toString()}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof TickworkError ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
