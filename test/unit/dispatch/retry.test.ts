import { describe, expect, it } from 'vitest';
import { backoffDelay, DELIVERY_DEFAULTS, describeError, resolveDelivery } from '../../../src/dispatch/retry.js';

describe('backoffDelay: full jitter under a ceiling that doubles per retry, up to maxDelayMs', () => {
  const policy = (random: number) => ({ ...DELIVERY_DEFAULTS, random: () => random });

  it.each([
    // retry, jitter, delay: ceilings 100, 200, 400, 800, 1600, then capped at 2000
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [4, 0.5, 400],
    [5, 0.5, 800],
    [6, 0.5, 1000],
    [7, 0.5, 1000],
    [1, 0, 0],
    [3, 0.999_999, 399],
    [20, 0.999_999, 1999],
  ])('retry %i with jitter %d waits %i ms', (retry, random, delay) => {
    expect(backoffDelay(retry, policy(random))).toBe(delay);
  });
});

describe('resolveDelivery', () => {
  it('fills in the documented defaults', () => {
    const resolved = resolveDelivery('Owner', {}, 7);
    expect(resolved).toMatchObject({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000, concurrency: 7, onCall: undefined, logger: undefined });
  });

  it('waits for real by default', async () => {
    const started = performance.now();
    await resolveDelivery('Owner', {}, 1).sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it.each([
    ['maxAttempts', 1.5, 'a whole number ≥ 1, got 1.5'],
    ['baseDelayMs', Number.NaN, 'a number of milliseconds ≥ 0, got NaN'],
    ['maxDelayMs', -5, 'a number of milliseconds ≥ 0, got -5'],
    ['concurrency', 0, 'a whole number ≥ 1, got 0'],
    ['random', 0.5, 'a function, got 0.5'],
    ['onCall', 'yes', 'a function, got "yes"'],
    ['logger', console.log, 'a Logger, got a function'],
  ])('rejects %s = %j', (field, value, expected) => {
    expect(() => resolveDelivery('Owner', { [field]: value }, 1)).toThrow(`Owner expects ${field} to be ${expected}`);
  });
});

describe('describeError', () => {
  it.each([
    [Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), 'ThrottlingException: Rate exceeded'],
    [new Error('plain'), 'plain'],
    [new TypeError('bad'), 'TypeError: bad'],
    ['a string', 'a string'],
  ])('%s → %s', (error, text) => {
    expect(describeError(error)).toBe(text);
  });
});
