import type {
  CatchUpOptions,
  Condition,
  FailureHook,
  Hook,
  LambdaOptions,
  MonitorSettings,
  OverlapOptions,
  TaskAction,
  TaskDefinition,
  TimeWindow,
} from './types.js';

/** The mutable state a builder edits; `Schedule` validates and freezes it into a `TaskDefinition`. */
export interface TaskDraft {
  name: string | undefined;
  /** The name a command or exec task gets when `.name()` is not called. */
  readonly derivedName: string | undefined;
  description: string | undefined;
  expression: string;
  timezone: string;
  repeatSeconds: number | undefined;
  intervalMinutes: number | undefined;
  readonly action: TaskAction;
  when: Condition[];
  skip: Condition[];
  environments: string[] | undefined;
  between: TimeWindow | undefined;
  unlessBetween: TimeWindow | undefined;
  evenWhenPaused: boolean;
  before: Hook[];
  after: Hook[];
  onSuccess: Hook[];
  onFailure: FailureHook[];
  pingBefore: string[];
  pingAfter: string[];
  pingOnSuccess: string[];
  pingOnFailure: string[];
  outputFile: { target: string; append: boolean } | undefined;
  email: { to: readonly string[]; onlyIfOutput: boolean } | undefined;
  emailOnFailure: { to: readonly string[] } | undefined;
  timeoutSeconds: number | undefined;
  catchUp: CatchUpOptions;
  jitterSeconds: number | undefined;
  withoutOverlapping: OverlapOptions | false;
  onOneServer: boolean;
  lambda: LambdaOptions | false;
  monitor: MonitorSettings | undefined;
}

/** The default misfire handling (docs/design.md#missed-ticks-and-catch-up): within 5 minutes, run once for all missed slots. */
export const DEFAULT_CATCH_UP: CatchUpOptions = Object.freeze({ window: 5, policy: 'once', maxRuns: 10 });

/** A fresh draft: every minute, UTC, inline, no options. */
export function newDraft(action: TaskAction, derivedName?: string): TaskDraft {
  return {
    name: undefined,
    derivedName,
    description: undefined,
    expression: '* * * * *',
    timezone: 'UTC',
    repeatSeconds: undefined,
    intervalMinutes: undefined,
    action,
    when: [],
    skip: [],
    environments: undefined,
    between: undefined,
    unlessBetween: undefined,
    evenWhenPaused: false,
    before: [],
    after: [],
    onSuccess: [],
    onFailure: [],
    pingBefore: [],
    pingAfter: [],
    pingOnSuccess: [],
    pingOnFailure: [],
    outputFile: undefined,
    email: undefined,
    emailOnFailure: undefined,
    timeoutSeconds: undefined,
    catchUp: DEFAULT_CATCH_UP,
    jitterSeconds: undefined,
    withoutOverlapping: false,
    onOneServer: false,
    lambda: false,
    monitor: undefined,
  };
}

/** A deep-frozen definition of a draft whose name is settled. */
export function freezeDraft(draft: TaskDraft, name: string): TaskDefinition {
  const f = Object.freeze;
  return f({
    name,
    description: draft.description,
    expression: draft.expression,
    timezone: draft.timezone,
    repeatSeconds: draft.repeatSeconds,
    intervalMinutes: draft.intervalMinutes,
    action: f({ ...draft.action }),
    filters: f({
      when: f([...draft.when]),
      skip: f([...draft.skip]),
      environments: draft.environments === undefined ? undefined : f([...draft.environments]),
      between: draft.between === undefined ? undefined : f({ ...draft.between }),
      unlessBetween: draft.unlessBetween === undefined ? undefined : f({ ...draft.unlessBetween }),
    }),
    evenWhenPaused: draft.evenWhenPaused,
    hooks: f({ before: f([...draft.before]), after: f([...draft.after]), onSuccess: f([...draft.onSuccess]), onFailure: f([...draft.onFailure]) }),
    pings: f({ before: f([...draft.pingBefore]), after: f([...draft.pingAfter]), onSuccess: f([...draft.pingOnSuccess]), onFailure: f([...draft.pingOnFailure]) }),
    output: f({
      file: draft.outputFile === undefined ? undefined : f({ ...draft.outputFile }),
      email: draft.email === undefined ? undefined : f({ ...draft.email }),
      emailOnFailure: draft.emailOnFailure === undefined ? undefined : f({ ...draft.emailOnFailure }),
    }),
    timeoutSeconds: draft.timeoutSeconds,
    catchUp: f({ ...draft.catchUp }),
    jitterSeconds: draft.jitterSeconds,
    withoutOverlapping: draft.withoutOverlapping === false ? false : f({ ...draft.withoutOverlapping }),
    onOneServer: draft.onOneServer,
    lambda: draft.lambda === false ? false : f({ ...draft.lambda }),
    monitor: draft.monitor === undefined ? undefined : f({ ...draft.monitor }),
  });
}
