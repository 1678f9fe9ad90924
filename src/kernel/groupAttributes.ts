import { InvalidTaskError } from '../errors.js';
import { TaskBuilder } from './TaskBuilder.js';
import { newDraft } from './TaskDraft.js';
import type { CatchUpOptions, Condition, LambdaOptions, OverlapPolicy } from './types.js';

/**
 * Attributes several tasks can share through `schedule.group()`, and that `@Scheduled` accepts as
 * options. Each key is the builder method of the same name.
 */
export interface GroupAttributes {
  readonly cron?: string;
  readonly timezone?: string;
  /** `true`, the lease cap in minutes, or `{ expiresMinutes, policy }`. */
  readonly withoutOverlapping?: boolean | number | { expiresMinutes?: number; policy?: OverlapPolicy };
  readonly onOneServer?: boolean;
  readonly environments?: readonly string[];
  readonly evenWhenPaused?: boolean;
  /** Seconds. */
  readonly timeout?: number;
  readonly catchUp?: Partial<CatchUpOptions>;
  /** Seconds. */
  readonly jitter?: number;
  readonly runInBackground?: boolean;
  readonly onLambda?: LambdaOptions;
  readonly when?: Condition;
  readonly skip?: Condition;
  readonly between?: readonly [start: string, end: string];
  readonly unlessBetween?: readonly [start: string, end: string];
}

type Apply = (builder: TaskBuilder, value: never) => void;

const APPLIERS: Record<keyof GroupAttributes, Apply> = {
  cron: (b, v: string) => b.cron(v),
  timezone: (b, v: string) => b.timezone(v),
  withoutOverlapping: (b, v: boolean | number | { expiresMinutes?: number; policy?: OverlapPolicy }) => {
    if (v === true) b.withoutOverlapping();
    else if (v !== false) b.withoutOverlapping(v);
  },
  onOneServer: (b, v: boolean) => flag(b, 'onOneServer', v, () => b.onOneServer()),
  environments: (b, v: readonly string[]) => b.environments(...(Array.isArray(v) ? v : [v as never])),
  evenWhenPaused: (b, v: boolean) => flag(b, 'evenWhenPaused', v, () => b.evenWhenPaused()),
  timeout: (b, v: number) => b.timeout(v),
  catchUp: (b, v: Partial<CatchUpOptions>) => b.catchUp(v),
  jitter: (b, v: number) => b.jitter(v),
  runInBackground: (b, v: boolean) => flag(b, 'runInBackground', v, () => b.runInBackground()),
  onLambda: (b, v: LambdaOptions) => b.onLambda(v),
  when: (b, v: Condition) => b.when(v),
  skip: (b, v: Condition) => b.skip(v),
  between: (b, v: readonly [string, string]) => b.between(...pair('between', v)),
  unlessBetween: (b, v: readonly [string, string]) => b.unlessBetween(...pair('unlessBetween', v)),
};

/**
 * Applies `attributes` through the builder's own methods, so they are validated exactly as direct
 * calls are. With no builder, only validates (on a scratch task). Unknown keys are rejected.
 */
export function applyAttributes(builder: TaskBuilder | undefined, attributes: GroupAttributes): void {
  if (attributes === null || typeof attributes !== 'object') {
    throw new InvalidTaskError(undefined, `group attributes must be an object, got ${String(attributes)}`);
  }
  const target = builder ?? new TaskBuilder(newDraft({ type: 'call', handler: () => {} }, 'group attributes'), () => {});
  for (const [key, value] of Object.entries(attributes)) {
    const apply = APPLIERS[key as keyof GroupAttributes];
    if (apply === undefined) {
      throw new InvalidTaskError(undefined, `unknown attribute "${key}"; expected one of ${Object.keys(APPLIERS).join(', ')}`);
    }
    if (value !== undefined) apply(target, value as never);
  }
}

function flag(builder: TaskBuilder, key: string, value: unknown, set: () => void): void {
  if (typeof value !== 'boolean') throw new InvalidTaskError(undefined, `attribute "${key}" expects a boolean, got ${String(value)}`);
  if (value) set();
}

function pair(key: string, value: unknown): [string, string] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new InvalidTaskError(undefined, `attribute "${key}" expects [start, end], got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}
