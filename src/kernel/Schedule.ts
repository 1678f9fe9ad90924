import { compileCron, type CompiledCron } from '../cron/compileCron.js';
import { describeValue, InvalidTaskError, TickworkError } from '../errors.js';
import { nextRuns, occurrences, type Occurrence } from '../evaluation/occurrences.js';
import { commands as defaultCommands, type CommandRegistry } from './CommandRegistry.js';
import { applyAttributes, type GroupAttributes } from './groupAttributes.js';
import { assertJitterFits } from './runBudget.js';
import { scheduledMethods } from './Scheduled.js';
import { TaskBuilder } from './TaskBuilder.js';
import { freezeDraft, newDraft, type TaskDraft } from './TaskDraft.js';
import type { TaskAction, TaskDefinition, TaskFn } from './types.js';

/** A task definition together with its compiled cron matcher. */
export interface CompiledTask {
  readonly definition: TaskDefinition;
  readonly cron: CompiledCron;
}

export interface ScheduleOptions {
  /** Where `command()` tasks find their handlers. @default the registry `registerCommand()` fills */
  readonly commands?: CommandRegistry;
}

interface BuiltSchedule {
  readonly compiled: readonly CompiledTask[];
  readonly definitions: readonly TaskDefinition[];
}

/**
 * The schedule a kernel fills. Tasks are added with `call()`, `command()` and `exec()` and edited
 * through their builders; the first call to `tasks()` (or `compiled()`) validates every task, compiles
 * its expression and freezes the schedule, so a bad kernel fails when it is built, not at 3 a.m.
 *
 * @example
 * const schedule = new Schedule();
 * schedule.call(() => prune()).name('cache:prune').everyFiveMinutes();
 * schedule.tasks(); // [{ name: 'cache:prune', expression: '*\/5 * * * *', ... }]
 */
