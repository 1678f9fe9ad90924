/**
 * How every dispatcher retries: the options they share, the backoff, and the attempt loop. A
 * transport only says how to turn an event into a request item and how one attempt at some items
 * went; the loop owns ordering, attempt counting and giving up, so every transport reports alike.
 *
 *   attempt 1: all events ──▶ failed ones ──sleep(jitter ≤ 100 ms)──▶ attempt 2: only those
 *              ──▶ failed ones ──sleep(≤ 200 ms)──▶ attempt 3 ──sleep(≤ 400 ms)──▶ attempt 4: last
 *
 * With the defaults the waits add up to at most 700 ms, well inside a tick's minute — and each
 * attempt is exactly one request, because this loop is the only retry layer: the SDK client must
 * not retry as well (see `checkClientDoesNotRetry`).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { setTimeout as wait } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { describeValue, InvalidDispatcherConfigError } from '../errors.js';
import type { DispatchOutcome, TaskEventDetail } from './Dispatcher.js';

/** One request to AWS as the `onCall` hook sees it. */
export interface DispatchCall {
  /** Which attempt of its events this request was, from 1. */
  readonly attempt: number;
  /** Events in the request: up to 10 for `PutEvents`, 1 for `Invoke`. */
  readonly events: number;
  /** Events the request did not deliver (all of them when the call itself failed). */
  readonly failed: number;
}

/** The options every AWS dispatcher takes on top of its own. */
export interface DeliveryOptions {
  /** Attempts per event, the first one included. @default 4 */
  readonly maxAttempts?: number;
  /**
   * Ceiling of the wait before the first retry; it doubles for each further retry, and the wait is
   * drawn uniformly below it ("full jitter"), so ticks that fail together do not retry together.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /** Cap on that ceiling. @default 2000 */
  readonly maxDelayMs?: number;
  /** Requests in flight at once. @default 10 (`PutEvents` batches), 32 (`Invoke` calls) */
  readonly concurrency?: number;
  /** How to wait between attempts; tests pass one that records the delay and resolves at once. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source, in [0, 1); tests pin it to make delays exact. @default Math.random */
  readonly random?: () => number;
  /**
   * Called after every request to AWS: the figures a tick report or a benchmark wants (requests,
   * retries, failures) without the dispatcher keeping counters across ticks. Must not throw.
   */
  readonly onCall?: (call: DispatchCall) => void;
  /** Each retry round is logged at `warn`, with the first error. @default no logging */
  readonly logger?: Logger;
}

/** The shared options with every default filled in. */
export interface DeliveryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly concurrency: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly onCall: ((call: DispatchCall) => void) | undefined;
  readonly logger: Logger | undefined;
}

export const DELIVERY_DEFAULTS = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2_000 } as const;

export const DELIVERY_KEYS = [
  'maxAttempts', 'baseDelayMs', 'maxDelayMs', 'concurrency', 'sleep', 'random', 'onCall', 'logger',
] as const;

/** How one attempt at one event went. */
export type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly retryable: boolean };

export const DELIVERED: AttemptResult = { ok: true };

export function failure(error: string, retryable = true): AttemptResult {
  return { ok: false, error, retryable };
}

/** What a dispatcher plugs into the attempt loop. */
export interface Transport<Item> {
  /**
   * The request item for an event, or why it can never be sent (too large, not JSON). Such an event
   * fails with `attempts: 0`: nothing was sent, so there is nothing to retry.
   */
  prepare(detail: TaskEventDetail): { readonly item: Item } | { readonly error: string };
  /** One attempt at `items`: one result per item, in the same order. Must not throw. */
  send(items: readonly Item[], attempt: number): Promise<readonly AttemptResult[]>;
}

/**
 * Sends every event through `transport`, retrying the failed ones together after a backoff until
 * they are delivered, fail for good or run out of attempts. Outcomes come back in the order given.
 *
 * @example
 * const outcomes = await sendWithRetries(events, { prepare, send }, resolveDelivery('MyDispatcher', {}, 10));
 */
