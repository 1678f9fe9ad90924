// `tickwork monitor`: one line per task — last start, last finish, last failure, next due — and
// whether it is late or failing. Exit 1 when anything is: the command a cron monitor or a CI smoke
// check calls.
import Table from 'cli-table3';
import { TickworkError } from '../../errors.js';
import { duration } from '../../operate/format.js';
import type { MonitorReport, TaskHealth } from '../../operate/monitor.js';
import { NO_OUTCOME } from '../../operate/stranded.js';
import type { Project } from '../project.js';
import { paint, short, tableStyle, withReadModel, type ReadOptions } from './readModel.js';

export interface MonitorCommandOptions extends ReadOptions {
  /** Judge the schedule as of this instant. @default now */
  readonly at?: Date;
}

export async function monitor(project: Project, options: MonitorCommandOptions, colour: boolean): Promise<void> {
  const now = options.at?.getTime() ?? Date.now();
  const report = await withReadModel(project, options, undefined, (model) => model.monitor(now));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, colour));
  if (!report.ok) throw new TickworkError('TASK_RUN_FAILED', `monitor: ${problems(report).join('; ')}`);
}

function render(report: MonitorReport, colour: boolean): string {
  const tick = report.scheduler.lastTick === undefined ? 'no tick has run' : `last tick ${short(report.scheduler.lastTick)}`;
  const { paused } = report.scheduler;
  const pausedNote = paused === undefined ? '' : ` — ${paint(colour, 'yellow', `PAUSED since ${short(paused.pausedAt)}: ${paused.note}`)}`;
  const scheduler = `scheduler (${short(report.at)}): ${tick}${report.scheduler.late ? ` — ${paint(colour, 'red', 'LATE')}` : ''}${pausedNote}`;
  const table = new Table({ head: ['task', 'last start', 'last finish', 'last failure', 'next due', 'state'], ...tableStyle(colour) });
  for (const task of report.tasks) {
    table.push([
      task.task,
      short(task.lastStart?.at),
      task.lastFinish === undefined ? '—' : `${short(task.lastFinish.at)} ${task.lastFinish.status}`,
      task.lastFailure?.stranded === true ? `${short(task.lastFailure.at)} ${NO_OUTCOME}` : short(task.lastFailure?.at),
      short(task.nextDue),
      state(task, colour),
    ]);
  }
  return `${scheduler}\n${table.toString()}\n`;
}

function state(task: TaskHealth, colour: boolean): string {
  const states = [
    task.late === undefined ? undefined : paint(colour, 'red', `LATE: ${short(task.late.slot)} ${task.late.why} (grace ${duration(task.graceMs)})`),
    task.failing ? paint(colour, 'red', 'FAILING') : undefined,
    // The scheduler's pause is on the line above; a task's own is shown here.
    task.paused?.scope === 'task' ? paint(colour, 'yellow', `paused since ${short(task.paused.pausedAt)}: ${task.paused.note}`) : undefined,
  ].filter((s): s is string => s !== undefined);
  return states.length === 0 ? paint(colour, 'green', 'ok') : states.join('\n');
}

/** One line for stderr and the exit code: what is wrong. */
function problems(report: MonitorReport): string[] {
  return [
    ...(report.scheduler.late ? [`the tick has not run since ${report.scheduler.lastTick ?? 'ever'}`] : []),
    ...report.tasks.filter((t) => t.late !== undefined).map((t) => `${t.task} late (${short(t.late?.slot)})`),
    ...report.tasks.filter((t) => t.failing).map((t) => `${t.task} failing`),
  ];
}