export class Schedule {
  readonly #drafts: TaskDraft[] = [];
  readonly #groups: GroupAttributes[] = [];
  readonly #commands: CommandRegistry;
  #built: BuiltSchedule | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.#commands = options.commands ?? defaultCommands;
  }

  /** Schedules a function. Every task runs `* * * * *` until a frequency is set. */
  call(fn: TaskFn): TaskBuilder {
    if (typeof fn !== 'function') {
      throw new InvalidTaskError(undefined, `schedule.call() expects a function, got ${describeValue(fn)}`);
    }
    return this.#add({ type: 'call', handler: fn });
  }

  /**
   * Schedules a command registered with `registerCommand()`. Named after the command and its
   * arguments unless `.name()` says otherwise.
   */
  command(name: string, args: readonly string[] = []): TaskBuilder {
    if (typeof name !== 'string' || !/^\S+$/.test(name)) {
      throw new InvalidTaskError(undefined, `schedule.command() expects a command name without spaces, got ${describeValue(name)}`);
    }
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      throw new InvalidTaskError(name, `schedule.command() expects its arguments as an array of strings, got ${describeValue(args)}`);
    }
    return this.#add({ type: 'command', command: name, args: Object.freeze([...args]) }, [name, ...args].join(' '));
  }

  /**
   * Schedules a shell command. A string runs through `/bin/sh`; an argv array runs the program
   * directly, without a shell. stdout and stderr are captured; a non-zero exit fails the run.
   */
  exec(command: string | readonly string[]): TaskBuilder {
    const valid = typeof command === 'string'
      ? command.trim() !== ''
      : Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string') && command[0] !== '';
    if (!valid) {
      throw new InvalidTaskError(undefined, `schedule.exec() expects a command line or a non-empty argv array of strings, got ${describeValue(command)}`);
    }
    const commandLine = typeof command === 'string' ? command.trim() : Object.freeze([...command]);
    return this.#add({ type: 'exec', commandLine }, typeof commandLine === 'string' ? commandLine : commandLine.join(' '));
  }

  /**
   * Gives every task declared inside `declare` the same attributes; a task's own calls override them.
   * Groups nest, inner attributes overriding outer ones.
   *
   * @example
   * schedule.group({ timezone: 'Europe/Paris', environments: ['prod'] }, (s) => {
   *   s.call(report).name('reports:daily').dailyAt('02:00');
   * });
   */
  group(attributes: GroupAttributes, declare: (schedule: Schedule) => void): void {
    this.#assertEditable();
    applyAttributes(undefined, attributes); // validates the keys and values before anything is declared
    this.#groups.push(attributes);
    try {
      declare(this);
    } finally {
      this.#groups.pop();
    }
  }

  /** Schedules the `@Scheduled` methods of each object, bound to it. */
  register(...instances: object[]): void {
    for (const instance of instances) {
      for (const { method, expression, options } of scheduledMethods(instance)) {
        const { name, description, ...attributes } = options;
        const builder = this.call(method.bind(instance)).name(name).cron(expression);
        if (description !== undefined) builder.description(description);
        applyAttributes(builder, attributes);
      }
    }
  }

  /** The validated, frozen task definitions, in the order they were declared. */
  tasks(): readonly TaskDefinition[] {
    return this.#ensureBuilt().definitions;
  }

  /** The definitions with their compiled matchers; what the evaluator and the tick use. */
  compiled(): readonly CompiledTask[] {
    return this.#ensureBuilt().compiled;
  }

  /**
   * Every scheduled slot in `[from, to)` as `{ name, at }`, sorted by time then name: time zones, DST,
   * sub-minute slots and intervals included; runtime filters (`when`, `between`, …) not applied.
   *
   * @example
   * schedule.occurrences(new Date('2026-03-08T00:00Z'), new Date('2026-03-09T00:00Z'));
   */
  occurrences(from: Date, to: Date): Occurrence[] {
    return occurrences(this.compiled(), from, to);
  }

  /** The next `count` slots of the task `name` at or after `from`, on the same engine as the tick. */
  nextRuns(name: string, from: Date, count: number): Date[] {
    return nextRuns(this.compiled(), name, from, count);
  }

  /** The registry `command()` tasks resolve against. */
  get commands(): CommandRegistry {
    return this.#commands;
  }

  #add(action: TaskAction, derivedName?: string): TaskBuilder {
    this.#assertEditable();
    const draft = newDraft(action, derivedName);
    this.#drafts.push(draft);
    const builder = new TaskBuilder(draft, () => this.#assertEditable());
    for (const attributes of this.#groups) applyAttributes(builder, attributes);
    return builder;
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
      const name = draft.name ?? draft.derivedName;
      if (name === undefined) {
        const locks = [draft.withoutOverlapping !== false && 'withoutOverlapping()', draft.onOneServer && 'onOneServer()'].filter(Boolean);
        const why = locks.length > 0 ? `${locks.join(' and ')} lock on it` : 'names key its locks and run records';
        throw new InvalidTaskError(undefined, `Task #${index + 1} (cron "${draft.expression}") has no name: call .name('...') — ${why}`);
      }
      if (draft.withoutOverlapping !== false && draft.timeoutSeconds !== undefined && draft.withoutOverlapping.expiresMinutes * 60 < draft.timeoutSeconds) {
        throw new InvalidTaskError(
          name,
          `withoutOverlapping(${draft.withoutOverlapping.expiresMinutes}) caps the lease below the run's timeout(${draft.timeoutSeconds}): the lease would expire mid-run and let a second run overlap; expected a cap of at least ${Math.ceil(draft.timeoutSeconds / 60)} minutes`,
        );
      }
      if (seen.has(name)) {
        throw new InvalidTaskError(name, 'the name is already used by another task; names must be unique (give one a .name())');
      }
      seen.add(name);
      if (draft.action.type === 'command' && this.#commands.get(draft.action.command) === undefined) {
        throw new InvalidTaskError(
          name,
          `command "${draft.action.command}" is not registered; call registerCommand('${draft.action.command}', handler) before the schedule is built`,
        );
      }
      const task = Object.freeze({ definition: freezeDraft(draft, name), cron: compileCron(draft.expression, name) });
      assertJitterFits(task.definition, task.cron);
      return task;
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
