import { compileCron, type CompiledCron } from '../cron/compileCron.js';
import { InvalidTaskError, TickworkError } from '../errors.js';
import { describeValue, TaskBuilder, type TaskDraft } from './TaskBuilder.js';
import type { TaskDefinition, TaskFn } from './types.js';

/** A task definition together with its compiled cron matcher. */
export interface CompiledTask {
  readonly definition: TaskDefinition;
  readonly cron: CompiledCron;
}

interface BuiltSchedule {
  readonly compiled: readonly CompiledTask[];
  readonly definitions: readonly TaskDefinition[];
}

/**
 * The schedule a kernel fills. Tasks are added with `call()` and edited through their builders;
 * the first call to `tasks()` (or `compiled()`) validates every task, compiles its expression and
 * freezes the schedule, so a bad kernel fails when it is built, not at 3 a.m.
 *
 * @example
 * const schedule = new Schedule();
 * schedule.call(() => prune()).name('cache:prune').everyFiveMinutes();
 * schedule.tasks(); // [{ name: 'cache:prune', expression: '*\/5 * * * *', ... }]
 */
export class Schedule {
  readonly #drafts: TaskDraft[] = [];
  #built: BuiltSchedule | undefined;

  /** Schedules a function. Every task runs `* * * * *` until a frequency is set. */
  call(fn: TaskFn): TaskBuilder {
    this.#assertEditable();
    if (typeof fn !== 'function') {
      throw new InvalidTaskError(undefined, `schedule.call() expects a function, got ${describeValue(fn)}`);
    }
    const draft: TaskDraft = {
      name: undefined,
      description: undefined,
      expression: '* * * * *',
      withoutOverlapping: false,
      handler: fn,
    };
    this.#drafts.push(draft);
    return new TaskBuilder(draft, () => this.#assertEditable());
  }

  /** The validated, frozen task definitions, in the order they were declared. */
  tasks(): readonly TaskDefinition[] {
    return this.#ensureBuilt().definitions;
  }

  /** The definitions with their compiled matchers; what the evaluator and the tick use. */
  compiled(): readonly CompiledTask[] {
    return this.#ensureBuilt().compiled;
  }

  #ensureBuilt(): BuiltSchedule {
    if (this.#built === undefined) {
      const compiled = Object.freeze(this.#build());
      this.#built = { compiled, definitions: Object.freeze(compiled.map((task) => task.definition)) };
    }
    return this.#built;
  }

  #build(): CompiledTask[] {
    const seen = new Set<string>();
    return this.#drafts.map((draft, index) => {
      if (draft.name === undefined) {
        throw new InvalidTaskError(
          undefined,
          `Task #${index + 1} (cron "${draft.expression}") has no name: call .name('...') — names key its locks and run records`,
        );
      }
      if (seen.has(draft.name)) {
        throw new InvalidTaskError(draft.name, 'the name is already used by another task; names must be unique');
      }
      seen.add(draft.name);
      const definition: TaskDefinition = Object.freeze({
        name: draft.name,
        description: draft.description,
        expression: draft.expression,
        withoutOverlapping: draft.withoutOverlapping === false ? false : Object.freeze({ ...draft.withoutOverlapping }),
        handler: draft.handler,
      });
      return Object.freeze({ definition, cron: compileCron(draft.expression, draft.name) });
    });
  }

  #assertEditable(): void {
    if (this.#built !== undefined) {
      throw new TickworkError(
        'SCHEDULE_FROZEN',
        'The schedule is already built; declare and edit tasks inside the kernel function, before it is read',
      );
    }
  }
}
