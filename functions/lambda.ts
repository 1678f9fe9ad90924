/**
 * `tickwork/lambda`: the tick and task handlers, built from a kernel and the environment the
 * Serverless plugin (`tickwork/serverless`) sets, with every AWS client Tickwork may use. The plugin
 * itself bundles leaner entries (`tickwork/lambda/tick` and `tickwork/lambda/task`, with only the clients the kernel needs);
 * this one suits a stack of your own: `export const handler = tickHandler(kernel)`.
 *
 * `createTickHandler`/`createTaskHandler` take every adapter explicitly.
 */
import type { Kernel } from '../src/kernel/buildSchedule.js';
import type { TaskHandler } from '../src/runner/createTaskHandler.js';
import type { TickHandler } from '../src/runner/createTickHandler.js';
import { dispatcherFactory } from './adapters.js';
import { awsOutput } from './awsOutput.js';
import { taskHandler as leanTaskHandler } from './taskHandler.js';
import { tickHandler as leanTickHandler } from './tickHandler.js';

export { createTickHandler, type TickHandler, type TickHandlerOptions } from '../src/runner/createTickHandler.js';
export { createTaskHandler, type TaskHandler, type TaskHandlerOptions, type TaskRunReport } from '../src/runner/createTaskHandler.js';
export { LambdaDispatcher, type LambdaDispatcherOptions } from '../src/dispatch/LambdaDispatcher.js';

/** The tick Lambda's handler for `kernel`, with the dispatcher `TICKWORK_DISPATCHER` names. */
export function tickHandler(kernel: Kernel): TickHandler {
  return leanTickHandler(kernel, { dispatcher: dispatcherFactory(), output: awsOutput });
}

/** The handler of every fan-out task's function for `kernel`; the event names the task. */
export function taskHandler(kernel: Kernel): TaskHandler {
  return leanTaskHandler(kernel, { output: awsOutput });
}
