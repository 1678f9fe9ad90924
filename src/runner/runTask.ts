import type { Logger } from '@aws-lambda-powertools/logger';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DueSlot } from '../evaluation/dueSlots.js';
import type { TaskContext } from '../kernel/types.js';

export interface RunTaskOptions {
  /** Epoch milliseconds at which the run's signal aborts and the run counts as timed out. */
  readonly deadline: number;
  readonly now: () => number;
  readonly logger: Logger;
}

export type TaskResult =
  | { readonly status: 'succeeded'; readonly durationMs: number }
  | { readonly status: 'failed' | 'timed-out'; readonly durationMs: number; readonly error: string };

/**
 * Runs one claimed slot's handler. A slot later in the minute (6-field cron with seconds) starts at its
 * second. The handler gets an `AbortSignal` that fires at the deadline; a handler that ignores it is
 * abandoned there and the run is reported `timed-out`, so one stuck task cannot hold the tick past
 * the Lambda's own timeout.
 */
export async function runTask(due: DueSlot, options: RunTaskOptions): Promise<TaskResult> {
  const { definition } = due.task;
  const wait = due.at.getTime() - options.now();
  if (wait > 0) await sleep(Math.min(wait, Math.max(0, options.deadline - options.now())));

  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`Task "${definition.name}" reached its deadline`)),
    Math.max(0, options.deadline - options.now()),
  );
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const context: TaskContext = {
    name: definition.name,
    slot: due.slot,
    scheduledAt: due.at,
    signal: controller.signal,
    logger: options.logger.createChild({ persistentKeys: { task: definition.name, slot: due.slot } }),
  };

  const started = options.now();
  try {
    await Promise.race([Promise.resolve().then(() => definition.handler(context)), aborted]);
    return { status: 'succeeded', durationMs: options.now() - started };
  } catch (error) {
    const status = controller.signal.aborted ? 'timed-out' : 'failed';
    return { status, durationMs: options.now() - started, error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
    // Keeps the losing `aborted` promise from surfacing as an unhandled rejection.
    aborted.catch(() => {});
    controller.abort();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
