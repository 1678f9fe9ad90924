import type { Logger } from '@aws-lambda-powertools/logger';

/** What a running task receives. */
export interface TaskContext {
  /** The task's name, as given to `.name()` (or derived from its command). */
  readonly name: string;
  /** The slot being run: its scheduled instant as an ISO-8601 UTC string. */
  readonly slot: string;
  /** The slot's scheduled instant. */
  readonly scheduledAt: Date;
  /** Aborts when the run reaches its deadline; pass it to anything that accepts a signal. */
  readonly signal: AbortSignal;
  /** A logger already carrying the task name and slot. */
  readonly logger: Logger;
  /** The overlap lease's fence token, for tasks declared `withoutOverlapping()`; otherwise undefined. */
  readonly fence: number | undefined;
  /** What `dispatchAt()`/`dispatchAfter()` passed with a one-off run; undefined for scheduled runs. */
  readonly payload: unknown;
  /** Adds text to the run's captured output (kept with the run record, sent by the output options). */
  write(text: string): void;
}

/** The code a `schedule.call()` task runs. A thrown error or rejected promise marks the run failed. */
export type TaskFn = (context: TaskContext) => unknown;

/** A console command registered with `registerCommand()`, run by `schedule.command()`. */
export type CommandHandler = (args: readonly string[], context: TaskContext) => unknown;

/** What a task does when it runs. */
export type TaskAction =
  | { readonly type: 'call'; readonly handler: TaskFn }
  | { readonly type: 'command'; readonly command: string; readonly args: readonly string[] }
  | { readonly type: 'exec'; readonly commandLine: string | readonly string[] };

/** What conditions and filters see: the slot being decided, not the moment the tick arrived. */
export interface ConditionContext {
  readonly name: string;
  readonly scheduledAt: Date;
  /** The deployment's stage (`sls:stage`). */
  readonly stage: string;
}

/** A `when()`/`skip()` condition: a boolean, or a (possibly async) function of the slot. */
export type Condition = boolean | ((context: ConditionContext) => boolean | Promise<boolean>);

/** A lifecycle hook. `onFailure` hooks also receive the error. */
export type Hook = (context: TaskContext) => unknown;
export type FailureHook = (error: unknown, context: TaskContext) => unknown;

/** A time-of-day window, `HH:MM` to `HH:MM` in the task's time zone; `end < start` wraps midnight. */
export interface TimeWindow {
  readonly start: string;
  readonly end: string;
}

/** What to do with slots a tick missed (outage, throttling, a late tick's past sub-minute slots). */
export interface CatchUpOptions {
  /** How far back missed slots are still run, in minutes; older ones are recorded as missed. @default 5 */
  readonly window: number;
  /** `once`: run the latest missed slot for all of them; `all`: run each (up to `maxRuns`); `skip`: run none. @default 'once' */
  readonly policy: 'once' | 'all' | 'skip';
  /** The bound on `all`: the most recent `maxRuns` missed slots run. @default 10 */
  readonly maxRuns: number;
}

/** What a slot does when it finds the task's previous run still holding the lease. */
export type OverlapPolicy = 'skip' | 'bufferOne' | 'replace';

/** Overlap settings of a task declared `withoutOverlapping()`. */
export interface OverlapOptions {
  /** Upper bound on the lease, in minutes, whatever the run's deadline. */
  readonly expiresMinutes: number;
  /**
   * What a slot does while a run holds the lease: `skip` it (reason `overlapping`); `bufferOne`: run it
   * once right after the current run ends (one waits; more are skipped); or `replace`: stop the
   * current run and run this one instead, once the current one has really stopped (one waits).
   */
  readonly policy: OverlapPolicy;
}

/** Settings of a task that runs in its own Lambda (`runInBackground()` / `onLambda()`); see `LAMBDA_DEFAULTS`. */
export interface LambdaOptions {
  /** MB. @default 1024 */
  readonly memorySize?: number;
  /** Seconds. @default 300 */
  readonly timeout?: number;
  /** Caps the function's concurrent runs; unset leaves it on the account's pool. */
  readonly reservedConcurrency?: number;
  /**
   * How many times Lambda runs a failed or timed-out slot again (async-invoke retries, 0–2). A retry
   * is another start of the same slot, so it is opt-in. @default 0
   */
  readonly retries?: number;
}

export interface OutputOptions {
  /** Where the captured output is written, and whether it is appended. */
  readonly file: { readonly target: string; readonly append: boolean } | undefined;
  /** Mail the output after every run (`onlyIfOutput`: only when there is some). */
  readonly email: { readonly to: readonly string[]; readonly onlyIfOutput: boolean } | undefined;
  /** Mail the output after a failed run. */
  readonly emailOnFailure: { readonly to: readonly string[] } | undefined;
}

export interface Hooks {
  readonly before: readonly Hook[];
  readonly after: readonly Hook[];
  readonly onSuccess: readonly Hook[];
  readonly onFailure: readonly FailureHook[];
}

export interface Pings {
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly onSuccess: readonly string[];
  readonly onFailure: readonly string[];
}

export interface Filters {
  readonly when: readonly Condition[];
  readonly skip: readonly Condition[];
  /** Stages the task runs in; undefined means every stage. */
  readonly environments: readonly string[] | undefined;
  readonly between: TimeWindow | undefined;
  readonly unlessBetween: TimeWindow | undefined;
}

/**
 * One task of the schedule: frozen data produced by the kernel builder. It never runs anything.
 */
export interface TaskDefinition {
  readonly name: string;
  readonly description: string | undefined;
  /** The cron expression: 5 fields, or 6 with seconds first. */
  readonly expression: string;
  /** IANA time zone whose wall clock the expression and windows are matched against. @default 'UTC' */
  readonly timezone: string;
  /** Seconds between runs inside each matching minute (`everyFiveSeconds()` → 5); undefined for once. */
  readonly repeatSeconds: number | undefined;
  /** Minutes between runs for `every(seconds)` intervals that no cron minute step expresses. */
  readonly intervalMinutes: number | undefined;
  readonly action: TaskAction;
  readonly filters: Filters;
  /** Runs even while the scheduler or the task is paused. */
  readonly evenWhenPaused: boolean;
  readonly hooks: Hooks;
  readonly pings: Pings;
  readonly output: OutputOptions;
  /** The run's deadline in seconds; undefined means the tick's remaining time. */
  readonly timeoutSeconds: number | undefined;
  readonly catchUp: CatchUpOptions;
  /** Each run starts up to this many seconds after its slot, by an offset fixed per `(name, slot)`. */
  readonly jitterSeconds: number | undefined;
  /** `false` unless the task was declared `withoutOverlapping()`. */
  readonly withoutOverlapping: OverlapOptions | false;
  /** Claims the slot across every deployment that shares the table. */
  readonly onOneServer: boolean;
  /** `false` to run inline in the tick; otherwise the task's own Lambda. */
  readonly lambda: LambdaOptions | false;
  /** Declared with `monitor()`: its own grace, and a "has not succeeded" alarm in the stack. */
  readonly monitor: MonitorSettings | undefined;
}

/** `monitor({ grace })`: a duration such as `'10m'`, or seconds. */
export interface MonitorOptions {
  readonly grace: string | number;
}

/**
 * What `monitor({ grace })` declares: how long after a slot a run may take to start before
 * `tickwork monitor` calls the task late, and the slack its stack alarm allows on top of the task's
 * interval (see `infra/alarms.ts`).
 */
export interface MonitorSettings {
  readonly graceSeconds: number;
}
