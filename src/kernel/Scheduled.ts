import { InvalidTaskError } from '../errors.js';
import type { GroupAttributes } from './groupAttributes.js';
import type { TaskFn } from './types.js';

/** Options of `@Scheduled`: a name (required, as for every task) plus any group attribute. */
export interface ScheduledOptions extends GroupAttributes {
  readonly name: string;
  readonly description?: string;
}

interface ScheduledMethod {
  readonly expression: string;
  readonly options: ScheduledOptions;
}

/** Decorated methods, keyed by the function itself so the class needs no extra metadata. */
const decorated = new WeakMap<Function, ScheduledMethod>();

/**
 * Marks a method as a scheduled task; `schedule.register(instance)` schedules it, bound to the
 * instance, exactly as `schedule.call(...).name(...).cron(expression)` with the options applied.
 * Works with standard (TC39) decorators and with `experimentalDecorators`.
 *
 * @example
 * class Reports {
 *   @Scheduled('0 2 * * *', { name: 'reports:daily', timezone: 'Europe/Paris', withoutOverlapping: true })
 *   async daily(context: TaskContext) { ... }
 * }
 * // in the kernel:
 * schedule.register(new Reports());
 */
export function Scheduled(expression: string, options: ScheduledOptions) {
  // Works as a standard (TC39) decorator, `(method, context)`, and as a legacy
  // `experimentalDecorators` one, `(prototype, key, descriptor)`: both reach the same method.
  return (...args: unknown[]): void => {
    const [first, second, third] = args;
    const standard = typeof second === 'object' && second !== null && 'kind' in second;
    const method = standard ? first : (third as PropertyDescriptor | undefined)?.value;
    const where = standard ? String((second as ClassMethodDecoratorContext).name) : String(second);
    if (typeof method !== 'function' || (standard && ((second as ClassMethodDecoratorContext).kind !== 'method' || (second as ClassMethodDecoratorContext).static))) {
      throw new InvalidTaskError(options?.name, `@Scheduled decorates instance methods only (on ${where})`);
    }
    if (typeof expression !== 'string') {
      throw new InvalidTaskError(options?.name, `@Scheduled expects a cron expression string, got ${String(expression)}`);
    }
    if (options === null || typeof options !== 'object' || typeof options.name !== 'string') {
      throw new InvalidTaskError(undefined, `@Scheduled on ${where} needs options with a name: { name: 'reports:daily' }`);
    }
    decorated.set(method, { expression, options });
  };
}

/** The `@Scheduled` methods of an object and its prototype chain, in declaration order. */
export function scheduledMethods(instance: object): (ScheduledMethod & { readonly method: TaskFn })[] {
  const found: (ScheduledMethod & { method: TaskFn })[] = [];
  const seen = new Set<string | symbol>();
  for (let proto = Object.getPrototypeOf(instance); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Reflect.ownKeys(proto)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value;
      const spec = typeof value === 'function' ? decorated.get(value) : undefined;
      if (spec !== undefined) found.push({ ...spec, method: value });
    }
  }
  return found;
}
