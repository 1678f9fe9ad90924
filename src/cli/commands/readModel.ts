// What `history`, `monitor` and `why` share: the kernel and the stage's table behind one ReadModel,
// and the few renderings their tables have in common.
import { styleText } from 'node:util';
import { loadKernel } from '../../local/loadKernel.js';
import { ReadModel } from '../../operate/ReadModel.js';
import type { Project, TableOptions } from '../project.js';
import { parseDuration, parseIsoTime, unknownTask, UsageError } from '../usage.js';
import { withStore } from './table.js';

/** The options every read command takes. */
export interface ReadOptions extends TableOptions {
  readonly kernel?: string;
  readonly json?: boolean;
}

/**
 * Loads the kernel, checks `task` is one of its tasks (a typo is a usage error, exit 2, before any
 * request), and runs `read` on a ReadModel over the stage's table.
 */
export async function withReadModel<T>(project: Project, options: ReadOptions, task: string | undefined, read: (model: ReadModel) => Promise<T>): Promise<T> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  const tasks = schedule.compiled();
  if (task !== undefined && !tasks.some((t) => t.definition.name === task)) throw unknownTask(task, tasks.map((t) => t.definition.name));
  return withStore(project, options, (store) => read(new ReadModel({ tasks, store, stage: options.stage })));
}

/** `--since`: an ISO-8601 time, or a duration back from now (`90m`, `2h`, `7d`). */
export function parseSince(value: string): Date {
  if (/^\d+(?:\.\d+)?\s*[a-z]*$/i.test(value.trim())) {
    try {
      return new Date(Date.now() - parseDuration(value));
    } catch {
      // Fall through to the one message that names both forms.
    }
  }
  try {
    return parseIsoTime('--since')(value);
  } catch {
    throw new UsageError(`--since expects an ISO-8601 time such as 2026-11-23T10:00:00Z or a duration such as 2h or 7d, got ${JSON.stringify(value)}`);
  }
}

/** `--limit`: a whole number from 1 to 1000 (one DynamoDB page per task stays small). */
export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || limit < 1 || limit > 1000) throw new UsageError(`--limit expects a whole number from 1 to 1000, got ${JSON.stringify(value)}`);
  return limit;
}

/** Table options for cli-table3: plain borders and heads when the output is not a terminal. */
export function tableStyle(colour: boolean): { style?: { head: string[]; border: string[] } } {
  return colour ? {} : { style: { head: [], border: [] } };
}

type Style = Parameters<typeof styleText>[0];

/** `text` in `style` for a terminal; unchanged for pipes, files and NO_COLOR. */
export function paint(colour: boolean, style: Style, text: string): string {
  return colour ? styleText(style, text) : text;
}

/** `2026-11-23T10:05:00Z`: an ISO instant without its zero milliseconds, for tables. */
export function short(isoTime: string | undefined): string {
  return isoTime === undefined ? '—' : isoTime.replace('.000Z', 'Z');
}