export async function sendWithRetries<Item>(
  events: readonly TaskEventDetail[],
  transport: Transport<Item>,
  policy: DeliveryPolicy,
): Promise<DispatchOutcome[]> {
  const outcomes = new Array<DispatchOutcome>(events.length);
  let pending: { readonly index: number; readonly id: string; readonly item: Item }[] = [];
  events.forEach((detail, index) => {
    const prepared = transport.prepare(detail);
    if ('error' in prepared) outcomes[index] = { id: detail.id, dispatched: false, attempts: 0, error: prepared.error };
    else pending.push({ index, id: detail.id, item: prepared.item });
  });

  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const results = await transport.send(pending.map((p) => p.item), attempt);
    const retry: typeof pending = [];
    let firstError = '';
    pending.forEach((p, k) => {
      const result = results[k] ?? failure('the transport returned no result for this event');
      if (result.ok) {
        outcomes[p.index] = { id: p.id, dispatched: true, attempts: attempt };
      } else if (result.retryable && attempt < policy.maxAttempts) {
        retry.push(p);
        firstError ||= result.error;
      } else {
        outcomes[p.index] = { id: p.id, dispatched: false, attempts: attempt, error: result.error };
      }
    });
    if (retry.length > 0) {
      const delayMs = backoffDelay(attempt, policy);
      policy.logger?.warn('Retrying task events', { attempt: attempt + 1, events: retry.length, delayMs, error: firstError });
      await policy.sleep(delayMs);
    }
    pending = retry;
  }
  return outcomes;
}

/**
 * The wait before retry number `retry` (1 for the wait after the first attempt): uniform in
 * [0, min(maxDelayMs, baseDelayMs × 2^(retry−1))).
 */
