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

/**
 * A dispatcher built when the first fan-out slot is sent, not at start-up: its AWS client is a few
 * milliseconds of a cold start (`npm run bench`, budget 2), and many minutes have no fan-out slot due.
 * If it cannot be built (a bad `TICKWORK_BUS`), every event of the call is reported not sent, so the
 * tick releases and requeues their slots as for any send that failed.
 */
export function onFirstDispatch(build: () => Dispatcher): Dispatcher {
  let dispatcher: Dispatcher | undefined;
  return {
    async dispatch(events) {
      try {
        dispatcher ??= build();
      } catch (error) {
        const message = `the dispatcher could not be built: ${error instanceof Error ? error.message : String(error)}`;
        return events.map((event) => ({ id: event.id, dispatched: false as const, attempts: 0, error: message }));
      }
      return dispatcher.dispatch(events);
    },
  };
}
