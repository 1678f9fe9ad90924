import { seeded } from '../../seeded.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RetryErrorType, RetryStrategyV2, RetryToken, SdkError } from '@smithy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOUNDED_RETRY_DEFAULTS, BoundedRetryStrategy } from '../../../src/aws/BoundedRetryStrategy.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/dynamoDbLocal.js';


/** How one simulated request goes, decided up front so that both strategies face the same sequence. */
interface Script {
  /** The fault each attempt meets, if any, in attempt order (more than either strategy will use). */
  readonly faults: readonly (RetryErrorType | undefined)[];
  /** Whether the attempt that gets through loses its condition (ConditionalCheckFailedException). */
  readonly losesCondition: boolean;
}

/**
 * 10,000 DynamoDB requests with a 20 % fault rate per attempt — throttles, 500s and resets alike — of
 * which a quarter are conditional writes that lose: a claim another tick holds, a lease in use, or the
 * retry of a write whose first reply was lost. That is Tickwork's traffic under faults.
 */
function scripts(count: number, seed: number, conditionalShare = 0.25): Script[] {
  const random = seeded(seed);
  const fault = (): RetryErrorType | undefined => {
    if (random() >= 0.2) return undefined;
    const kind = random();
    return kind < 1 / 3 ? 'THROTTLING' : 'TRANSIENT'; // the SDK classifies both 500s and resets as TRANSIENT
  };
  return Array.from({ length: count }, () => ({ faults: Array.from({ length: 8 }, fault), losesCondition: random() < conditionalShare }));
}

interface Tally {
  succeeded: number;
  lostCondition: number;
  /** Requests that failed with every attempt spent: the fault outlasted the retries. */
  outOfAttempts: number;
  /** Requests refused a retry they had attempts left for: the strategy ran out of something else. */
  refusedWithAttemptsLeft: number;
}

/** Drives `strategy` as the SDK's retry middleware does, one request at a time, through `requests`. */
async function simulate(strategy: RetryStrategyV2, maxAttempts: number, requests: readonly Script[]): Promise<Tally> {
  const tally: Tally = { succeeded: 0, lostCondition: 0, outOfAttempts: 0, refusedWithAttemptsLeft: 0 };
  for (const script of requests) {
    let token: RetryToken = await strategy.acquireInitialRetryToken('');
    for (let attempt = 1; ; attempt += 1) {
      const errorType = script.faults[attempt - 1];
      if (errorType === undefined) {
        if (script.losesCondition) {
          // A 400: the middleware asks, is refused, and throws the error; nothing is recorded as a success.
          await expect(strategy.refreshRetryTokenForRetry(token, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
          tally.lostCondition += 1;
        } else {
          strategy.recordSuccess(token);
          tally.succeeded += 1;
        }
        break;
      }
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType });
      } catch {
        if (attempt < maxAttempts) tally.refusedWithAttemptsLeft += 1;
        else tally.outOfAttempts += 1;
        break;
      }
    }
  }
  return tally;
}

/** The SDK's default DynamoDB retry strategy and its attempts, with its waits made instant. */
async function sdkStandardStrategy(): Promise<{ strategy: RetryStrategyV2; maxAttempts: number }> {
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const strategy = (await client.config.retryStrategy()) as RetryStrategyV2;
  const maxAttempts = await client.config.maxAttempts();
  client.destroy();
  // It sleeps inside refreshRetryTokenForRetry; how long does not matter here, so the waits pass at once.
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void) => {
    queueMicrotask(callback);
    return 0;
  }) as unknown as typeof setTimeout);
  return { strategy, maxAttempts };
}

describe('BoundedRetryStrategy under a steady fault rate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never refuses a retry for want of quota under a steady 20 % fault rate — where the SDK\'s standard strategy runs dry', async () => {
    const requests = scripts(10_000, 2026);
    const exhausted = (attempts: number) => requests.filter((s) => s.faults.slice(0, attempts).every((f) => f !== undefined)).length;

    const bounded = await simulate(new BoundedRetryStrategy({ random: () => 0.5 }), BOUNDED_RETRY_DEFAULTS.maxAttempts, requests);
    expect(bounded.refusedWithAttemptsLeft).toBe(0);
    expect(bounded.outOfAttempts).toBe(exhausted(5)); // only faults that outlast five attempts fail
    expect(bounded.outOfAttempts).toBeLessThan(10);

    // The strategy a DynamoDBClient builds by default: 4 attempts, 500 retry tokens per client.
    const { strategy: standard, maxAttempts } = await sdkStandardStrategy();
    const sdk = await simulate(standard, maxAttempts, requests);
    expect(maxAttempts).toBe(4);
    // Each is a request that failed although it had attempts left — in a tick, a failed tick.
    expect(sdk.refusedWithAttemptsLeft).toBeGreaterThan(300);
    expect(sdk.outOfAttempts + sdk.refusedWithAttemptsLeft).toBeGreaterThan(50 * (bounded.outOfAttempts + 1));
  });

  it('(why the SDK runs dry: a write that loses its condition refunds nothing; with none, its bucket holds)', async () => {
    const { strategy, maxAttempts } = await sdkStandardStrategy();
    expect((await simulate(strategy, maxAttempts, scripts(10_000, 2026, 0))).refusedWithAttemptsLeft).toBe(0);
  });
});

