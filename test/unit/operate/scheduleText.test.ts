import { describe, expect, it } from 'vitest';
import { scheduleInWords } from '../../../src/operate/scheduleText.js';

const task = (expression: string, extra: { timezone?: string; repeatSeconds?: number; intervalMinutes?: number } = {}) => ({
  expression,
  timezone: extra.timezone ?? 'UTC',
  repeatSeconds: extra.repeatSeconds,
  intervalMinutes: extra.intervalMinutes,
});

describe('scheduleInWords', () => {
  it.each([
    [task('0 2 * * *', { timezone: 'Europe/Paris' }), 'At 02:00, Europe/Paris'],
    [task('*/15 * * * 1-5'), 'Every 15 minutes, Monday through Friday, UTC'],
    [task('0 0 L * *'), 'At 00:00, on the last day of the month, UTC'],
    [task('*/10 * * * * *'), 'Every 10 seconds, UTC'],
    // everyTenSeconds(): the expression is every minute, the seconds come from repeatSeconds.
    [task('* * * * *', { repeatSeconds: 10 }), 'Every 10 seconds, UTC'],
    [task('* 9-17 * * *', { repeatSeconds: 30 }), 'Every minute, between 09:00 and 17:59, every 30 seconds within each such minute, UTC'],
    // every(420): counted from the epoch, which no cron step says.
    [task('* * * * *', { intervalMinutes: 7 }), 'Every 7 minutes, counted from 1970-01-01 00:00 UTC, UTC'],
  ])('%j → %j', (definition, words) => {
    expect(scheduleInWords(definition)).toBe(words);
  });
});
