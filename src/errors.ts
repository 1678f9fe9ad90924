/** Renders a rejected value for an error message: strings quoted, arrays and objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every `code` a `TickworkError` can carry: one union, so `switch (err.code)` is checked. */
export type TickworkErrorCode =
  | 'COMMAND_FAILED'
  | 'DYNAMODB_LOCAL_FAILED'
  | 'FUNCTION_KEY_CLASH'
  | 'INVALID_BACKFILL'
  | 'INVALID_ARGUMENT'
  | 'INVALID_CRON_EXPRESSION'
  | 'INVALID_DISPATCH'
  | 'INVALID_DISPATCHER'
  | 'INVALID_DISPATCHER_CONFIG'
  | 'INVALID_OPTIONS'
  | 'INVALID_RETRY_CONFIG'
  | 'INVALID_TASK'
  | 'INVALID_TASK_EVENT'
  | 'INVALID_TIME_ZONE'
  | 'INVALID_TASK_FUNCTION'
  | 'INVALID_TICK_EVENT'
  | 'JAVA_MISSING'
  | 'KERNEL_LOAD_FAILED'
  | 'MAIL_FROM_MISSING'
  | 'MISSING_ENVIRONMENT'
  | 'NO_DISPATCHER'
  | 'OUTPUT_DELIVERY_FAILED'
  | 'RUN_REPLACED'
  | 'SCHEDULE_FROZEN'
  | 'STORE_ERROR'
  | 'TASK_RUN_FAILED';

/**
 * Every error Tickwork raises on purpose is a `TickworkError` with a literal `code`, so callers can
 * branch on `err.code` instead of matching message text. Messages name the task or field, what was
 * expected and what was received.
 */
export class TickworkError extends Error {
  readonly code: TickworkErrorCode;

  constructor(code: TickworkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Tickwork's own classes spell their names out: the Lambda bundles are minified without keeping
    // names (`FUNCTION_BUILD` in infra/plugin.ts), and logs must still say which error. A subclass of
    // your own that sets none gets its constructor's name.
    this.name = new.target === TickworkError ? 'TickworkError' : new.target.name;
    this.code = code;
  }
}

/** A task definition in the kernel is invalid (missing or duplicate name, bad option value). */
export class InvalidTaskError extends TickworkError {
  override readonly name: string = 'InvalidTaskError';
  readonly task: string | undefined;

  constructor(task: string | undefined, message: string, options?: { cause?: unknown }) {
    super('INVALID_TASK', task === undefined ? message : `Task "${task}": ${message}`, options);
    this.task = task;
  }
}

/** A cron expression failed to parse; names the task, the field and the offending value. */
export class InvalidCronExpressionError extends TickworkError {
  override readonly name: string = 'InvalidCronExpressionError';
  readonly task: string | undefined;
  readonly expression: string;
  readonly field: string | undefined;

  constructor(
    details: { task?: string; expression: string; field?: string; reason: string },
    options?: { cause?: unknown },
  ) {
    const where = details.field === undefined ? '' : ` in the ${details.field} field`;
    const who = details.task === undefined ? '' : `Task "${details.task}": `;
    super(
      'INVALID_CRON_EXPRESSION',
      `${who}invalid cron expression "${details.expression}"${where}: ${details.reason}`,
      options,
    );
    this.task = details.task;
    this.expression = details.expression;
    this.field = details.field;
  }
}

/**
 * The tick Lambda was invoked with an event that carries no usable scheduled time: none at all, one
 * that is not an ISO-8601 instant, or one too far ahead of or behind the clock. Nothing was written.
 */
export class InvalidTickEventError extends TickworkError {
  override readonly name: string = 'InvalidTickEventError';
  /** The offending field (`scheduledTime` or `time`), when the event has one. */
  readonly field: string | undefined;

  constructor(field: string | undefined, message: string, options?: { cause?: unknown }) {
    super('INVALID_TICK_EVENT', message, options);
    this.field = field;
  }
}

