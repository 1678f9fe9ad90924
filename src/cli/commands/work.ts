// `tickwork work` (`schedule:work`): Laravel's schedule:work — a tick in this process at every minute
// boundary, against the stage's table, until Ctrl-C. Ticks overlap as the Lambda's do: a tick whose
// tasks run past the next boundary does not hold that minute's tick back.
import { setTimeout as sleep } from 'node:timers/promises';
import { TickworkError } from '../../errors.js';
import { describeFailure, UsageError } from '../usage.js';
import type { Project, TableOptions } from '../project.js';
import { InFlightRuns } from './inFlight.js';
import { formatReport, tickOnce, withTickSetup, type TickSetup } from './run.js';

export interface WorkOptions extends TableOptions {
  readonly json?: boolean;
  readonly kernel?: string;
  /** Stop after this many ticks (hidden: for tests). @default no limit */
  readonly ticks?: number;
  /** Tick the current minute at once, then at every boundary (hidden: for tests). @default false */
  readonly now?: boolean;
}

const MINUTE_MS = 60_000;

/** The exit code of a second Ctrl-C, as a shell reports a process ended by SIGINT. */
const EXIT_INTERRUPTED = 130;

/**
 * Ticks at every minute boundary from the next one on. The first Ctrl-C stops new ticks and waits for
 * the running ones to finish and record their outcomes; a second records the runs still going
 * `failed` with reason `abandoned`, frees their leases, and exits (130, as a shell reports SIGINT); a
 * third exits without waiting for those writes. A task's failure is printed, not fatal; a tick the
 * store failed is printed too, and makes the exit code 1 once work stops.
 */
export async function work(project: Project, options: WorkOptions): Promise<void> {
  const failedTicks = await withTickSetup(project, options, (setup) => loop(setup, options));
  if (failedTicks > 0) throw new TickworkError('STORE_ERROR', `${failedTicks} tick(s) failed on the store; see above`);
}

async function loop(untracked: TickSetup, options: WorkOptions): Promise<number> {
  const stop = new AbortController();
  const running = new Set<Promise<void>>();
  const inFlight = new InFlightRuns();
  const setup = { ...untracked, store: inFlight.track(untracked.store) };
  let abandoning = false;
  const onSignal = () => {
    if (abandoning) process.exit(EXIT_INTERRUPTED);
    if (stop.signal.aborted) {
      abandoning = true;
      process.stderr.write(`abandoning ${inFlight.size} run(s) still going: recording them failed (abandoned); Ctrl-C again to exit without waiting\n`);
      void inFlight.abandonAll(Date.now()).then((runs) => {
        for (const run of runs) process.stderr.write(`  abandoned ${run.task} @ ${run.slot}\n`);
        process.exit(EXIT_INTERRUPTED);
      });
      return;
    }
    stop.abort();
    process.stderr.write(`stopping: waiting for ${running.size} running tick(s) to finish; Ctrl-C again to abandon them\n`);
  };
  process.on('SIGINT', onSignal);
  let failedTicks = 0;
  try {
    process.stderr.write(`working on ${setup.deployment} (${setup.stage}): a tick at every minute boundary; Ctrl-C to stop\n`);
    for (let count = 0; options.ticks === undefined || count < options.ticks; count += 1) {
      const minute = count === 0 && options.now === true ? new Date(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS) : await nextBoundary(stop.signal);
      if (minute === undefined) break;
      const tick = tickOnce(setup, minute).then(
        (report) => void process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatReport(report).join('\n')}\n`),
        (error: unknown) => {
          failedTicks += 1;
          process.stderr.write(`tick ${minute.toISOString()} failed: ${describeFailure(error)}\n`);
        },
      );
      running.add(tick);
      void tick.finally(() => running.delete(tick));
    }
    await Promise.all(running);
  } finally {
    process.off('SIGINT', onSignal);
  }
  return failedTicks;
}

/** `--ticks`: a whole number ≥ 1. */
export function parseTicks(value: string): number {
  const ticks = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ticks) || ticks < 1) throw new UsageError(`--ticks expects a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return ticks;
}

/** Waits for the next minute boundary; undefined when stopped first. */
async function nextBoundary(signal: AbortSignal): Promise<Date | undefined> {
  const boundary = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  try {
    await sleep(boundary - Date.now(), undefined, { signal });
  } catch {
    return undefined; // aborted by Ctrl-C
  }
  return new Date(boundary);
}
