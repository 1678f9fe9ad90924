import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import { describeValue, TickworkError } from '../errors.js';

export interface BoundedRetryOptions {
  /** Attempts per request, the first one included. @default 5 */
  readonly maxAttempts?: number;
  /** Ceiling of the wait before the first retry; it doubles for each further retry. @default 50 */
  readonly baseDelayMs?: number;
  /** The same for throttling errors, which need the table to recover rather than a lost packet. @default 200 */
  readonly throttlingBaseDelayMs?: number;
  /** Cap on either ceiling. @default 2000 */
  readonly maxDelayMs?: number;
  /** Jitter source, in [0, 1); tests pin it. @default Math.random */
  readonly random?: () => number;
}

/**
 * Five attempts: at a 20 % fault rate, one request in 3,000 still fails (0.2⁵), against one in 625
 * with the four the SDK gives DynamoDB. Waits start at 50 ms — DynamoDB answers in milliseconds, so a
 * reset or a 500 is worth retrying almost at once — and at 200 ms for throttling. The 2 s cap is never
 * reached with five attempts (the ceilings are 50–400 ms, or 200–1,600 ms when throttled); it bounds
 * a caller that raises `maxAttempts`. Worst case, a request waits 0.75 s (3 s throttled) in all: well
 * inside a tick's minute.
 */
export const BOUNDED_RETRY_DEFAULTS = { maxAttempts: 5, baseDelayMs: 50, throttlingBaseDelayMs: 200, maxDelayMs: 2_000 } as const;

const KEYS = ['maxAttempts', 'baseDelayMs', 'throttlingBaseDelayMs', 'maxDelayMs', 'random'];

/** Throttling, a 5xx, a timeout or a reset: the request may pass next time. A 4xx (a failed condition, bad input) will not. */
const RETRYABLE: readonly RetryErrorType[] = ['THROTTLING', 'TRANSIENT', 'SERVER_ERROR'];

/**
 * An AWS SDK v3 retry strategy that retries throttling, server errors, timeouts and resets with
 * exponential backoff and full jitter, a bounded number of times — and keeps no retry quota.
 *
 * The SDK's standard strategy shares one token bucket per client: 500 tokens, 14 taken per retry (5 per
 * throttling retry), given back only by successes. Its purpose is to stop a fleet of clients from
 * hammering a service that is down. Tickwork's tick is no fleet: one invocation a minute, at most 32
 * requests in flight, so bounded attempts already cap what it adds to an outage (5× at worst). The
 * bucket, meanwhile, drains under a steady fault rate, because a conditional write that loses — a
 * claim already taken, a lease held, a retried write whose first reply was lost — refunds nothing;
 * once it is empty every fault fails outright, and the tick with it, until enough successes refill it.
 * Here each request has its own attempts, so no burst of faults can take retries from another.
 *
 * Stateless: one instance may serve any number of clients.
 *
 * @example
 * const client = new DynamoDBClient({ maxAttempts: 5, retryStrategy: new BoundedRetryStrategy() });
 */
export class BoundedRetryStrategy implements RetryStrategyV2 {
  readonly maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #throttlingBaseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #random: () => number;

  /** @throws {TickworkError} `INVALID_RETRY_CONFIG`, naming the option, for an unknown key or a bad value */
  constructor(options: BoundedRetryOptions = {}) {
    const unknown = Object.keys(options).find((key) => !KEYS.includes(key));
    if (unknown !== undefined) invalid(`got unknown option ${unknown}; expected only ${KEYS.join(', ')}`);
    const {
      maxAttempts = BOUNDED_RETRY_DEFAULTS.maxAttempts,
      baseDelayMs = BOUNDED_RETRY_DEFAULTS.baseDelayMs,
      throttlingBaseDelayMs = BOUNDED_RETRY_DEFAULTS.throttlingBaseDelayMs,
      maxDelayMs = BOUNDED_RETRY_DEFAULTS.maxDelayMs,
      random = Math.random,
    } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) invalid(`expects maxAttempts to be a whole number ≥ 1, got ${describeValue(maxAttempts)}`);
    for (const [name, value] of Object.entries({ baseDelayMs, throttlingBaseDelayMs, maxDelayMs })) {
      if (!Number.isFinite(value) || value < 0) invalid(`expects ${name} to be a number of milliseconds ≥ 0, got ${describeValue(value)}`);
    }
    if (typeof random !== 'function') invalid(`expects random to be a function, got ${describeValue(random)}`);
    this.maxAttempts = maxAttempts;
    this.#baseDelayMs = baseDelayMs;
    this.#throttlingBaseDelayMs = throttlingBaseDelayMs;
    this.#maxDelayMs = maxDelayMs;
    this.#random = random;
  }

  /** Every request starts with a token of its own; nothing is taken from anywhere. */
  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return token(0, 0);
  }

  /**
   * The token for the next attempt, carrying the wait before it (the SDK's retry middleware sleeps it,
   * so this stays free of timers): uniform in [0, min(maxDelayMs, base × 2^retry)), base by error type.
   * `retryAfterHint` is not read: DynamoDB sends no Retry-After.
   *
   * @throws Error when the error is not retryable or the request has had its attempts; the SDK then
   *   throws the request's own error
   */
  async refreshRetryTokenForRetry(previous: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = previous.getRetryCount();
    if (!RETRYABLE.includes(errorInfo.errorType) && !isTransactionConflict(errorInfo)) throw new Error(`Not retried: a ${errorInfo.errorType} error`);
    if (retries + 1 >= this.maxAttempts) throw new Error(`Not retried: ${this.maxAttempts} attempts made`);
    const base = errorInfo.errorType === 'THROTTLING' ? this.#throttlingBaseDelayMs : this.#baseDelayMs;
    const ceiling = Math.min(this.#maxDelayMs, base * 2 ** retries);
    return token(retries + 1, Math.floor(this.#random() * ceiling));
  }

  /** Nothing to refund: there is no quota. */
  recordSuccess(_token: RetryToken): void {}
}

/**
 * A write that met a transaction in progress on its item (DynamoDB's 400 `TransactionConflictException`):
 * the other writer is done within milliseconds, so the write may pass next time. The SDK classifies it
 * as a client error; the error itself reaches the strategy beside its type (`errorInfo.error`).
 */
function isTransactionConflict(errorInfo: RetryErrorInfo): boolean {
  return errorInfo.error?.name === 'TransactionConflictException';
}

function token(retries: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retries, getRetryDelay: () => delayMs };
}

function invalid(message: string): never {
  throw new TickworkError('INVALID_RETRY_CONFIG', `BoundedRetryStrategy ${message}`);
}