export function backoffDelay(retry: number, policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Validates the shared options and fills in the defaults. Unknown keys are checked apart, by
 * `rejectUnknownOptions`, because only the owner knows its own keys.
 *
 * @throws {InvalidDispatcherConfigError} naming the field, what it expects and what it got
 */
export function resolveDelivery(owner: string, options: DeliveryOptions, defaultConcurrency: number): DeliveryPolicy {
  const {
    maxAttempts = DELIVERY_DEFAULTS.maxAttempts,
    baseDelayMs = DELIVERY_DEFAULTS.baseDelayMs,
    maxDelayMs = DELIVERY_DEFAULTS.maxDelayMs,
    concurrency = defaultConcurrency,
    sleep = (ms: number) => wait(ms),
    random = Math.random,
    onCall,
    logger,
  } = options;
  const check = (field: string, ok: boolean, expected: string, value: unknown) => {
    if (!ok) throw new InvalidDispatcherConfigError(field, `${owner} expects ${field} to be ${expected}, got ${describeValue(value)}`);
  };
  check('maxAttempts', Number.isInteger(maxAttempts) && maxAttempts >= 1, 'a whole number ≥ 1', maxAttempts);
  check('baseDelayMs', Number.isFinite(baseDelayMs) && baseDelayMs >= 0, 'a number of milliseconds ≥ 0', baseDelayMs);
  check('maxDelayMs', Number.isFinite(maxDelayMs) && maxDelayMs >= 0, 'a number of milliseconds ≥ 0', maxDelayMs);
  check('concurrency', Number.isInteger(concurrency) && concurrency >= 1, 'a whole number ≥ 1', concurrency);
  check('sleep', typeof sleep === 'function', 'a function', sleep);
  check('random', typeof random === 'function', 'a function', random);
  check('onCall', onCall === undefined || typeof onCall === 'function', 'a function', onCall);
  check('logger', logger === undefined || typeof logger?.warn === 'function', 'a Logger', logger);
  return { maxAttempts, baseDelayMs, maxDelayMs, concurrency, sleep, random, onCall, logger };
}

/** The part of an SDK v3 client a dispatcher relies on: `send`, and the resolved `maxAttempts`. */
interface SdkClient {
  send(command: unknown): Promise<unknown>;
  readonly config: { readonly maxAttempts: () => Promise<number> };
}

/**
 * What every AWS dispatcher's constructor does first: refuse option keys it does not know, check its
 * SDK client, and resolve the delivery policy, with one limiter so overlapping `dispatch()` calls share
 * the bound. `clientChecked()` settles whether the client retries on its own; `dispatch()` awaits it
 * before its first request (the SDK resolves `maxAttempts` asynchronously, so a constructor cannot).
 *
 * @throws {InvalidDispatcherConfigError} naming the field
 */
export function openDelivery(
  owner: string,
  options: DeliveryOptions & { readonly client?: unknown },
  ownKeys: readonly string[],
  client: { readonly expected: string; readonly concurrency: number },
): { readonly policy: DeliveryPolicy; readonly limit: LimitFunction; readonly clientChecked: () => Promise<void> } {
  rejectUnknownOptions(owner, options, ['client', ...ownKeys, ...DELIVERY_KEYS]);
  const sdk = options.client as Partial<SdkClient> | undefined;
  if (typeof sdk?.send !== 'function' || typeof sdk.config?.maxAttempts !== 'function') {
    throw new InvalidDispatcherConfigError('client', `${owner} expects client to be ${client.expected}, got ${describeValue(options.client)}`);
  }
  const policy = resolveDelivery(owner, options, client.concurrency);
  let checked: Promise<void> | undefined;
  return {
    policy,
    limit: pLimit(policy.concurrency),
    clientChecked: () => (checked ??= checkClientDoesNotRetry(owner, sdk as SdkClient, client.expected, policy.maxAttempts)),
  };
}

/**
 * Refuses an SDK client that would retry a failed request itself: the dispatcher must be the only
 * retry layer. Two layers multiply — the SDK's default 3 attempts inside each of the dispatcher's 4 make
 * 12 requests for one batch — and add up their waits (the SDK backs off throttling from a second,
 * up to 20 s), so a tick could spend many seconds on a batch the dispatcher means to give up on within
 * 0.7 s. The dispatcher's layer is the one to keep: it alone sees entries `PutEvents` rejected inside
 * a successful answer (which the SDK never retries), re-batches them, and reports attempts per event.
 *
 * The client is checked rather than built here because callers configure it (endpoint, region,
 * credentials) and may share it, as `DynamoDbStore` takes its client; build it with `maxAttempts: 1`.
 * Only `maxAttempts` is read: a custom `retryStrategy` is not inspected, and must not retry either.
 *
 * @throws {InvalidDispatcherConfigError} naming `client`, with the attempts the client would make
 */
async function checkClientDoesNotRetry(owner: string, client: SdkClient, expected: string, maxAttempts: number): Promise<void> {
  let attempts: number;
  try {
    attempts = await client.config.maxAttempts();
  } catch (error) {
    throw new InvalidDispatcherConfigError('client', `${owner} could not read its client's maxAttempts: ${describeError(error)}`, { cause: error });
  }
  if (attempts !== 1) {
    throw new InvalidDispatcherConfigError(
      'client',
      `${owner} expects client to be ${expected} built with maxAttempts: 1, since the dispatcher retries itself ` +
        `(${maxAttempts} attempts); got a client that makes up to ${describeValue(attempts)} attempts per request`,
    );
  }
}

/** Rejects option keys the owner does not know, so a misspelt `busname` fails at construction. */
export function rejectUnknownOptions(owner: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new InvalidDispatcherConfigError(unknown, `${owner} got unknown option ${unknown}; expected only ${known.join(', ')}`);
  }
}

/** An error as the text of a failed outcome: `Name: message`, e.g. `ThrottlingException: Rate exceeded`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
