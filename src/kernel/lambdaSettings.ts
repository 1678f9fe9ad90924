import type { LambdaOptions, TaskDefinition } from './types.js';

/** What a fan-out task's Lambda gets for each setting `onLambda()` leaves out. */
export const LAMBDA_DEFAULTS = { memorySize: 1024, timeout: 300, retries: 0 } as const;

/** A fan-out task's Lambda settings with the defaults filled in. */
export interface LambdaSettings {
  readonly memorySize: number;
  readonly timeout: number;
  readonly retries: number;
  readonly reservedConcurrency: number | undefined;
}

/** The settings of `definition`'s own Lambda, or undefined for a task that runs inline in the tick. */
export function lambdaSettings(definition: Pick<TaskDefinition, 'lambda'>): LambdaSettings | undefined {
  const options: LambdaOptions | false = definition.lambda;
  if (options === false) return undefined;
  return {
    memorySize: options.memorySize ?? LAMBDA_DEFAULTS.memorySize,
    timeout: options.timeout ?? LAMBDA_DEFAULTS.timeout,
    retries: options.retries ?? LAMBDA_DEFAULTS.retries,
    reservedConcurrency: options.reservedConcurrency,
  };
}
