import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { LimitFunction } from 'p-limit';
import { describeValue, InvalidDispatcherConfigError } from '../errors.js';
import { taskEvent, type Dispatcher, type DispatchOutcome, type TaskEventDetail } from './Dispatcher.js';
import {
  DELIVERED,
  describeError,
  failure,
  openDelivery,
  sendWithRetries,
  type AttemptResult,
  type DeliveryOptions,
  type DeliveryPolicy,
  type Transport,
} from './retry.js';

export interface LambdaDispatcherOptions extends DeliveryOptions {
  /** Built with `maxAttempts: 1`: the dispatcher does the retrying, and refuses a client that would too. */
  readonly client: LambdaClient;
  /** The function that runs a task, by task name: a function name, an ARN or a partial ARN. */
  readonly functionName: (task: string) => string;
}

/**
 * Largest payload Lambda accepts for an asynchronous invoke: 1 MB, which Lambda's documentation
 * means as 1,024 KB (API reference, Invoke). Larger ones fail without being sent.
 */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

const OWNER = 'LambdaDispatcher';
/** `concurrency` default: one call per event, so more in flight than for batches (as many as the tick's claims). */
const DEFAULT_CONCURRENCY = 32;
/** What an accepted asynchronous invoke answers. */
const ACCEPTED = 202;

interface PreparedInvoke {
  readonly functionName: string;
  readonly payload: Uint8Array;
}

/**
 * Hands each task event straight to its task's Lambda with an asynchronous `Invoke`, in the shape an
 * EventBridge rule would deliver (`taskEvent(detail)`), so the worker reads one shape either way.
 * Throttling, 5xx answers, network errors and answers other than 202 are retried with backoff; other
 * 4xx errors (ResourceNotFoundException, InvalidRequestContentException, RequestTooLargeException, …)
 * fail at once. The dispatcher is the only retry layer: its client must be built with `maxAttempts: 1`.
 * Never throws for an event: each gets an outcome, in input order.
 *
 * @example
 * const dispatcher = new LambdaDispatcher({ client: new LambdaClient({ maxAttempts: 1 }), functionName: (task) => `tickwork-dev-${task}` });
 * const outcomes = await dispatcher.dispatch(details);
 */
export class LambdaDispatcher implements Dispatcher {
  readonly #client: LambdaClient;
  readonly #functionName: (task: string) => string;
  readonly #policy: DeliveryPolicy;
  readonly #limit: LimitFunction;
  readonly #clientChecked: () => Promise<void>;
  readonly #transport: Transport<PreparedInvoke>;

  constructor(options: LambdaDispatcherOptions) {
    ({ policy: this.#policy, limit: this.#limit, clientChecked: this.#clientChecked } = openDelivery(OWNER, options, ['functionName'], { expected: 'a LambdaClient', concurrency: DEFAULT_CONCURRENCY }));
    if (typeof options.functionName !== 'function') {
      throw new InvalidDispatcherConfigError(
        'functionName',
        `${OWNER} expects functionName to be a function from task name to function name, got ${describeValue(options.functionName)}`,
      );
    }
    this.#client = options.client;
    this.#functionName = options.functionName;
    this.#transport = { prepare: (detail) => this.#prepare(detail), send: (invokes, attempt) => this.#send(invokes, attempt) };
  }

  /** @throws {InvalidDispatcherConfigError} before sending anything, when the client retries on its own */
  async dispatch(events: readonly TaskEventDetail[]): Promise<DispatchOutcome[]> {
    await this.#clientChecked();
    return sendWithRetries(events, this.#transport, this.#policy);
  }

  #prepare(detail: TaskEventDetail): { item: PreparedInvoke } | { error: string } {
    let functionName: unknown;
    let json: string;
    try {
      functionName = this.#functionName(detail.task);
      json = JSON.stringify(taskEvent(detail));
    } catch (error) {
      return { error: `the event could not be prepared: ${describeError(error)}` };
    }
    if (typeof functionName !== 'string' || functionName === '') {
      return { error: `functionName("${detail.task}") returned ${describeValue(functionName)}, not a function name` };
    }
    const payload = Buffer.from(json, 'utf8');
    if (payload.byteLength > MAX_ASYNC_PAYLOAD_BYTES) {
      return { error: `the payload is ${payload.byteLength} bytes; an asynchronous invoke accepts at most ${MAX_ASYNC_PAYLOAD_BYTES} (1 MB), so it was not sent` };
    }
    return { item: { functionName, payload } };
  }

  #send(invokes: readonly PreparedInvoke[], attempt: number): Promise<AttemptResult[]> {
    return Promise.all(invokes.map((invoke) => this.#limit(() => this.#invoke(invoke, attempt))));
  }

  async #invoke({ functionName, payload }: PreparedInvoke, attempt: number): Promise<AttemptResult> {
    let result: AttemptResult;
    try {
      const { StatusCode } = await this.#client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: payload }),
      );
      result = StatusCode === ACCEPTED ? DELIVERED : failure(`Invoke of ${functionName} answered ${StatusCode}, expected ${ACCEPTED}`);
    } catch (error) {
      result = failure(describeError(error), isRetryable(error));
    }
    this.#policy.onCall?.({ attempt, events: 1, failed: result.ok ? 0 : 1 });
    return result;
  }
}

/**
 * A 4xx answer means the request itself is wrong (no such function, bad payload, too large, access
 * denied) and will be wrong again; throttling (429), 5xx and errors with no answer at all may pass.
 */
function isRetryable(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return status === undefined || status === 429 || status >= 500;
}
