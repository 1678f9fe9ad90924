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
export { createTickHandler, type TickHandler, type TickHandlerOptions } from './runner/createTickHandler.js';
export { runTick, type TickReport, type SkipReason, type Undispatched } from './runner/runTick.js';
export { createTaskHandler, type TaskHandler, type TaskHandlerOptions, type TaskRunReport } from './runner/createTaskHandler.js';
export { createDispatch, type OneOffDispatch, type QueuedDispatch } from './dispatch/dispatchAt.js';
export type { Dispatcher, DispatchOutcome, TaskEvent, TaskEventDetail } from './dispatch/Dispatcher.js';
export { EventBridgeDispatcher, type EventBridgeDispatcherOptions } from './dispatch/EventBridgeDispatcher.js';
export { LambdaDispatcher, type LambdaDispatcherOptions } from './dispatch/LambdaDispatcher.js';
export { MemoryDispatcher } from './dispatch/MemoryDispatcher.js';
export { LAMBDA_DEFAULTS } from './kernel/lambdaSettings.js';
export { MemoryStore } from './store/MemoryStore.js';
export { RUN_STATUS, SKIP_REASON, FAILURE_REASON, MISS_REASON, type RunStatus, type FailureReason, type MissReason, type RunReason } from './vocabulary.js';
export { RUN_TRANSITIONS } from './store/runTransitions.js';
export { BoundedRetryStrategy, BOUNDED_RETRY_DEFAULTS, type BoundedRetryOptions } from './aws/BoundedRetryStrategy.js';
export { dynamoDbClientConfig } from './aws/dynamoDbClientConfig.js';
export { MAX_TICK_AHEAD_MS, MAX_TICK_AGE_MS } from './tick/tickMinute.js';
export { DynamoDbStore, type DynamoDbStoreOptions } from './store/DynamoDbStore.js';
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
} from './errors.js';
