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

/** The most `onLambda({ timeout })` accepts: Lambda's own limit, so no invocation lasts longer. */
export const MAX_LAMBDA_TIMEOUT_SECONDS = 900;

/**
 * How long after it started a run's record may say `running` while an invocation could still be
 * running it: no Lambda invocation lasts longer than `MAX_LAMBDA_TIMEOUT_SECONDS`, and a minute more
 * allows for clock skew (the 2 s a stopped run gets to honour its signal fit in it).
 */
export const STALE_RUN_MS = (MAX_LAMBDA_TIMEOUT_SECONDS + 60) * 1000;

/** Whether a run that started at `startedAt` (epoch ms) has outlived every invocation that could be running it, at `now`. */
export function outlivedItsInvocation(startedAt: number, now: number): boolean {
  return startedAt < now - STALE_RUN_MS;
}

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
