/**
 * `tickwork/testing`: the in-memory twins of the store and the dispatcher, and two helpers for a
 * kernel's own tests — run one task by name now, or one tick for a given minute — on the same engine
 * the Lambdas use, with no AWS and no table.
 *
 * @example
 * import { runTaskByName } from 'tickwork/testing';
 * import schedule from '../src/kernel.js';
 * const result = await runTaskByName(schedule, 'reports:daily');
 * expect(result.status).toBe('succeeded');
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import { MemoryDispatcher } from '../dispatch/MemoryDispatcher.js';
import { InvalidTaskError } from '../errors.js';
import { wallClock } from '../evaluation/wallClock.js';
import { buildSchedule, type Kernel } from '../kernel/buildSchedule.js';
import { Schedule } from '../kernel/Schedule.js';
import { TICK_TIMEOUT_SECONDS } from '../kernel/runBudget.js';
import { localSinks } from '../runner/createTickHandler.js';
import { runTask, type TaskResult } from '../runner/runTask.js';
import { runTick, type TickReport } from '../runner/runTick.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { Store } from '../store/Store.js';

export { MemoryStore } from '../store/MemoryStore.js';
export { MemoryDispatcher, type MemoryDispatcherOptions } from '../dispatch/MemoryDispatcher.js';
export type { TaskResult } from '../runner/runTask.js';

export interface TestRunOptions {
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Where output files go (`sendOutputTo`/`appendOutputTo`). @default a fresh temporary directory */
  readonly outputDir?: string;
  /** @default a silent logger */
  readonly logger?: Logger;
}

function toSchedule(kernel: Kernel | Schedule): Schedule {
  return kernel instanceof Schedule ? kernel : buildSchedule(kernel);
}

function defaults(options: TestRunOptions) {
  return {
    now: options.now ?? Date.now,
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
    sinks: localSinks(options.outputDir ?? mkdtempSync(join(tmpdir(), 'tickwork-test-'))),
  };
}

/**
 * Runs the task `name` once, now, in this process — its action, hooks and output, under its own
 * timeout (else the tick's) — without claims, leases or a store, and returns the outcome.
 * Throws `InvalidTaskError` for a name the kernel does not have.
 */
export async function runTaskByName(kernel: Kernel | Schedule, name: string, options: TestRunOptions & { readonly payload?: unknown } = {}): Promise<TaskResult> {
  const schedule = toSchedule(kernel);
  const task = schedule.compiled().find((t) => t.definition.name === name);
  if (task === undefined) {
    const names = schedule.tasks().map((t) => t.name);
    throw new InvalidTaskError(name, `no such task in the kernel; it has ${names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ')}`);
  }
  const { now, logger } = defaults(options);
  const at = new Date(now());
  return runTask(
    { task, at, slot: at.toISOString(), clock: wallClock(at, task.definition.timezone), ...(options.payload === undefined ? {} : { payload: JSON.stringify(options.payload) }) },
    { deadline: at.getTime() + TICK_TIMEOUT_SECONDS * 1000, now, logger, commands: schedule.commands, immediate: true },
  );
}

/**
 * Runs one tick for `minute` against `store` (a fresh `MemoryStore` by default), as the tick Lambda
 * would: claims, overlap, catch-up and fan-out (to `dispatcher`, a `MemoryDispatcher` by default).
 */
export async function runTickAt(
  kernel: Kernel | Schedule,
  minute: Date,
  options: TestRunOptions & { readonly store?: Store; readonly dispatcher?: Dispatcher; readonly stage?: string; readonly owner?: string } = {},
): Promise<TickReport> {
  const schedule = toSchedule(kernel);
  const { now, logger, sinks } = defaults({ now: () => minute.getTime(), ...options });
  return runTick({
    tasks: schedule.compiled(),
    commands: schedule.commands,
    sinks,
    stage: options.stage ?? 'test',
    store: options.store ?? new MemoryStore(),
    dispatcher: options.dispatcher ?? new MemoryDispatcher(),
    minute,
    owner: options.owner ?? `test-${minute.toISOString()}`,
    deadline: now() + TICK_TIMEOUT_SECONDS * 1000,
    now,
    logger,
  });
}