describe('BoundedRetryStrategy, one request at a time', () => {
  /** Retries `errorType` until refused; the delay of each retry granted. */
  async function delaysUntilRefused(strategy: BoundedRetryStrategy, errorType: RetryErrorType): Promise<number[]> {
    const delays: number[] = [];
    let token = await strategy.acquireInitialRetryToken('dynamodb');
    for (;;) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType });
      } catch {
        return delays;
      }
      expect(token.getRetryCount()).toBe(delays.length + 1);
      delays.push(token.getRetryDelay());
    }
  }

  it.each([
    // jitter pinned just under 1: each delay is its ceiling less one
    ['TRANSIENT', [49, 99, 199, 399]],
    ['SERVER_ERROR', [49, 99, 199, 399]],
    ['THROTTLING', [199, 399, 799, 1599]],
  ] as const)('retries %s at most 4 times (5 attempts), under ceilings that double', async (errorType, delays) => {
    expect(await delaysUntilRefused(new BoundedRetryStrategy({ random: () => 0.999_999 }), errorType)).toEqual(delays);
  });

  it('draws each delay uniformly below its ceiling (full jitter)', async () => {
    expect(await delaysUntilRefused(new BoundedRetryStrategy({ random: () => 0 }), 'TRANSIENT')).toEqual([0, 0, 0, 0]);
    expect(await delaysUntilRefused(new BoundedRetryStrategy({ random: () => 0.5 }), 'TRANSIENT')).toEqual([25, 50, 100, 200]);
  });

  it('caps the ceiling at maxDelayMs when more attempts are allowed', async () => {
    const strategy = new BoundedRetryStrategy({ maxAttempts: 8, maxDelayMs: 300, random: () => 0.999_999 });
    expect(await delaysUntilRefused(strategy, 'TRANSIENT')).toEqual([49, 99, 199, 299, 299, 299, 299]);
  });

  it('does not retry a client error — ConditionalCheckFailedException, ValidationException — at all', async () => {
    const strategy = new BoundedRetryStrategy();
    expect(await delaysUntilRefused(strategy, 'CLIENT_ERROR')).toEqual([]);
  });

  it('retries a write that met a transaction in progress (TransactionConflictException, a 400), like a transient fault', async () => {
    const strategy = new BoundedRetryStrategy();
    let token = await strategy.acquireInitialRetryToken('');
    const sdkError = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } }) as unknown as SdkError;
    const conflict = { errorType: 'CLIENT_ERROR' as const, error: sdkError('TransactionConflictException') };
    for (let retry = 1; retry < BOUNDED_RETRY_DEFAULTS.maxAttempts; retry++) {
      token = await strategy.refreshRetryTokenForRetry(token, conflict);
      expect(token.getRetryCount()).toBe(retry);
    }
    await expect(strategy.refreshRetryTokenForRetry(token, conflict)).rejects.toThrow(/attempts made/);
    const other = { errorType: 'CLIENT_ERROR' as const, error: sdkError('ConditionalCheckFailedException') };
    await expect(strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), other)).rejects.toThrow(/CLIENT_ERROR/);
  });

  it('keeps nothing between requests: a thousand requests that failed for good leave the next its full five attempts', async () => {
    const strategy = new BoundedRetryStrategy({ random: () => 0 });
    for (let i = 0; i < 1_000; i += 1) await delaysUntilRefused(strategy, 'THROTTLING');
    expect(await delaysUntilRefused(strategy, 'TRANSIENT')).toHaveLength(4);
  });

  it.each([
    [{ maxAttempts: 0 }, 'expects maxAttempts to be a whole number ≥ 1, got 0'],
    [{ baseDelayMs: -1 }, 'expects baseDelayMs to be a number of milliseconds ≥ 0, got -1'],
    [{ throttlingBaseDelayMs: Number.NaN }, 'expects throttlingBaseDelayMs to be a number of milliseconds ≥ 0, got NaN'],
    [{ maxDelayMs: Infinity }, 'expects maxDelayMs to be a number of milliseconds ≥ 0, got Infinity'],
    [{ random: 0.5 }, 'expects random to be a function, got 0.5'],
    [{ maxAttempt: 3 }, 'got unknown option maxAttempt; expected only maxAttempts, baseDelayMs, throttlingBaseDelayMs, maxDelayMs, random'],
  ])('rejects %j, naming the option', (options, message) => {
    const build = () => new BoundedRetryStrategy(options as never);
    expect(build).toThrow(`BoundedRetryStrategy ${message}`);
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_RETRY_CONFIG' }));
  });
});
