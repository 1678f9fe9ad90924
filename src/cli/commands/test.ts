// `tickwork test [task]` (`schedule:test`): runs one task now, in this process — its hooks, its action,
// its output — whatever its schedule, and prints how it went. No table is needed unless the task is
// `withoutOverlapping()`: then the run holds the task's lease, so it never overlaps a deployed run.
import { randomUUID } from 'node:crypto';
import { runTaskByName, type TaskResult } from '../../entry/testing.js';
import { TaskRunFailedError, TickworkError } from '../../errors.js';
import type { OverlapOptions, TaskDefinition } from '../../kernel/types.js';
import { TICK_TIMEOUT_SECONDS } from '../../kernel/runBudget.js';
import type { Schedule } from '../../kernel/Schedule.js';
import { loadKernel } from '../../local/loadKernel.js';
import { ReadableLogger } from '../../local/ReadableLogger.js';
import { leaseExpiry } from '../../runner/overlap.js';
import type { DynamoDbStore } from '../../store/DynamoDbStore.js';
import { RUN_STATUS, SKIP_REASON } from '../../vocabulary.js';
import type { Project, TableOptions } from '../project.js';
import { unknownTask, UsageError } from '../usage.js';
import { pickTask } from './pickTask.js';
import { withStore } from './table.js';

export interface TestOptions extends TableOptions {
  /** False with `--no-lock`: run without taking the task's lease. @default true */
  readonly lock: boolean;
  readonly json?: boolean;
  readonly kernel?: string;
}

/** `--json`: the run's outcome. */
export interface TestedRun {
  readonly task: string;
  readonly status: TaskResult['status'];
  readonly durationMs: number;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly output: string;
  readonly error: string | null;
  /** Whether the run held the task's overlap lease. */
  readonly locked: boolean;
}

export async function test(project: Project, name: string | undefined, options: TestOptions): Promise<void> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  const definition = await findTask(schedule, name);
  const overlap = options.lock ? definition.withoutOverlapping : false;
  // What the task logs is part of its output here: readable, on stderr, so stdout keeps the outcome (and `--json` only JSON).
  const logger = new ReadableLogger((line) => process.stderr.write(line));
  const run = () => runTaskByName(schedule, definition.name, { outputDir: project.root, logger });
  const result = overlap === false ? await run() : await withStore(project, options, (store) => runLeased(store, definition, overlap, run, options));
  print(definition.name, result, overlap !== false, options.json === true);
  if (result.status !== 'succeeded') throw new TaskRunFailedError(definition.name, new Date(result.startedAt).toISOString(), `${result.status}: ${result.error}`);
}

/**
 * The task named on the command line. Without a name, a person at a terminal (stdin and stdout both
 * one) picks it from the list (`pickTask`); anywhere else — a script, CI, a pipe — nobody could answer,
 * so it is a usage error that lists the names.
 */
async function findTask(schedule: Schedule, name: string | undefined): Promise<TaskDefinition> {
  const tasks = schedule.tasks();
  const names = tasks.map((t) => t.name);
  if (name === undefined && names.length > 0 && process.stdin.isTTY === true && process.stdout.isTTY === true) {
    name = await pickTask(names);
  }
  if (name === undefined) {
    throw new UsageError(`name the task to run: tickwork test <task>; the kernel has ${names.map((n) => JSON.stringify(n)).join(', ') || 'no tasks'}`);
  }
  const definition = tasks.find((t) => t.name === name);
  if (definition === undefined) throw unknownTask(name, names);
  return definition;
}

/**
 * Runs under the task's lease, as a tick would: held by a run elsewhere, nothing runs (exit 1, the
 * holder named). The lease is released after — unless the action ignored its abort and may still be
 * running, when it lapses at its expiry instead, as in `runLeased`.
 */
async function runLeased(
  tableStore: DynamoDbStore,
  definition: TaskDefinition,
  overlap: OverlapOptions,
  run: () => Promise<TaskResult>,
  options: TestOptions,
): Promise<TaskResult> {
  const store = definition.onOneServer ? tableStore.shared() : tableStore;
  const owner = `tickwork-test-${randomUUID()}`;
  const now = Date.now();
  const slot = new Date(now).toISOString();
  // The run's end as `runTaskByName` bounds it: its timeout(), else the tick's.
  const runEnd = now + (definition.timeoutSeconds ?? TICK_TIMEOUT_SECONDS) * 1000;
  const lease = await store.acquireLease({ task: definition.name, owner, slot, now, expiresAt: leaseExpiry(now, runEnd, overlap).expiresAt });
  if (!lease.acquired) {
    const { holder } = lease;
    throw new TickworkError('TASK_RUN_FAILED', `task "${definition.name}" not run: its lease is held by ${holder.owner} for slot ${holder.slot} until ${new Date(holder.expiresAt).toISOString()} (--no-lock runs it anyway)`);
  }
  if (lease.superseded !== undefined) {
    // A run buffered behind a lapsed lease: taking the lease took it off, and its record says so.
    const { superseded } = lease;
    await store.completeRun({ task: definition.name, slot: superseded.slot, owner: superseded.owner, status: RUN_STATUS.skipped, reason: SKIP_REASON.superseded, finishedAt: now });
  }
  const result = await run();
  if (!result.abandoned) await store.releaseLease(definition.name, owner);
  return result;
}

function print(name: string, result: TaskResult, locked: boolean, json: boolean): void {
  const error = result.status === 'succeeded' ? null : result.error;
  if (json) {
    const tested: TestedRun = { task: name, status: result.status, durationMs: result.durationMs, startedAt: new Date(result.startedAt).toISOString(), output: result.output, error, locked };
    process.stdout.write(`${JSON.stringify(tested, null, 2)}\n`);
    return;
  }
  const symbol = result.status === 'succeeded' ? '✔' : '✖';
  const lines = [`${symbol} ${name} ${result.status} in ${result.durationMs} ms${locked ? ' (under its lease)' : ''}`];
  if (error !== null) lines.push(`  error: ${error}`);
  lines.push(result.output === '' ? '  (no output)' : `  output:\n${indent(result.output)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function indent(text: string): string {
  return text.replace(/\n$/, '').split('\n').map((line) => `    ${line}`).join('\n');
}
