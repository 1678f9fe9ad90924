import type { CompiledCron } from '../cron/compileCron.js';
import { InvalidTaskError } from '../errors.js';
import { lambdaSettings } from './lambdaSettings.js';
import type { TaskDefinition } from './types.js';

/** The tick Lambda's timeout, in seconds: the plugin (`infra/plugin.ts`) deploys the tick with it. */
export const TICK_TIMEOUT_SECONDS = 120;

/**
 * What the tick and task handlers keep back from their Lambda's remaining time, in seconds
 * (their default `safetyMarginMs`), so a run stopped at its deadline is still recorded.
 */
export const SAFETY_MARGIN_SECONDS = 3;

/** The most `onLambda({ timeout })` accepts: Lambda's own limit. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;

/**
 * The seconds a run of `definition` has, counted from its slot's minute: the timeout of the Lambda it
 * runs in (the tick's for an inline task, its own for a fan-out one) less the safety margin.
 */
export function runBudgetSeconds(definition: Pick<TaskDefinition, 'lambda'>): number {
  return (lambdaSettings(definition)?.timeout ?? TICK_TIMEOUT_SECONDS) - SAFETY_MARGIN_SECONDS;
}

/**
 * Refuses a `jitter()` that leaves a run no time to work. A run waits in its Lambda for its slot's
 * second and its jitter before it starts, then runs up to its `timeout()`; all of it must end before the
 * Lambda does, or the run is recorded `timed-out` without having done anything:
 *
 *   minute   slot's second   + jitter        + timeout()         budget = Lambda timeout − margin
 *   |-----------|---------------|-------------------|- - - - - - - - -|
 *   0        waits            starts            must be done        Lambda stops
 *
 * Checked when the schedule is built, once every call (`jitter()`, `timeout()`, `onLambda()`, a
 * group's attributes) has been made, whatever their order. The slot's second is the latest of the
 * task's sub-minute slots (0 for a once-a-minute task).
 */
export function assertJitterFits(definition: TaskDefinition, cron: Pick<CompiledCron, 'seconds'>): void {
  const { name, jitterSeconds: jitter, timeoutSeconds: timeout = 0, repeatSeconds } = definition;
  if (jitter === undefined) return;
  const second = repeatSeconds === undefined ? (cron.seconds.at(-1) ?? 0) : 60 - repeatSeconds;
  const budget = runBudgetSeconds(definition);
  if (second + jitter + timeout < budget) return;

  const parts = `${second > 0 ? `last slot at second ${second} + ` : ''}jitter ${jitter} s + timeout ${timeout} s`;
  const maxJitter = budget - 1 - second - timeout;
  const fewer = maxJitter >= 1 ? `use at most jitter(${maxJitter})` : 'drop jitter() or shorten timeout()';
  const settings = lambdaSettings(definition);
  if (settings === undefined) {
    throw new InvalidTaskError(
      name,
      `jitter(${jitter}) cannot fit: an inline run must start and finish within the tick's ${budget} s (${parts}); ${fewer}, or run it in its own Lambda with onLambda({ timeout })`,
    );
  }
  const neededTimeout = second + jitter + timeout + SAFETY_MARGIN_SECONDS + 1;
  const raise = neededTimeout <= MAX_LAMBDA_TIMEOUT_SECONDS ? `, or raise onLambda({ timeout: ${neededTimeout} })` : '';
  throw new InvalidTaskError(
    name,
    `jitter(${jitter}) cannot fit: a run in its own Lambda must start and finish within its timeout of ${settings.timeout} s less a ${SAFETY_MARGIN_SECONDS} s margin, ${budget} s (${parts}); ${fewer}${raise}`,
  );
}
