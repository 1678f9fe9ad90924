// `tickwork dashboard`: the schedule in a browser — every task, its runs and errors, the "why"
// explainer, and pause/resume/run now/backfill — served on 127.0.0.1 from the same read model as
// `history`, `monitor` and `why`, and the same actions as `pause`, `resume`, `dispatch` and `backfill`.
// Runs until Ctrl-C.
import { startDashboard } from '../../dashboard/server.js';
import { createToken } from '../../dashboard/security.js';
import { loadKernel } from '../../local/loadKernel.js';
import { ScheduleActions } from '../../operate/actions.js';
import { backfill as runBackfill } from '../../operate/backfill.js';
import { ReadModel } from '../../operate/ReadModel.js';
import { TickworkError } from '../../errors.js';
import type { Project } from '../project.js';
import { UsageError } from '../usage.js';
import type { ReadOptions } from './readModel.js';
import { backfillContext, formatBackfill } from './backfill.js';
import { tickParts } from './run.js';
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
  // A backfill from the page is built as `tickwork backfill` builds it: the same dispatcher, sinks and deployment.
  const parts = await tickParts(project, options, schedule);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()}  ${line}\n`);
  await withStore(project, options, async (store, table) => {
    // As `run` does: a local table that does not exist yet is created; an AWS one never is.
    if (options.endpoint) await store.ensureTable();
    // One read before serving, so a missing table or no credentials fail here, in one line.
    await store.lastTick();
    const readOnly = options.readOnly === true;
    const context = backfillContext({ ...parts, store });
    const server = await startDashboard({
      model: new ReadModel({ tasks: schedule.compiled(), store, stage: options.stage }),
      ...(readOnly ? {} : { actions: new ScheduleActions({ schedule, store, stage: options.stage }) }),
      backfill: async (request) => {
        // Read-only: the server refuses every real run before this; a preview is all it may ever be.
        const report = await runBackfill(context, readOnly ? { ...request, dryRun: true } : request);
        // A real backfill is printed as `tickwork backfill` prints it; a preview is a read, like a page view.
        if (!report.dryRun) for (const line of formatBackfill(report, false)) log(line);
        return report;
      },
      token: createToken(),
      readOnly,
      stage: options.stage,
      table,
      ...(options.port === undefined ? {} : { port: options.port }),
      log,
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') throw new TickworkError('INVALID_ARGUMENT', `port ${options.port} on 127.0.0.1 is in use: pick another with --port, or leave it out for a free one`, { cause: error });
      throw error;
    });
    process.stdout.write(
      `Tickwork dashboard for ${table} (${options.stage}) on ${server.url}\n` +
        (readOnly ? 'read-only: no actions\n' : 'open that link: its token enables pause, resume, run now and backfill (without it the pages are read-only)\n') +
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
