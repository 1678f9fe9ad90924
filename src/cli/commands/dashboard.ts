// `tickwork dashboard`: the schedule in a browser — every task, its runs and errors, the "why"
// explainer, and pause/resume/run now — served on 127.0.0.1 from the same read model as `history`,
// `monitor` and `why`, and the same actions as `pause`, `resume` and `dispatch`. Runs until Ctrl-C.
import { startDashboard } from '../../dashboard/server.js';
import { createToken } from '../../dashboard/security.js';
import { loadKernel } from '../../local/loadKernel.js';
import { ScheduleActions } from '../../operate/actions.js';
import { ReadModel } from '../../operate/ReadModel.js';
import { TickworkError } from '../../errors.js';
import type { Project } from '../project.js';
import { UsageError } from '../usage.js';
import type { ReadOptions } from './readModel.js';
import { withStore } from './table.js';

export interface DashboardCommandOptions extends ReadOptions {
  /** @default a free port */
  readonly port?: number;
  /** Serve the pages without any action. */
  readonly readOnly?: boolean;
}

/** `--port`: 0 (a free one) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535) throw new UsageError(`--port expects a port number 0–65535 (0: a free one), got ${JSON.stringify(value)}`);
  return port;
}

export async function dashboard(project: Project, options: DashboardCommandOptions, signals: NodeJS.EventEmitter = process): Promise<void> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  await withStore(project, options, async (store, table) => {
    // As `run` does: a local table that does not exist yet is created; an AWS one never is.
    if (options.endpoint) await store.ensureTable();
    // One read before serving, so a missing table or no credentials fail here, in one line.
    await store.lastTick();
    const readOnly = options.readOnly === true;
    const server = await startDashboard({
      model: new ReadModel({ tasks: schedule.compiled(), store, stage: options.stage }),
      ...(readOnly ? {} : { actions: new ScheduleActions({ schedule, store, stage: options.stage }) }),
      token: createToken(),
      readOnly,
      stage: options.stage,
      table,
      ...(options.port === undefined ? {} : { port: options.port }),
      log: (line) => process.stdout.write(`${new Date().toISOString()}  ${line}\n`),
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') throw new TickworkError('INVALID_ARGUMENT', `port ${options.port} on 127.0.0.1 is in use: pick another with --port, or leave it out for a free one`, { cause: error });
      throw error;
    });
    process.stdout.write(
      `Tickwork dashboard for ${table} (${options.stage}) on ${server.url}\n` +
        (readOnly ? 'read-only: no actions\n' : 'open that link: its token enables pause, resume and run now (without it the pages are read-only)\n') +
        'Ctrl-C stops it\n',
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        signals.off('SIGINT', stop);
        signals.off('SIGTERM', stop);
        resolve();
      };
      signals.on('SIGINT', stop);
      signals.on('SIGTERM', stop);
    });
    await server.close();
    process.stdout.write('dashboard stopped\n');
  });
}
