import { describeValue, InvalidDispatcherConfigError } from '../errors.js';
import type { Dispatcher, DispatchOutcome, TaskEventDetail } from './Dispatcher.js';
import {
  DELIVERED,
  DELIVERY_DEFAULTS,
  describeError,
  failure,
  rejectUnknownOptions,
  resolveDelivery,
  sendWithRetries,
  type DeliveryPolicy,
  type Transport,
} from './retry.js';

export interface MemoryDispatcherOptions {
  /**
   * Decides each attempt at each event: return the error text to fail that attempt (it is retried
   * like an AWS failure), or undefined to deliver the event. @default every attempt delivers
   */
  readonly fail?: (detail: TaskEventDetail, attempt: number) => string | undefined;
  /** Attempts per event, the first one included. @default 4 */
  readonly maxAttempts?: number;
}

const OWNER = 'MemoryDispatcher';
const OPTION_KEYS = ['fail', 'maxAttempts'];

/**
 * The dispatcher twin for unit tests and the local runner: delivers into an array, with the same
 * outcome rules as the AWS dispatchers (attempts counted, failed events retried until `maxAttempts`,
 * outcomes in input order, a detail that is not JSON failing with `attempts: 0`) and no real waits.
 *
 * @example
 * const dispatcher = new MemoryDispatcher({ fail: (detail, attempt) => (attempt === 1 ? 'ThrottlingException: slow down' : undefined) });
 * await dispatcher.dispatch([detail]); // [{ id: detail.id, dispatched: true, attempts: 2 }]
 * dispatcher.sent; // [detail]
 */
export class MemoryDispatcher implements Dispatcher {
  readonly #delivered: TaskEventDetail[] = [];
  readonly #policy: DeliveryPolicy;
  readonly #transport: Transport<TaskEventDetail>;

  constructor(options: MemoryDispatcherOptions = {}) {
    rejectUnknownOptions(OWNER, options, OPTION_KEYS);
    const { fail = () => undefined, maxAttempts = DELIVERY_DEFAULTS.maxAttempts } = options;
    if (typeof fail !== 'function') {
      throw new InvalidDispatcherConfigError('fail', `${OWNER} expects fail to be a function, got ${describeValue(fail)}`);
    }
    this.#policy = resolveDelivery(OWNER, { maxAttempts, sleep: async () => {} }, 1);
    this.#transport = {
      prepare: (detail) => {
        try {
          // What a worker would receive: the detail after a trip through JSON, as on the real transports.
          return { item: JSON.parse(JSON.stringify(detail)) as TaskEventDetail };
        } catch (error) {
          return { error: `the event's detail is not JSON: ${describeError(error)}` };
        }
      },
      send: async (details, attempt) =>
        details.map((detail) => {
          const error = fail(detail, attempt);
          if (error !== undefined) return failure(error);
          this.#delivered.push(detail);
          return DELIVERED;
        }),
    };
  }

  /** The details delivered so far, in delivery order (failed attempts are not in it); a snapshot. */
  get sent(): readonly TaskEventDetail[] {
    return [...this.#delivered];
  }

  dispatch(events: readonly TaskEventDetail[]): Promise<DispatchOutcome[]> {
    return sendWithRetries(events, this.#transport, this.#policy);
  }
}
