// `tickwork run [--time T]` (`schedule:run`): one tick, now or for minute T, in this process, against
// the stage's table — the tick Lambda's work without Lambda or serverless-offline. `work.ts` repeats it
// at every minute boundary.
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import type { Dispatcher, DispatchOutcome, TaskEventDetail } from '../../dispatch/Dispatcher.js';
import { TickworkError } from '../../errors.js';
import type { Schedule } from '../../kernel/Schedule.js';
import { SAFETY_MARGIN_SECONDS, TICK_TIMEOUT_SECONDS } from '../../kernel/runBudget.js';
import { loadKernel } from '../../local/loadKernel.js';
import { localSinks } from '../../runner/sinks.js';
import { CLI_OWNER_PREFIX } from '../../operate/sources.js';
import { MAX_DISPATCH_ATTEMPTS, runTick, type TickReport } from '../../runner/runTick.js';
import type { DynamoDbStore } from '../../store/DynamoDbStore.js';
import { MAX_TICK_AGE_MS, MAX_TICK_AHEAD_MS } from '../../tick/tickMinute.js';
import type { Project, TableOptions } from '../project.js';
import { UsageError } from '../usage.js';
import { withStore } from './table.js';

export interface RunOptions extends TableOptions {
  /** The minute to tick for (floored). @default now */
  readonly time?: Date;
  readonly json?: boolean;
  readonly kernel?: string;
}

const MINUTE_MS = 60_000;

/**
 * Where fan-out events go when no dispatcher is configured: nowhere. Each event is reported not sent,
 * so the tick releases its claim and queues a retry (see `fanOut.ts`) — a tick that has a dispatcher
 * (the deployed one, or a later `run` with `TICKWORK_DISPATCHER` set) sends it, and nothing is lost
 * silently. After `MAX_DISPATCH_ATTEMPTS` ticks without one, the slot is recorded `undispatched`.
 */
export const NOT_DISPATCHED = 'not dispatched: no dispatcher configured in this process (set TICKWORK_DISPATCHER=eventbridge and TICKWORK_BUS, or TICKWORK_DISPATCHER=lambda and TICKWORK_FUNCTION_PREFIX)';

/** `run --help` and `work --help`: the design choice above, for users. */
export const FAN_OUT_HELP = `
Fan-out tasks (onLambda(), runInBackground()) are sent to their Lambdas only when this process is configured
as the tick Lambda is: TICKWORK_DISPATCHER=eventbridge with TICKWORK_BUS, or TICKWORK_DISPATCHER=lambda with
TICKWORK_FUNCTION_PREFIX (and your AWS credentials). Otherwise they are reported "not dispatched": the claim
is released and a retry queued, so a tick that can dispatch (the deployed one) sends them; after
${MAX_DISPATCH_ATTEMPTS} ticks without one they are recorded undispatched.`;

class UnconfiguredDispatcher implements Dispatcher {
  async dispatch(events: readonly TaskEventDetail[]): Promise<DispatchOutcome[]> {
    return events.map((event) => ({ id: event.id, dispatched: false, attempts: 1, error: NOT_DISPATCHED }));
  }
}

/**
 * The dispatcher the tick Lambda would build, when `TICKWORK_DISPATCHER` configures one. Loaded only
 * then, from the Lambda's own adapters, so the two read the same variables and the CLI does not load
 * the EventBridge, Lambda, S3 and SES clients for kernels that never fan out.
 */
export async function configuredDispatcher(logger: Logger): Promise<Dispatcher> {
  if (process.env.TICKWORK_DISPATCHER === undefined || process.env.TICKWORK_DISPATCHER === '') return new UnconfiguredDispatcher();
  const { createDispatcher } = await import('../../../functions/adapters.js');
  return createDispatcher(logger);
}

/** The pieces every tick of a `run` or `work` shares. */
export interface TickSetup {
  readonly schedule: Schedule;
  readonly store: DynamoDbStore;
  readonly dispatcher: Dispatcher;
  readonly project: Project;
  readonly stage: string;
  readonly deployment: string;
  readonly logger: Logger;
}

/**
 * Loads the kernel and opens the stage's table — creating it only on a local endpoint, never in AWS —
 * then hands the set-up to `work`; the client is closed after. `loaded`: a kernel the caller has loaded already.
 */
export async function withTickSetup<T>(project: Project, options: TableOptions & { readonly kernel?: string }, work: (setup: TickSetup) => Promise<T>, loaded?: Schedule): Promise<T> {
  const schedule = loaded ?? (await loadKernel(project.kernel(options.kernel)));
  const parts = await tickParts(project, options, schedule);
  return withStore(project, options, (store) => work({ ...parts, store }));
}

