// `tickwork backfill <task> --from A --to B [--dry-run] [--limit N]`: runs a task's real slots in a past
// range through the tick's own path (src/operate/backfill.ts) — inline tasks in this process, fan-out
// ones sent to their Lambdas — and prints what became of each.
import { Logger } from '@aws-lambda-powertools/logger';
import { SingleBar } from 'cli-progress';
import { InvalidBackfillError, TickworkError } from '../../errors.js';
import { loadKernel } from '../../local/loadKernel.js';
import { backfill as runBackfill, MAX_BACKFILL_LIMIT, outcomeCounts, type BackfillContext, type BackfillReport, type BackfillSlot } from '../../operate/backfill.js';
import { duration } from '../../operate/format.js';
import { NO_OUTCOME } from '../../operate/stranded.js';
import { localSinks } from '../../runner/sinks.js';
import { MemoryStore } from '../../store/MemoryStore.js';
import type { Project, TableOptions } from '../project.js';
import { unknownTask, UsageError } from '../usage.js';
import { NOT_DISPATCHED, withTickSetup, type TickSetup } from './run.js';
import { paint, short } from './readModel.js';

export interface BackfillOptions extends TableOptions {
  readonly from: Date;
  readonly to: Date;
  readonly dryRun?: boolean;
  readonly limit: number;
  readonly json?: boolean;
  readonly kernel?: string;
}

export { MAX_BACKFILL_LIMIT } from '../../operate/backfill.js';

/** `--limit`: a whole number from 1 to `MAX_BACKFILL_LIMIT`. */
export function parseBackfillLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || limit < 1 || limit > MAX_BACKFILL_LIMIT) throw new UsageError(`--limit expects a whole number from 1 to ${MAX_BACKFILL_LIMIT}, got ${JSON.stringify(value)}`);
  return limit;
}

export async function backfill(project: Project, task: string, options: BackfillOptions, colour: boolean): Promise<void> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  const names = schedule.tasks().map((t) => t.name);
  if (!names.includes(task)) throw unknownTask(task, names);
  const request = { task, from: options.from, to: options.to, limit: options.limit };
  // The request's bounds checked on a store in memory first: a range that cannot be backfilled is a
  // usage error, found before anything connects to the table.
  await usageChecked(() =>
    runBackfill({ tasks: schedule.compiled(), commands: schedule.commands, store: new MemoryStore(), deployment: 'check', stage: options.stage, sinks: localSinks(project.root), logger: new Logger({ serviceName: 'tickwork', logLevel: 'SILENT' }), now: Date.now }, { ...request, dryRun: true }),
  );
  const report = await withTickSetup(
    project,
    options,
    async (setup) => {
      const bar = progressBar(options.json !== true);
      try {
        return await usageChecked(() =>
          runBackfill(
            backfillContext(setup),
            { ...request, dryRun: options.dryRun === true, onProgress: ({ done, total }) => {
              bar?.setTotal(total);
              bar?.update(done);
            } },
          ),
        );
      } finally {
        bar?.stop();
      }
    },
    schedule,
  );
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBackfill(report, colour).join('\n')}\n`);
  const failed = report.slots.filter((s) => s.outcome === 'ran' && s.status !== 'succeeded');
  if (failed.length > 0) throw new TickworkError('TASK_RUN_FAILED', `backfill of "${task}": ${failed.length} slot(s) failed`);
}

/**
 * What a backfill works with, from a tick's set-up: the kernel, the table, the dispatcher the tick
 * Lambda would build (`TICKWORK_DISPATCHER`), the project's local output sinks, the wall clock. The one
 * way `tickwork backfill` and the dashboard's backfill build it, so both claim, run and record alike.
 */
export function backfillContext(setup: TickSetup): BackfillContext {
  const { schedule, store, dispatcher, deployment, stage, project, logger } = setup;
  return { tasks: schedule.compiled(), commands: schedule.commands, store, dispatcher, deployment, stage, sinks: localSinks(project.root), logger, now: Date.now };
}

/** `InvalidBackfillError` as the one-line usage error it is on the command line. */
async function usageChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof InvalidBackfillError)) throw error;
    if (error.field === 'limit') throw new UsageError(`${error.message}: narrow --from/--to, or raise --limit`);
    throw new UsageError(error.message);
  }
}

/** A bar on stderr for a terminal; nothing for pipes and files (the report says it all). */
function progressBar(wanted: boolean): SingleBar | undefined {
  if (!wanted || process.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar({ format: 'backfill [{bar}] {value}/{total} slots', stream: process.stderr, hideCursor: true, clearOnComplete: true });
  bar.start(0, 0);
  return bar;
}

/** The report for people: a heading, one line per slot, the totals. */
export function formatBackfill(report: BackfillReport, colour: boolean): string[] {
  const where = report.runsIn === 'inline' ? 'inline, in this process' : 'in its own Lambda';
  const lines = [`${report.dryRun ? 'dry run: ' : ''}backfill ${report.task} from ${short(report.from)} to ${short(report.to)} (${where}${report.dryRun ? '' : `, claims owned by ${report.owner}`})`];
  for (const slot of report.slots) lines.push(`  ${slotLine(slot, colour)}`);
  if (report.slots.length === 0) lines.push('  no slot of the task in this range');
  lines.push(`${report.slots.length} slot(s): ${[...outcomeCounts(report.slots)].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'none'}`);
  return lines;
}

function slotLine(slot: BackfillSlot, colour: boolean): string {
  const at = short(slot.slot);
  switch (slot.outcome) {
    case 'would-run':
      return `${paint(colour, 'cyan', '○')} ${at}  would run`;
    case 'filtered':
      return `${paint(colour, 'dim', '·')} ${at}  not due: ${slot.reason}`;
    case 'already-claimed':
      return `${paint(colour, 'dim', '·')} ${at}  already claimed by ${slot.holder.owner} (${slot.holder.stranded === true ? `running, ${NO_OUTCOME}` : slot.holder.status}): left alone`;
    case 'ran':
      return slot.status === 'succeeded'
        ? `${paint(colour, 'green', '✔')} ${at}  ran: succeeded${slot.durationMs === undefined ? '' : ` in ${duration(slot.durationMs)}`}`
        : `${paint(colour, 'red', '✖')} ${at}  ran: ${slot.status}${slot.error === undefined ? '' : `: ${slot.error}`}`;
    case 'skipped':
      return `${paint(colour, 'yellow', '↷')} ${at}  skipped (${slot.reason})`;
    case 'dispatched':
      return `${paint(colour, 'green', '→')} ${at}  dispatched to its Lambda`;
    case 'not-dispatched':
      return `${paint(colour, 'yellow', '⚠')} ${at}  ${slot.error === NOT_DISPATCHED ? 'not dispatched: no dispatcher configured' : `not dispatched: ${slot.error}`}${slot.requeued ? ' (queued for the deployed tick to send)' : ''}`;
    case 'deferred':
      return `${paint(colour, 'yellow', '…')} ${at}  not claimed: the lease is held by ${slot.holder.owner} for ${short(slot.holder.slot)} until ${short(new Date(slot.holder.expiresAt).toISOString())}; backfill again later`;
  }
}
