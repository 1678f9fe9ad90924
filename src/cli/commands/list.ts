// `tickwork list` (`schedule:list`): the kernel's tasks and when each runs next, on the engine the
// tick uses (time zones and DST included), each run in UTC and on the task's own clock. Like Laravel's
// schedule:list.
import Table from 'cli-table3';
import { wallClock, type WallClock } from '../../evaluation/wallClock.js';
import type { OverlapPolicy, TaskDefinition } from '../../kernel/types.js';
import { loadKernel } from '../../local/loadKernel.js';
import { clockTime } from '../../operate/format.js';
import type { Project } from '../project.js';

export interface ListOptions {
  readonly from?: Date;
  /** `--next`. @default 1 */
  readonly next?: number;
  /** `--count`: the former name of `--next`, kept for scripts that use it. */
  readonly count?: number;
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
  /** The same runs on the task's clock: ISO-8601 with the zone's offset then, e.g. `2026-11-24T02:00:00+01:00`. */
  readonly nextInZone: string[];
  /** Whether it runs in its own Lambda (`onLambda()`) rather than inline in the tick. */
  readonly lambda: boolean;
  /** `withoutOverlapping()`: what a slot does while a run holds the lease, and the lease's bound; else null. */
  readonly overlap: { readonly policy: OverlapPolicy; readonly expiresMinutes: number } | null;
  /** `onOneServer()`: its slots are claimed once across every deployment sharing the table. */
  readonly onOneServer: boolean;
  readonly description: string | null;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export async function list(project: Project, options: ListOptions, colour: boolean): Promise<void> {
  const from = options.from ?? new Date();
  const count = options.next ?? options.count ?? 1;
  const schedule = await loadKernel(project.kernel(options.kernel));
  const tasks = schedule.tasks();
  if (options.json) {
    const listed: ListedTask[] = tasks.map((task) => {
      const next = schedule.nextRuns(task.name, from, count);
      return {
        name: task.name,
        expression: task.expression,
        timezone: task.timezone,
        next: next.map((d) => d.toISOString()),
        nextInZone: next.map((d) => zonedIso(d, task.timezone)),
        lambda: task.lambda !== false,
        overlap: task.withoutOverlapping === false ? null : { policy: task.withoutOverlapping.policy, expiresMinutes: task.withoutOverlapping.expiresMinutes },
        onOneServer: task.onOneServer,
        description: task.description ?? null,
      };
    });
    process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
    return;
  }
  const table = new Table({
    head: ['task', 'expression', 'zone', `next run${count > 1 ? 's' : ''} (UTC, and in the zone)`, 'overlap', 'notes'],
    // Colour for people, plain text for pipes and logs.
    ...(colour ? {} : { style: { head: [], border: [] } }),
  });
  for (const task of tasks) {
    const next = schedule.nextRuns(task.name, from, count).map((d) => nextRun(d, task.timezone));
    table.push([task.name, task.expression, task.timezone, next.join('\n') || '—', describeOverlap(task), describeTask(task)]);
  }
  process.stdout.write(`${table.toString()}\n`);
}

/**
 * `2026-11-24T01:00:00Z (Tue 02:00 Europe/Paris)`: the instant, and the clock the task's expression is
 * read on. A UTC task's two are the same, so it shows one.
 */
function nextRun(at: Date, zone: string): string {
  const utc = at.toISOString().replace('.000Z', 'Z');
  if (zone === 'UTC') return utc;
  const clock = wallClock(at, zone);
  return `${utc} (${WEEKDAYS[clock.weekday]} ${clockTime(clock)} ${zone})`;
}

/** `2026-11-24T02:00:00+01:00`: the wall clock of `at` in `zone`, with the offset that applied. */
function zonedIso(at: Date, zone: string): string {
  const clock: WallClock = wallClock(at, zone);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const offsetMinutes = Math.round((Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute) - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${pad(clock.year, 4)}-${pad(clock.month)}-${pad(clock.day)}T${clockTime(clock)}:${pad(at.getUTCSeconds())}${offset}`;
}

/** The overlap column: `skip`, `buffer one`, `replace` (withoutOverlapping), `1 server` (onOneServer), or `—`. */
function describeOverlap(task: TaskDefinition): string {
  const overlap = task.withoutOverlapping === false ? undefined : { skip: 'skip', bufferOne: 'buffer one', replace: 'replace' }[task.withoutOverlapping.policy];
  return [overlap, task.onOneServer && '1 server'].filter(Boolean).join(', ') || '—';
}

function describeTask(task: TaskDefinition): string {
  const notes = [
    task.repeatSeconds !== undefined && `every ${task.repeatSeconds}s`,
    task.intervalMinutes !== undefined && `every ${task.intervalMinutes} min`,
    task.lambda !== false && 'own Lambda',
    task.filters.environments !== undefined && `only ${task.filters.environments.join(', ')}`,
    task.filters.between !== undefined && `between ${task.filters.between.start}–${task.filters.between.end}`,
    task.filters.unlessBetween !== undefined && `not ${task.filters.unlessBetween.start}–${task.filters.unlessBetween.end}`,
    (task.filters.when.length > 0 || task.filters.skip.length > 0) && 'conditional',
  ].filter(Boolean);
  return [task.description, notes.join(', ')].filter(Boolean).join('\n');
}
