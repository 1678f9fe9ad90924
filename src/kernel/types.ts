import type { Logger } from '@aws-lambda-powertools/logger';

/** What a running task receives. */
export interface TaskContext {
  /** The task's name, as given to `.name()`. */
  readonly name: string;
  /** The slot being run: its scheduled instant as an ISO-8601 UTC string. */
  readonly slot: string;
  /** The slot's scheduled instant. */
  readonly scheduledAt: Date;
  /** Aborts when the run reaches its deadline; pass it to anything that accepts a signal. */
  readonly signal: AbortSignal;
  /** A logger already carrying the task name and slot. */
  readonly logger: Logger;
}

/** The code a `schedule.call()` task runs. A thrown error or rejected promise marks the run failed. */
export type TaskFn = (context: TaskContext) => unknown;

/** Overlap settings of a task declared `withoutOverlapping()`. */
export interface OverlapOptions {
  /** Upper bound on the lease, in minutes, whatever the run's deadline. */
  readonly expiresMinutes: number;
}

/**
 * One task of the schedule: plain, frozen data produced by the kernel builder. It never runs anything.
 */
export interface TaskDefinition {
  readonly name: string;
  readonly description: string | undefined;
  /** The cron expression: 5 fields, or 6 with seconds first. */
  readonly expression: string;
  /** `false` unless the task was declared `withoutOverlapping()`. */
  readonly withoutOverlapping: OverlapOptions | false;
  readonly handler: TaskFn;
}
