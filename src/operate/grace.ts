import { lambdaSettings } from '../kernel/lambdaSettings.js';
import type { TaskDefinition } from '../kernel/types.js';

const MINUTE_MS = 60_000;

/**
 * How long after its slot a run may take to start before `monitor` calls the task late.
 *
 * - Inline tasks: 2 minutes. The tick claims an inline slot (status `running`) as soon as it decides
 *   it, so one missed tick plus the next tick's catch-up still starts it inside the grace.
 * - Fan-out tasks: the Lambda's timeout plus 2 minutes. The record only leaves `dispatched` when the
 *   worker starts, and Lambda may hold an async event while earlier runs of the function use up its
 *   reserved concurrency — for up to about one run's length.
 * - `jitter(seconds)` delays every start by up to that much, so it is added to both.
 * - A task declared `monitor({ grace })` has that grace instead of either default (plus any jitter).
 */
export const DEFAULT_GRACE = { inlineMs: 2 * MINUTE_MS, fanOutMarginMs: 2 * MINUTE_MS } as const;

/**
 * The grace of a task (see `DEFAULT_GRACE`).
 *
 * @example
 * graceMs(schedule.tasks()[0]); // 120000 for an inline task without jitter
 */
export function graceMs(definition: Pick<TaskDefinition, 'lambda' | 'jitterSeconds' | 'monitor'>): number {
  const jitter = (definition.jitterSeconds ?? 0) * 1000;
  if (definition.monitor !== undefined) return definition.monitor.graceSeconds * 1000 + jitter;
  const lambda = lambdaSettings(definition);
  if (lambda === undefined) return DEFAULT_GRACE.inlineMs + jitter;
  return lambda.timeout * 1000 + DEFAULT_GRACE.fanOutMarginMs + jitter;
}
