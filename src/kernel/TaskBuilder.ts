import { parseClockTime } from './clockTime.js';
import { HookBuilder } from './HookBuilder.js';
import type { CatchUpOptions, Condition, LambdaOptions, MonitorOptions, OverlapOptions, OverlapPolicy, TimeWindow } from './types.js';
import { parseGrace } from './grace.js';

const CATCH_UP_POLICIES = ['once', 'all', 'skip'] as const;
const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['skip', 'bufferOne', 'replace'];

/** Laravel's default overlap lock lifetime: the cap on a lease, not its usual length. */
const DEFAULT_OVERLAP_EXPIRES_MINUTES = 1440;

/** What `onLambda()` accepts, with the ranges Lambda itself enforces. */
const LAMBDA_LIMITS = {
  memorySize: [128, 10_240],
  timeout: [1, 900],
  reservedConcurrency: [0, 1000],
  retries: [0, 2],
} as const satisfies Record<keyof LambdaOptions, readonly [number, number]>;

/**
 * The fluent API returned by `schedule.call()`, `command()` and `exec()`. Each method only edits the
 * task's data and returns the builder; nothing runs, and cross-task rules (unique names, valid
 * expressions) are checked when the schedule is built.
 *
 * @example
 * schedule.call(sendReports).name('reports:daily').dailyAt('02:00').timezone('Europe/Paris').withoutOverlapping();
 */
export class TaskBuilder extends HookBuilder {
  /** Names the task. Names are required and unique: claims, leases and run records are keyed on them. */
  name(name: string): this {
    if (typeof name !== 'string' || name.trim() === '') this.reject('name', 'a non-empty string', name);
    return this.edit((d) => (d.name = name.trim()));
  }

  /** A human description, shown by listings. */
  description(text: string): this {
    if (typeof text !== 'string') this.reject('description', 'a string', text);
    return this.edit((d) => (d.description = text));
  }

  /** Sets the whole expression: 5 fields, or 6 with seconds first. Validated when the schedule is built. */
  cron(expression: string): this {
    if (typeof expression !== 'string') this.reject('cron', 'a string', expression);
    return this.edit((d) => {
      d.expression = expression.trim();
      d.repeatSeconds = undefined;
      d.intervalMinutes = undefined;
    });
  }

  /** Runs only when the condition holds for the slot; evaluated at tick time, every time. */
  when(condition: Condition): this {
    return this.#condition('when', condition, 'when');
  }

  /** Skips the slot when the condition holds; evaluated at tick time, every time. */
  skip(condition: Condition): this {
    return this.#condition('skip', condition, 'skip');
  }

