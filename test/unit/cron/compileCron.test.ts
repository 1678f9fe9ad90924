import { describe, expect, it } from 'vitest';
import { compileCron } from '../../../src/cron/compileCron.js';
import { InvalidCronExpressionError } from '../../../src/errors.js';

const at = (iso: string) => new Date(iso);

describe('compileCron matching (UTC)', () => {
  it.each([
    ['* * * * *', '2026-03-01T10:17:00Z', true],
    ['*/5 * * * *', '2026-03-01T10:15:00Z', true],
    ['*/5 * * * *', '2026-03-01T10:17:00Z', false],
    ['0 2 * * *', '2026-03-01T02:00:00Z', true],
    ['0 2 * * *', '2026-03-01T03:00:00Z', false],
    ['30 9 * * MON-FRI', '2026-11-23T09:30:00Z', true], // a Monday
    ['30 9 * * MON-FRI', '2026-11-22T09:30:00Z', false], // a Sunday
    ['0 0 * * 7', '2026-11-22T00:00:00Z', true], // 7 is Sunday too
    ['0 0 L * *', '2026-02-28T00:00:00Z', true],
    ['0 0 L * *', '2028-02-28T00:00:00Z', false], // leap year: the 29th is last
    ['0 0 L * *', '2028-02-29T00:00:00Z', true],
    ['0 0 * * 5L', '2026-11-27T00:00:00Z', true], // last Friday of November 2026
    ['0 0 * * 5L', '2026-11-20T00:00:00Z', false],
    ['0 0 * * MON#2', '2026-11-09T00:00:00Z', true],
    ['0 0 * * MON#2', '2026-11-16T00:00:00Z', false],
    ['0 0 * JAN-MAR ?', '2026-02-10T00:00:00Z', true],
    ['0 0 * JAN-MAR ?', '2026-04-10T00:00:00Z', false],
  ])('%s at %s → %s', (expression, instant, expected) => {
    expect(compileCron(expression).matchesMinute(at(instant))).toBe(expected);
  });

  it('ORs day-of-month and day-of-week when both are restricted', () => {
    const cron = compileCron('0 0 1 * MON');
    expect(cron.matchesMinute(at('2026-12-01T00:00:00Z'))).toBe(true); // the 1st, a Tuesday
    expect(cron.matchesMinute(at('2026-11-23T00:00:00Z'))).toBe(true); // a Monday, not the 1st
    expect(cron.matchesMinute(at('2026-11-24T00:00:00Z'))).toBe(false);
  });

  it('counts a stepped day-of-month as restricted (docs/design.md#cron-dialect), so */10 with a weekday ORs', () => {
    const cron = compileCron('0 0 */10 * MON');
    expect(cron.matchesMinute(at('2026-11-11T00:00:00Z'))).toBe(true); // day 11 (1, 11, 21, 31), a Wednesday
    expect(cron.matchesMinute(at('2026-11-23T00:00:00Z'))).toBe(true); // a Monday
    expect(cron.matchesMinute(at('2026-11-12T00:00:00Z'))).toBe(false);
  });

  it('reads seconds from a 6-field expression and defaults to second 0', () => {
    expect(compileCron('*/15 * * * * *').seconds).toEqual([0, 15, 30, 45]);
    expect(compileCron('* * * * *').seconds).toEqual([0]);
  });
});

describe('compileCron errors', () => {
  it.each([
    ['61 * * * *', 'minute ("61")', 'expected 0–59, got 61'],
    ['* 25 * * *', 'hour ("25")', 'expected 0–23, got 25'],
    ['* * 32 * *', 'day-of-month ("32")', 'expected 1–31 or L, got 32'],
    ['* * * 13 *', 'month ("13")', 'expected 1–12, got 13'],
    ['* * * * 8', 'day-of-week ("8")', 'expected 0–7 (or a name), or nL for the last such weekday, got 8'],
    ['70 * * * * *', 'second ("70")', 'expected 0–59, got 70'],
  ])('%s names the %s field', (expression, field, reason) => {
    const error = captureError(() => compileCron(expression, 'reports:daily'));
    expect(error).toBeInstanceOf(InvalidCronExpressionError);
    expect(error.code).toBe('INVALID_CRON_EXPRESSION');
    expect(error.message).toContain('Task "reports:daily"');
    expect(error.message).toContain(`the ${field} field`);
    expect(error.message).toContain(reason);
  });

  it('rejects the wrong number of fields, saying what is expected', () => {
    const error = captureError(() => compileCron('* * *', 'short'));
    expect(error.message).toBe(
      'Task "short": invalid cron expression "* * *": expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got 3',
    );
  });
});

function captureError(fn: () => unknown): InvalidCronExpressionError {
  try {
    fn();
  } catch (error) {
    return error as InvalidCronExpressionError;
  }
  throw new Error('expected an error');
}