/** The kernel module could not be loaded or does not export a schedule function. */
export class KernelLoadError extends TickworkError {
  override readonly name: string = 'KernelLoadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('KERNEL_LOAD_FAILED', message, options);
  }
}

/** The state store failed in a way that is not a lost race (unreachable table, throttling past retries). */
export class StoreError extends TickworkError {
  override readonly name: string = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_ERROR', message, options);
  }
}

/** Task output could not be written or mailed. Never fails the task whose output it was. */
export class OutputDeliveryError extends TickworkError {
  override readonly name: string = 'OutputDeliveryError';
  readonly target: string;

  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super('OUTPUT_DELIVERY_FAILED', `Output to ${target}: ${message}`, options);
    this.target = target;
  }
}

/** An `exec()` task's process exited non-zero, was killed, or could not start. */
export class CommandFailedError extends TickworkError {
  override readonly name: string = 'CommandFailedError';
  readonly exitCode: number | null;

  constructor(message: string, exitCode: number | null, options?: { cause?: unknown }) {
    super('COMMAND_FAILED', message, options);
    this.exitCode = exitCode;
  }
}

/** A dispatcher was built with an option it does not know or a value it cannot use; names the field. */
export class InvalidDispatcherConfigError extends TickworkError {
  override readonly name: string = 'InvalidDispatcherConfigError';
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_DISPATCHER_CONFIG', message, options);
    this.field = field;
  }
}

/**
 * A task worker received an event it will not act on: not Tickwork's, malformed, for another
 * deployment, or for a task this kernel does not run in its own Lambda. Nothing was written.
 */
export class InvalidTaskEventError extends TickworkError {
  override readonly name: string = 'InvalidTaskEventError';
  /** The offending field (`source`, `detail.task`, ...), when one is to blame. */
  readonly field: string | undefined;

  constructor(field: string | undefined, message: string, options?: { cause?: unknown }) {
    super('INVALID_TASK_EVENT', field === undefined ? message : `Task event field ${field}: ${message}`, options);
    this.field = field;
  }
}

/** A fan-out run failed or timed out; thrown after its record is written, so Lambda can retry it. */
export class TaskRunFailedError extends TickworkError {
  override readonly name: string = 'TaskRunFailedError';
  readonly task: string;
  readonly slot: string;

  constructor(task: string, slot: string, message: string) {
    super('TASK_RUN_FAILED', `Task "${task}" @ ${slot}: ${message}`);
    this.task = task;
    this.slot = slot;
  }
}

/** `dispatchAt()`/`dispatchAfter()` was called with something it cannot queue; names the argument. */
export class InvalidDispatchError extends TickworkError {
  override readonly name: string = 'InvalidDispatchError';
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_DISPATCH', `dispatch ${field}: ${message}`);
    this.field = field;
  }
}

/** A pause, resume or run-now asked of a schedule (from the CLI or the dashboard) is not one it can do; names the field. */
export class InvalidActionError extends TickworkError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_ARGUMENT', message);
    this.field = field;
  }
}

/** A `withoutOverlapping({ policy: 'replace' })` run was stopped because a newer slot replaces it. */
export class RunReplacedError extends TickworkError {
  override readonly name: string = 'RunReplacedError';
  readonly task: string;
  readonly slot: string;
  readonly by: string;

  constructor(task: string, slot: string, by: string) {
    super('RUN_REPLACED', `Task "${task}" @ ${slot}: stopped, replaced by its run for ${by} (overlap policy replace)`);
    this.task = task;
    this.slot = slot;
    this.by = by;
  }
}

/**
 * A backfill was asked for something it will not do: an unknown task, a range that is empty, reversed,
 * in the future or too large, a paused task, a fan-out task without a dispatcher. Refused before any
 * write; `field` names the request's field to blame.
 */
export class InvalidBackfillError extends TickworkError {
  readonly field: 'task' | 'from' | 'to' | 'limit' | 'dispatcher';

  constructor(field: InvalidBackfillError['field'], message: string) {
    super('INVALID_BACKFILL', message);
    this.field = field;
  }
}
