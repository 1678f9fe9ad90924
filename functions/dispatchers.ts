import type { Logger } from '@aws-lambda-powertools/logger';
import type { Dispatcher } from '../src/dispatch/Dispatcher.js';
import type { DispatcherKind } from '../src/infra/fanOutInfrastructure.js';

/**
 * How a tick function gets its dispatcher: the kind it was packaged for, and a factory that builds it
 * once per container. Each kind lives in its own module with its own AWS client, so a bundle holds
 * only the one its kernel uses (`tickwork/lambda/eventbridge`, `tickwork/lambda/invoke`).
 */
export interface DispatcherFactory {
  readonly kind: DispatcherKind;
  /** Its retry rounds are logged through `logger`. */
  create(logger: Logger): Dispatcher;
}
