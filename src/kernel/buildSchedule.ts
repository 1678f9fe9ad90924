import { KernelLoadError } from '../errors.js';
import { Schedule } from './Schedule.js';

/** What `src/kernel.ts` default-exports: a function that declares tasks on the schedule it is given. */
export type Kernel = (schedule: Schedule) => void;

/**
 * Runs a kernel against a fresh schedule and builds it, so every task is validated and compiled
 * here — a bad expression throws now, naming the task and the field.
 *
 * @example
 * import kernel from './kernel.js';
 * const schedule = buildSchedule(kernel);
 */
export function buildSchedule(kernel: Kernel): Schedule {
  if (typeof kernel !== 'function') {
    throw new KernelLoadError(
      `The kernel must default-export a function (schedule: Schedule) => void, got ${kernel === null ? 'null' : typeof kernel}`,
    );
  }
  const schedule = new Schedule();
  kernel(schedule);
  schedule.compiled();
  return schedule;
}