  /** Runs only in these stages (the deployment's `sls:stage`). */
  environments(...stages: (string | readonly string[])[]): this {
    const list = stages.flat();
    if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
      this.reject('environments', 'one or more stage names', list);
    }
    return this.edit((d) => (d.environments = list));
  }

  /** Keeps running while the scheduler or this task is paused. */
  evenWhenPaused(): this {
    return this.edit((d) => (d.evenWhenPaused = true));
  }

  /** Runs only between two times of day ('HH:MM', inclusive) in the task's time zone; may wrap midnight. */
  between(start: string, end: string): this {
    const window = this.#window('between', start, end);
    return this.edit((d) => (d.between = window));
  }

  /** Skips slots between two times of day ('HH:MM', inclusive); may wrap midnight. */
  unlessBetween(start: string, end: string): this {
    const window = this.#window('unlessBetween', start, end);
    return this.edit((d) => (d.unlessBetween = window));
  }

  /** The run's deadline: its signal aborts after `seconds`, and the run counts as timed out. */
  timeout(seconds: number): this {
    return this.edit((d) => (d.timeoutSeconds = this.integer(seconds, 'timeout', 1, 900)));
  }

  /**
   * How missed slots are handled: `catchUp({ window: 15, policy: 'all', maxRuns: 5 })`. Unset keys keep
   * their defaults (window 5 minutes, policy 'once', maxRuns 10).
   */
  catchUp(options: Partial<CatchUpOptions>): this {
    if (options === null || typeof options !== 'object') this.reject('catchUp', 'an options object', options);
    for (const key of Object.keys(options)) {
      if (!['window', 'policy', 'maxRuns'].includes(key)) this.reject('catchUp', 'only window, policy, maxRuns', key);
    }
    const { window = this.draft.catchUp.window, policy = this.draft.catchUp.policy, maxRuns = this.draft.catchUp.maxRuns } = options;
    if (!CATCH_UP_POLICIES.includes(policy)) this.reject('catchUp', `policy ${CATCH_UP_POLICIES.map((p) => `'${p}'`).join(', ')}`, policy);
    const checked = {
      window: this.integer(window, 'catchUp', 0, 1440),
      policy,
      maxRuns: this.integer(maxRuns, 'catchUp', 1, 100),
    };
    return this.edit((d) => (d.catchUp = checked));
  }

  /**
   * Starts each run up to `seconds` after its slot, by an offset derived from the task's name and the
   * slot — the same on every retry — so fleets of similar tasks spread their load. At most 300, and
   * the wait must leave the run time to work in the Lambda it waits in: checked when the schedule is
   * built (see `assertJitterFits`), whatever order `jitter()`, `timeout()` and `onLambda()` come in.
   */
  jitter(seconds: number): this {
    return this.edit((d) => (d.jitterSeconds = this.integer(seconds, 'jitter', 1, 300)));
  }

  /**
   * Keeps runs of the task from overlapping: while a run holds the task's lease, a new slot is skipped
   * (`policy: 'skip'`, the default), waits to run once right after it (`policy: 'bufferOne'`), or stops
   * it and runs instead once it has really stopped (`policy: 'replace'`; the newest work wins). The lease
   * ends when the run finishes, or at its deadline plus a small margin if the run dies; `expiresMinutes`
   * only caps it (a heartbeat keeps a longer live run's lease).
   *
   * @param options the cap in minutes (Laravel's form), or `{ expiresMinutes, policy }`. @default 1440, 'skip'
   */
  withoutOverlapping(options: number | { expiresMinutes?: number; policy?: OverlapOptions['policy'] } = {}): this {
    const { expiresMinutes = DEFAULT_OVERLAP_EXPIRES_MINUTES, policy = 'skip', ...rest } = typeof options === 'number' ? { expiresMinutes: options } : options;
    for (const key of Object.keys(rest)) this.reject('withoutOverlapping', 'only expiresMinutes and policy', key);
    if (!OVERLAP_POLICIES.includes(policy)) this.reject('withoutOverlapping', `policy ${OVERLAP_POLICIES.map((p) => `'${p}'`).join(', ')}`, policy);
    const minutes = this.integer(expiresMinutes, 'withoutOverlapping', 1);
    return this.edit((d) => (d.withoutOverlapping = { expiresMinutes: minutes, policy }));
  }

  /** Lets runs overlap: undoes `withoutOverlapping()`, say one a group gave the task. */
  allowOverlapping(): this {
    return this.edit((d) => (d.withoutOverlapping = false));
  }

  /** Claims each slot across every deployment sharing the table, not just this one. */
  onOneServer(): this {
    return this.edit((d) => (d.onOneServer = true));
  }

  /** Runs the task in its own Lambda with default settings (see `onLambda`). */
  runInBackground(): this {
    return this.onLambda({});
  }

  /** Runs the task in its own Lambda: `onLambda({ memorySize: 1024, timeout: 300 })`. */
  onLambda(options: LambdaOptions): this {
    if (options === null || typeof options !== 'object') this.reject('onLambda', 'an options object', options);
    const checked: Record<string, number> = {};
    for (const [key, value] of Object.entries(options)) {
      if (!(key in LAMBDA_LIMITS)) this.reject('onLambda', `only ${Object.keys(LAMBDA_LIMITS).join(', ')}`, key);
      if (value === undefined) continue;
      const [min, max] = LAMBDA_LIMITS[key as keyof LambdaOptions];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        this.reject('onLambda', `${key} to be a whole number from ${min} to ${max}`, value);
      }
      checked[key] = value;
    }
    return this.edit((d) => (d.lambda = checked));
  }

  /**
   * Watches the task: `tickwork monitor` calls it late when a slot has not started `grace` after its
   * time (instead of the default grace), and the stack the plugin deploys gets an alarm that fires
   * when the task has not succeeded within its interval plus `grace` (see "Metrics and alarms" in the
   * README). `grace`: `'90s'`, `'10m'`, `'2h'`, `'1d'`, or a number of seconds; from 1 minute to 1 day.
   *
   * @example
   * schedule.call(report).name('reports:daily').dailyAt('02:00').monitor({ grace: '10m' });
   */
  monitor(options: MonitorOptions): this {
    if (options === null || typeof options !== 'object') this.reject('monitor', 'an options object such as { grace: \'10m\' }', options);
    for (const key of Object.keys(options)) {
      if (key !== 'grace') this.reject('monitor', 'only grace', key);
    }
    const graceSeconds = parseGrace(options.grace);
    if (graceSeconds === undefined) this.reject('monitor', "grace as a duration from 1 minute to 1 day, such as '90s', '10m', '2h' or 600 (seconds)", options.grace);
    return this.edit((d) => (d.monitor = { graceSeconds }));
  }

  #condition(method: string, condition: unknown, list: 'when' | 'skip'): this {
    if (typeof condition !== 'boolean' && typeof condition !== 'function') this.reject(method, 'a boolean or a function', condition);
    return this.edit((d) => void d[list].push(condition as Condition));
  }

  #window(method: string, start: string, end: string): TimeWindow {
    for (const time of [start, end]) {
      if (parseClockTime(time) === undefined) this.reject(method, "times 'HH:MM' (00:00–23:59)", time);
    }
    return { start, end };
  }
}
