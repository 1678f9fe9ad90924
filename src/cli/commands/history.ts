// `tickwork history [task]`: recent runs of one task or all — slot, status, duration, lateness,
// attempt, error — and the slots that were skipped or missed, with their reasons. Newest first.
import Table from 'cli-table3';
import { duration } from '../../operate/format.js';
import type { HistoryEntry } from '../../operate/history.js';
import { NO_OUTCOME } from '../../operate/stranded.js';
import { RUN_STATUS, type RunStatus } from '../../vocabulary.js';
import type { Project } from '../project.js';
import { UsageError } from '../usage.js';
import { paint, short, tableStyle, withReadModel, type ReadOptions } from './readModel.js';

export interface HistoryCommandOptions extends ReadOptions {
  /** @default 24 hours ago */
  readonly since?: Date;
  readonly limit: number;
}

/** How far back `history` reads without `--since`. */
export const DEFAULT_HISTORY_SINCE_MS = 24 * 3_600_000;

export async function history(project: Project, task: string | undefined, options: HistoryCommandOptions, colour: boolean): Promise<void> {
  const now = Date.now();
  const since = options.since ?? new Date(now - DEFAULT_HISTORY_SINCE_MS);
  if (since.getTime() > now) throw new UsageError(`--since ${since.toISOString()} is later than now (${new Date(now).toISOString()}): nothing has run since then`);
  // One-offs are queued ahead, but their slots are never later than the tick that ran them: now is the end.
  const entries = await withReadModel(project, options, task, (model) => model.history(task, { since, until: new Date(now), limit: options.limit }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    process.stdout.write(`no runs ${task === undefined ? '' : `of ${task} `}since ${since.toISOString()} (${options.stage})\n`);
    return;
  }
  const table = new Table({ head: ['slot (UTC)', 'task', 'status', 'duration', 'late by', 'attempt', 'reason / error'], ...tableStyle(colour) });
  for (const entry of entries) table.push(row(entry, colour));
  process.stdout.write(`${table.toString()}\n`);
}

function row(entry: HistoryEntry, colour: boolean): string[] {
  if (entry.kind === 'missed') {
    const slots = entry.count === 1 ? short(entry.from) : `${short(entry.from)} … ${short(entry.to)}`;
    return [slots, entry.task, paint(colour, 'yellow', 'missed'), '', '', '', `${entry.reason} (${entry.count} slot${entry.count === 1 ? '' : 's'})`];
  }
  return [
    short(entry.slot),
    entry.task,
    entry.stranded === true ? paint(colour, 'red', NO_OUTCOME) : paint(colour, STATUS_STYLE[entry.status], entry.status),
    entry.durationMs === undefined ? '' : duration(entry.durationMs),
    entry.latenessMs === undefined ? '' : duration(entry.latenessMs),
    entry.attempt === undefined ? '' : String(entry.attempt),
    [entry.reason, entry.error].filter(Boolean).join(': '),
  ];
}

const STATUS_STYLE: Record<RunStatus, 'green' | 'red' | 'yellow' | 'cyan' | 'gray'> = {
  [RUN_STATUS.succeeded]: 'green',
  [RUN_STATUS.failed]: 'red',
  [RUN_STATUS.timedOut]: 'red',
  [RUN_STATUS.skipped]: 'yellow',
  [RUN_STATUS.replaced]: 'yellow',
  [RUN_STATUS.running]: 'cyan',
  [RUN_STATUS.dispatched]: 'cyan',
};
