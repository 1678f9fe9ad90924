import type { Logger } from '@aws-lambda-powertools/logger';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { jitterMs } from '../evaluation/jitter.js';
import type { CommandRegistry } from '../kernel/CommandRegistry.js';
import type { TaskAction, TaskContext } from '../kernel/types.js';
import { RunReplacedError } from '../errors.js';
import { OutputBuffer } from './OutputBuffer.js';
import { ping } from './ping.js';
import { runExec } from './runExec.js';

export interface RunTaskOptions {
  /** Epoch milliseconds by which the tick must be done; the task's own `timeout()` may come sooner. */
  readonly deadline: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly commands: CommandRegistry;
  /** The overlap lease's fence token, when the task holds one. */
  readonly fence?: number;
  /** Aborts the run from outside (its lease was lost to another owner). */
  readonly signal?: AbortSignal;
  /** Start at once, not at the slot's second: a buffered run starts when the one before it ends. */
  readonly immediate?: boolean;
}

interface RunTiming {
  readonly durationMs: number;
  /** Epoch milliseconds the action started, and how long after its slot. */
  readonly startedAt: number;
  readonly latenessMs: number;
  readonly output: string;
  /**
   * Stopped at its deadline or from outside, the action had still not returned after a short grace:
   * it ignores its signal and may go on running, so its lease must not be released early.
   */
  readonly abandoned: boolean;
}

export type TaskResult =
  | (RunTiming & { readonly status: 'succeeded' })
  /** `replaced`: stopped for a newer slot (overlap policy `replace`). */
  | (RunTiming & { readonly status: 'failed' | 'timed-out' | 'replaced'; readonly error: string });

/** After an abort, how long an action gets to notice its signal and return, within the deadline. */
export const ABORT_GRACE_MS = 2_000;

/**
 * When a run will start and by when it must end, judged at `now`: it starts at its slot's second plus
 * the task's jitter (at once when `immediate`: a buffered run follows the one before it), never past
 * the invocation's `deadline`, and ends at its `timeout()` after that start, within the deadline. The
 * run's own deadline and its lease's expiry (`overlap.ts`) both come from here, so they cannot disagree.
 */
export function runWindow(due: DueSlot, at: { readonly now: number; readonly deadline: number; readonly immediate: boolean }): { readonly start: number; readonly end: number } {
  const { definition } = due.task;
  const jitter = definition.jitterSeconds === undefined ? 0 : jitterMs(definition.name, due.slot, definition.jitterSeconds);
  const start = at.immediate ? at.now : Math.min(at.deadline, Math.max(at.now, due.at.getTime() + jitter));
  const end = definition.timeoutSeconds === undefined ? at.deadline : Math.min(at.deadline, start + definition.timeoutSeconds * 1000);
  return { start, end };
}

/**
 * Runs one claimed slot: pings and `before` hooks, the action, then the success or failure hooks and
 * pings, then `after`. A slot later in its minute starts at its second, plus the task's jitter. The run's signal aborts at its
 * deadline (the task's `timeout()`, or the tick's); an action that ignores it is abandoned there and the
 * run is `timed-out`, so one stuck task cannot hold the tick past the Lambda's own timeout.
 */