/**
 * A tick's set-up but the store, for a caller that opens the table itself (the dashboard): a silent
 * logger, the dispatcher the tick Lambda would build, the deployment id.
 */
export async function tickParts(project: Project, options: TableOptions, schedule: Schedule): Promise<Omit<TickSetup, 'store'>> {
  // The tick's own log lines would interleave with the report; the report says what they would.
  const logger = new Logger({ serviceName: 'tickwork', logLevel: 'SILENT' });
  // The dispatcher's EventBridge or Lambda client is built from the environment, as in the tick Lambda.
  if (options.profile !== undefined && !options.endpoint) process.env.AWS_PROFILE = options.profile;
  const dispatcher = await configuredDispatcher(logger);
  const deployment = project.deployment(options.stage, options.deployment);
  return { schedule, dispatcher, project, stage: options.stage, deployment, logger };
}

/**
 * One tick for `minute`, as the tick Lambda runs it: same budget, a claim owner of its own (so a second
 * `run` for the minute finds the first one's claims, and is never taken for a Lambda retry of it).
 */
export function tickOnce(setup: TickSetup, minute: Date): Promise<TickReport> {
  const { schedule, store, dispatcher, project, stage, deployment, logger } = setup;
  return runTick({
    tasks: schedule.compiled(),
    commands: schedule.commands,
    sinks: localSinks(project.root),
    stage,
    store,
    dispatcher,
    deployment,
    minute,
    owner: `${CLI_OWNER_PREFIX}${randomUUID()}`,
    deadline: Date.now() + (TICK_TIMEOUT_SECONDS - SAFETY_MARGIN_SECONDS) * 1000,
    now: Date.now,
    logger,
  });
}

export async function run(project: Project, options: RunOptions): Promise<void> {
  const minute = tickMinuteOf(options.time, Date.now());
  const report = await withTickSetup(project, options, (setup) => tickOnce(setup, minute));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report).join('\n')}\n`);
  const failure = tickFailure(report);
  if (failure !== undefined) throw failure;
}

/**
 * The minute to tick for. The same bounds as the tick Lambda's (`tickMinute`): a minute more than one
 * ahead would run slots early and move the stored last tick past the real ticks' minutes.
 */
export function tickMinuteOf(time: Date | undefined, now: number): Date {
  const ms = time?.getTime() ?? now;
  if (ms > now + MAX_TICK_AHEAD_MS || ms < now - MAX_TICK_AGE_MS) {
    throw new UsageError(`--time must lie between 24 h 1 min ago and 1 minute ahead (${new Date(now).toISOString()}), got ${time?.toISOString()}`);
  }
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS);
}

/** Exit 1 when a task the tick started failed; undispatched and skipped slots are not failures of a task. */
export function tickFailure(report: TickReport): TickworkError | undefined {
  if (report.failed.length === 0) return undefined;
  const names = report.failed.map((f) => JSON.stringify(f.name)).join(', ');
  return new TickworkError('TASK_RUN_FAILED', `tick ${report.tick}: ${report.failed.length} task(s) failed: ${names}`);
}

/** The report for people: a heading, one line per task outcome, and the totals. */
export function formatReport(report: TickReport): string[] {
  const row = (symbol: string, name: string, text: string) => `  ${symbol} ${name.padEnd(20)} ${text}`;
  const lines = [`tick ${report.tick}${report.evaluated ? '' : ' (already decided by a later tick: only queued runs were taken on)'}`];
  for (const name of report.ran) lines.push(row('✔', name, 'ran'));
  for (const f of report.failed) lines.push(row('✖', f.name, `failed: ${f.error}`));
  for (const name of report.dispatched) lines.push(row('→', name, 'dispatched to its Lambda'));
  for (const u of report.undispatched) {
    const next = u.requeued ? 'queued for a later tick' : 'given up, recorded undispatched';
    lines.push(row('⚠', u.name, `${u.error === NOT_DISPATCHED ? 'not dispatched: no dispatcher configured' : `not dispatched: ${u.error}`} (attempt ${u.attempt}, ${next})`));
  }
  for (const s of report.skipped) lines.push(row('↷', s.name, `skipped (${s.reason})`));
  for (const m of report.missed) lines.push(row('⚠', m.name, `missed ${m.count} slot(s) ${m.from === m.to ? m.from : `${m.from}–${m.to}`} (${m.reason})`));
  if (report.due.length === 0 && report.missed.length === 0) lines.push('  nothing due');
  const unsent = report.undispatched.length > 0 ? `, ${report.undispatched.length} not dispatched` : '';
  lines.push(`${report.due.length} due, ${report.ran.length} ran, ${report.failed.length} failed, ${report.skipped.length} skipped, ${report.dispatched.length} dispatched${unsent}, ${report.queued} queued`);
  return lines;
}
