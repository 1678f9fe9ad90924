/**
 * `tickwork/lambda`: the tick and task handlers, built from a kernel and the environment the
 * Serverless plugin (`tickwork/serverless`) sets on the functions it generates. The plugin bundles
 * a two-line entry per function — `export const handler = tickHandler(kernel)` — with the user's
 * kernel, so a deployed handler is exactly the kernel the plugin validated.
 *
 * `createTickHandler`/`createTaskHandler` take every adapter explicitly, for a stack of your own.
 */
import { buildSchedule, type Kernel } from '../src/kernel/buildSchedule.js';
import { createLogger } from '../src/log/createLogger.js';
import { createTaskHandler, type TaskHandler } from '../src/runner/createTaskHandler.js';
import { createTickHandler, type TickHandler } from '../src/runner/createTickHandler.js';
import { createDispatcher, createSinks, createStore, deployment, offline } from './adapters.js';
import { requireEnv } from './env.js';

export { createTickHandler, type TickHandler, type TickHandlerOptions } from '../src/runner/createTickHandler.js';
export { createTaskHandler, type TaskHandler, type TaskHandlerOptions, type TaskRunReport } from '../src/runner/createTaskHandler.js';
export { LambdaDispatcher, type LambdaDispatcherOptions } from '../src/dispatch/LambdaDispatcher.js';

/** The tick Lambda's handler for `kernel`. Built once per container: the schedule is compiled here, not on every tick. */
export function tickHandler(kernel: Kernel): TickHandler {
  const logger = createLogger();
  return createTickHandler({
    schedule: buildSchedule(kernel),
    store: createStore(),
    logger,
    dispatcher: createDispatcher(logger),
    deployment,
    stage: requireEnv('TICKWORK_STAGE'),
    sinks: createSinks(),
    // serverless-offline hands over the Scheduler input unreplaced; it fires on the minute boundary,
    // so the moment it fires stands in for the scheduled time the Scheduler would have written.
    resolvePlaceholder: offline ? () => new Date() : undefined,
  });
}

/** The handler of every fan-out task's function for `kernel`; the event names the task. */
export function taskHandler(kernel: Kernel): TaskHandler {
  return createTaskHandler({ schedule: buildSchedule(kernel), store: createStore(), deployment, sinks: createSinks() });
}
