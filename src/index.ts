/**
 * `tickwork`: the kernel API — the schedule, its tasks and their types, the errors — and nothing that
 * talks to AWS. Adapters live in their own entry points so a kernel never loads a client it does not
 * use: `tickwork/lambda` (the tick and task handlers), `tickwork/dynamodb`, `tickwork/eventbridge`,
 * `tickwork/testing` (in-memory twins, and running a task or a tick in a test), `tickwork/serverless`
 * (the Serverless Framework plugin).
 */
export { Schedule, type CompiledTask, type ScheduleOptions } from './kernel/Schedule.js';
export { TaskBuilder } from './kernel/TaskBuilder.js';
export { Day } from './kernel/FrequencyBuilder.js';
export { Scheduled, type ScheduledOptions } from './kernel/Scheduled.js';
export type { GroupAttributes } from './kernel/groupAttributes.js';
export { CommandRegistry, registerCommand, commands } from './kernel/CommandRegistry.js';
export { buildSchedule, type Kernel } from './kernel/buildSchedule.js';
export type * from './kernel/types.js';
export { compileCron, type CompiledCron } from './cron/compileCron.js';
export { dueSlots, type DueSlot } from './evaluation/dueSlots.js';
export { occurrences, nextRuns, type Occurrence } from './evaluation/occurrences.js';
export { tickMinute, SCHEDULED_TIME_PLACEHOLDER } from './tick/tickMinute.js';
export type { TickReport, SkipReason, Undispatched } from './runner/runTick.js';
export type { TickHandler, TickHandlerOptions } from './runner/createTickHandler.js';
export type { TaskHandler, TaskHandlerOptions, TaskRunReport } from './runner/createTaskHandler.js';
export { createDispatch, type OneOffDispatch, type QueuedDispatch } from './dispatch/dispatchAt.js';
export type { Dispatcher, DispatchOutcome, TaskEvent, TaskEventDetail } from './dispatch/Dispatcher.js';
export { LAMBDA_DEFAULTS } from './kernel/lambdaSettings.js';
export { RUN_STATUS, SKIP_REASON, FAILURE_REASON, MISS_REASON, type RunStatus, type FailureReason, type MissReason, type RunReason } from './vocabulary.js';
export { RUN_TRANSITIONS } from './store/runTransitions.js';
export { MAX_TICK_AHEAD_MS, MAX_TICK_AGE_MS } from './tick/tickMinute.js';
export type * from './store/Store.js';
export {
  TickworkError,
  InvalidTaskError,
  InvalidCronExpressionError,
  InvalidTickEventError,
  KernelLoadError,
  StoreError,
  OutputDeliveryError,
  CommandFailedError,
  InvalidDispatcherConfigError,
  InvalidTaskEventError,
  InvalidDispatchError,
  TaskRunFailedError,
  InvalidBackfillError,
} from './errors.js';
