import { InvalidTaskError } from '../errors.js';
import { spliceField, type CronFieldName } from './cronFields.js';
import { FrequencyBuilder } from './FrequencyBuilder.js';
import type { OverlapOptions, TaskFn } from './types.js';

/** Laravel's default overlap lock lifetime: the cap on a lease, not its usual length. */
const DEFAULT_OVERLAP_EXPIRES_MINUTES = 1440;

/** The mutable draft a builder edits; `Schedule` validates and freezes it into a `TaskDefinition`. */
export interface TaskDraft {
  name: string | undefined;
  description: string | undefined;
  expression: string;
  withoutOverlapping: OverlapOptions | false;
  readonly handler: TaskFn;
}

/**
 * The fluent API returned by `schedule.call()`. Each method only edits the task's data and returns
 * the builder; nothing is validated against other tasks or run until the schedule is built.
 *
 * @example
 * schedule.call(sendReports).name('reports:daily').cron('0 2 * * *').withoutOverlapping();
 */
export class TaskBuilder extends FrequencyBuilder {
  readonly #draft: TaskDraft;
  readonly #assertEditable: () => void;

  /** @internal Created by `Schedule.call()`. */
  constructor(draft: TaskDraft, assertEditable: () => void) {
    super();
    this.#draft = draft;
    this.#assertEditable = assertEditable;
  }

  /** The task's cron expression as it stands (5 fields, or 6 when written with seconds). */
  get expression(): string {
    return this.#draft.expression;
  }

  /** Names the task. Names are required and unique: locks, claims and run records are keyed on them. */
  name(name: string): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidTaskError(this.#draft.name, `name() expects a non-empty string, got ${describeValue(name)}`);
    }
    return this.#edit((d) => (d.name = name.trim()));
  }

  /** A human description, shown by listings. */
  description(text: string): this {
    if (typeof text !== 'string') {
      throw new InvalidTaskError(this.#draft.name, `description() expects a string, got ${describeValue(text)}`);
    }
    return this.#edit((d) => (d.description = text));
  }

  /** Sets the whole expression: 5 fields, or 6 with seconds first. Validated when the schedule is built. */
  cron(expression: string): this {
    if (typeof expression !== 'string') {
      throw new InvalidTaskError(this.#draft.name, `cron() expects a string, got ${describeValue(expression)}`);
    }
    return this.#edit((d) => (d.expression = expression.trim()));
  }

  /**
   * Skips a slot while the previous run still holds the task's lease. The lease ends when the run
   * finishes, or at its deadline plus a small margin if the run dies; `expiresMinutes` only caps it.
   *
   * @param expiresMinutes upper bound on the lease. @default 1440
   */
  withoutOverlapping(expiresMinutes: number = DEFAULT_OVERLAP_EXPIRES_MINUTES): this {
    if (!Number.isInteger(expiresMinutes) || expiresMinutes <= 0) {
      throw new InvalidTaskError(
        this.#draft.name,
        `withoutOverlapping() expects a positive whole number of minutes, got ${describeValue(expiresMinutes)}`,
      );
    }
    return this.#edit((d) => (d.withoutOverlapping = { expiresMinutes }));
  }

  protected override splice(fields: Partial<Record<CronFieldName, string | number>>): this {
    return this.#edit((d) => {
      for (const [field, value] of Object.entries(fields) as [CronFieldName, string | number][]) {
        d.expression = spliceField(d.expression, field, value);
      }
    });
  }

  protected override get taskName(): string | undefined {
    return this.#draft.name;
  }

  #edit(change: (draft: TaskDraft) => void): this {
    this.#assertEditable();
    change(this.#draft);
    return this;
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return String(value);
}