export async function runTask(due: DueSlot, options: RunTaskOptions): Promise<TaskResult> {
  const { definition } = due.task;
  const wait = runWindow(due, { now: options.now(), deadline: options.deadline, immediate: options.immediate === true }).start - options.now();
  if (wait > 0) await sleep(wait);

  const started = options.now();
  let payload: unknown;
  try {
    payload = due.payload === undefined ? undefined : JSON.parse(due.payload);
  } catch (error) {
    // Only a queued run written past `dispatchAt`'s checks can get here; it fails without running.
    const timing = { durationMs: 0, startedAt: started, latenessMs: Math.max(0, started - due.at.getTime()), output: '', abandoned: false };
    return { status: 'failed', ...timing, error: `Invalid payload: ${errorMessage(error)}` };
  }
  const deadline = runWindow(due, { now: started, deadline: options.deadline, immediate: true }).end;
  const controller = new AbortController();
  let deadlineHit = false;
  const timer = setTimeout(() => {
    deadlineHit = true;
    controller.abort(new Error(`Task "${definition.name}" reached its deadline`));
  }, Math.max(0, deadline - options.now()));
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const external = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) external();
  else options.signal?.addEventListener('abort', external, { once: true });
  const output = new OutputBuffer();
  const logger = runLogger(options.logger, due);
  const context: TaskContext = {
    name: definition.name,
    slot: due.slot,
    scheduledAt: due.at,
    signal: controller.signal,
    get logger() {
      return logger.child();
    },
    fence: options.fence,
    payload,
    write: (text) => output.write(String(text)),
  };
  const { hooks, pings } = definition;

  let failure: unknown;
  let settled = false;
  let action: Promise<void> = Promise.resolve();
  try {
    await ping(pings.before, logger);
    action = (async () => {
      for (const hook of hooks.before) await hook(context);
      await perform(definition.action, context, options.commands);
    })().finally(() => (settled = true));
    await Promise.race([action, aborted]);
  } catch (error) {
    failure = error;
  }
  const durationMs = options.now() - started;
  const stopped = failure !== undefined && controller.signal.aborted;
  if (stopped && !settled) {
    // Give a cooperative action the moment it needs to see its signal and return; never past the deadline.
    const grace = Math.min(ABORT_GRACE_MS, Math.max(0, options.deadline - options.now()));
    await Promise.race([action.catch(() => {}), sleep(grace)]);
  }
  const abandoned = stopped && !settled;
  if (abandoned) logger.warn('task did not stop when aborted', { graceMs: ABORT_GRACE_MS });
  action.catch(() => {}); // an abandoned action's later rejection has nowhere to go

  if (failure === undefined) {
    await runHooks('onSuccess', hooks.onSuccess.map((hook) => () => hook(context)), logger);
    await ping(pings.onSuccess, logger);
  } else {
    await runHooks('onFailure', hooks.onFailure.map((hook) => () => hook(failure, context)), logger);
    await ping(pings.onFailure, logger);
  }
  await runHooks('after', hooks.after.map((hook) => () => hook(context)), logger);
  await ping(pings.after, logger);

  clearTimeout(timer);
  options.signal?.removeEventListener('abort', external);
  // Keeps the losing `aborted` promise from surfacing as an unhandled rejection.
  aborted.catch(() => {});
  controller.abort();

  const timing = { durationMs, startedAt: started, latenessMs: Math.max(0, started - due.at.getTime()), output: output.toString(), abandoned };
  if (failure === undefined) return { status: 'succeeded', ...timing };
  const status = stopped && deadlineHit ? 'timed-out' : failure instanceof RunReplacedError ? 'replaced' : 'failed';
  return { status, ...timing, error: errorMessage(failure) };
}

/**
 * A slot decided failed before its action could start (a `when()`/`skip()` condition threw): its
 * failure hooks and ping run, with a context whose signal is already aborted, and the result is the
 * failure, for the record and the failure mail.
 */
/** What a slot whose condition threw records as its error: the condition's own message already names what threw (see `filters.ts`). */
export function conditionMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function failBeforeRun(due: DueSlot, error: unknown, options: Pick<RunTaskOptions, 'now' | 'logger'>): Promise<TaskResult> {
  const { definition } = due.task;
  const started = options.now();
  const logger = runLogger(options.logger, due);
  const context: TaskContext = {
    name: definition.name,
    slot: due.slot,
    scheduledAt: due.at,
    signal: AbortSignal.abort(error),
    get logger() {
      return logger.child();
    },
    fence: undefined,
    payload: undefined,
    write: () => {},
  };
  await runHooks('onFailure', definition.hooks.onFailure.map((hook) => () => hook(error, context)), logger);
  await ping(definition.pings.onFailure, logger);
  const message = conditionMessage(error);
  return { status: 'failed', durationMs: 0, startedAt: started, latenessMs: Math.max(0, started - due.at.getTime()), output: '', abandoned: false, error: message };
}

async function perform(action: TaskAction, context: TaskContext, commands: CommandRegistry): Promise<void> {
  switch (action.type) {
    case 'call':
      await action.handler(context);
      return;
    case 'command': {
      const handler = commands.get(action.command);
      if (handler === undefined) throw new Error(`Command "${action.command}" is not registered`);
      await handler(action.args, context);
      return;
    }
    case 'exec':
      await runExec(action.commandLine, { signal: context.signal, write: context.write });
      return;
  }
}

/**
 * The run's logger, carrying its task and slot, made on first use: a Powertools child logger costs more
 * CPU than a short task's whole run (it reads its settings from the environment again), and most runs
 * never log. `warn` is for Tickwork's own warnings about the run.
 */
function runLogger(parent: Logger, due: DueSlot): { child(): Logger; warn(message: string, extra: Record<string, unknown>): void } {
  let child: Logger | undefined;
  const made = () => (child ??= parent.createChild({ persistentKeys: { task: due.task.definition.name, slot: due.slot } }));
  return { child: made, warn: (message, extra) => made().warn(message, extra) };
}

/** Hooks after the run: each runs even if an earlier one threw; failures are logged, not raised. */
async function runHooks(kind: string, hooks: (() => unknown)[], logger: Pick<Logger, 'warn'>): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook();
    } catch (error) {
      logger.warn('hook failed', { hook: kind, error: errorMessage(error) });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
