import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidTickEventError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { createTickHandler, localSinks } from '../../../src/runner/createTickHandler.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { MAX_TICK_AGE_MS, MAX_TICK_AHEAD_MS, SCHEDULED_TIME_PLACEHOLDER, tickMinute } from '../../../src/tick/tickMinute.js';
import { lambdaContext } from '../../integration/lambdaContext.js';

/** The Lambda's clock in these tests: half a minute into 10:15. */
const NOW = Date.parse('2026-11-23T10:15:30Z');
const at = (now: number) => ({ now });

/** The InvalidTickEventError `tickMinute(event)` throws at NOW, or a failure if it accepts the event. */
function refusal(event: unknown, now = NOW): InvalidTickEventError {
  try {
    const minute = tickMinute(event, at(now));
    throw new Error(`expected a refusal, got the minute ${minute.toISOString()}`);
  } catch (error) {
    if (!(error instanceof InvalidTickEventError)) throw error;
    return error;
  }
}

describe('tickMinute', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['EventBridge Scheduler input', { scheduledTime: '2026-11-23T10:15:00Z' }, '2026-11-23T10:15:00.000Z'],
    ['rule event', { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-23T10:15:00Z' }, '2026-11-23T10:15:00.000Z'],
    ['manual invoke with milliseconds', { time: '2026-11-23T10:15:42.900Z' }, '2026-11-23T10:15:00.000Z'],
    ['a finer fraction (floored)', { time: '2026-11-23T10:15:42.123456Z' }, '2026-11-23T10:15:00.000Z'],
    ['no seconds', { time: '2026-11-23T10:15Z' }, '2026-11-23T10:15:00.000Z'],
    ['a +01:00 offset', { time: '2026-11-23T11:15:59+01:00' }, '2026-11-23T10:15:00.000Z'],
    ['a -05:30 offset', { time: '2026-11-23T04:45:00-05:30' }, '2026-11-23T10:15:00.000Z'],
    ['a delivery 23 h late (Scheduler retrying)', { scheduledTime: '2026-11-22T11:15:00Z' }, '2026-11-22T11:15:00.000Z'],
    ['the next minute, 2 s ahead of the clock (skew)', { scheduledTime: '2026-11-23T10:15:32Z' }, '2026-11-23T10:15:00.000Z'],
    ['the next minute, 30 s before it starts', { scheduledTime: '2026-11-23T10:16:00Z' }, '2026-11-23T10:16:00.000Z'],
    ['exactly 24 h 1 min old', { time: '2026-11-22T10:14:30.000Z' }, '2026-11-22T10:14:00.000Z'],
    ['exactly 1 min ahead', { time: '2026-11-23T10:16:30.000Z' }, '2026-11-23T10:16:00.000Z'],
  ])('accepts %s → the scheduled minute, floored', (_label, event, expected) => {
    expect(tickMinute(event, at(NOW)).toISOString()).toBe(expected);
  });

  it('accepts 29 February in a leap year', () => {
    expect(tickMinute({ time: '2028-02-29T10:00:00Z' }, at(Date.parse('2028-02-29T10:00:20Z'))).toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });

  it('bounds the time by the clock it is given, and never reads one itself', () => {
    vi.useFakeTimers({ now: Date.parse('2099-01-01T00:00:00Z') });
    expect(tickMinute({ scheduledTime: '2026-11-23T10:15:00Z' }, at(NOW)).toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(() => tickMinute({ scheduledTime: '2099-01-01T00:00:00Z' }, at(NOW))).toThrow(InvalidTickEventError);
  });

  it('resolves the unreplaced Scheduler placeholder only when told how (serverless-offline)', () => {
    const event = { scheduledTime: SCHEDULED_TIME_PLACEHOLDER };
    expect(tickMinute(event, { now: NOW, resolvePlaceholder: () => new Date('2026-11-23T10:14:59.990Z') }).toISOString())
      .toBe('2026-11-23T10:15:00.000Z');
    expect(refusal(event).message).toBe(
      'The tick event\'s "scheduledTime" must be an ISO-8601 timestamp of a real date and time with its zone ' +
        '(YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM), got "<aws.scheduler.scheduled-time>"',
    );
  });

  it('never uses the resolver for a real event: a tick delivered late keeps its minute', () => {
    const lateResolver = () => new Date('2030-01-01T00:00:00Z');
    expect(tickMinute({ scheduledTime: '2026-11-23T10:15:00Z' }, { now: NOW, resolvePlaceholder: lateResolver }).toISOString())
      .toBe('2026-11-23T10:15:00.000Z');
  });

  it.each([
    ['null', null, 'got null'],
    ['a string', 'hello', 'got the string "hello"'],
    ['an array', [], 'got an array'],
    ['no time', { foo: 1 }, 'got an event with keys [foo]'],
  ])('refuses %s, which has no time field', (_label, event, message) => {
    const error = refusal(event);
    expect(error).toMatchObject({ code: 'INVALID_TICK_EVENT', field: undefined });
    expect(error.message).toContain(message);
  });

  it.each([
    // Each of these is a date to Date.parse, which the tick used to run.
    ['a bare number as text', { time: '12' }, 'time', 'got "12"'],
    ['a date without a time', { time: '2026-11-23' }, 'time', 'got "2026-11-23"'],
    ['a space instead of T, no zone', { time: '2026-11-23 10:05' }, 'time', 'got "2026-11-23 10:05"'],
    ['a time without a zone', { scheduledTime: '2026-11-23T10:15:00' }, 'scheduledTime', 'got "2026-11-23T10:15:00"'],
    ['30 February', { time: '2026-02-30T10:00:00Z' }, 'time', 'got "2026-02-30T10:00:00Z"'],
    ['31 November', { time: '2026-11-31T10:00:00Z' }, 'time', 'got "2026-11-31T10:00:00Z"'],
    ['29 February in a common year', { time: '2026-02-29T10:00:00Z' }, 'time', 'got "2026-02-29T10:00:00Z"'],
    ['hour 24', { time: '2026-11-23T24:00:00Z' }, 'time', 'got "2026-11-23T24:00:00Z"'],
    ['second 60', { time: '2026-11-23T10:15:60Z' }, 'time', 'got "2026-11-23T10:15:60Z"'],
    ['an offset without a colon', { time: '2026-11-23T11:15:00+0100' }, 'time', 'got "2026-11-23T11:15:00+0100"'],
    ['an RFC 7231 date', { time: 'Mon, 23 Nov 2026 10:15:00 GMT' }, 'time', 'got "Mon, 23 Nov 2026 10:15:00 GMT"'],
    ['lower-case t and z', { time: '2026-11-23t10:15:00z' }, 'time', 'got "2026-11-23t10:15:00z"'],
    ['the word yesterday', { time: 'yesterday' }, 'time', 'got "yesterday"'],
    ['the number 12', { time: 12 }, 'time', 'got 12'],
    ['epoch seconds', { time: 1_795_428_900 }, 'time', 'got 1795428900'],
    ['null', { scheduledTime: null }, 'scheduledTime', 'got null'],
    ['a long string, cut short in the message', { time: 'x'.repeat(10_000) }, 'time', `got "${'x'.repeat(99)}…`],
  ])('refuses %s, naming the field and the format it expects', (_label, event, field, got) => {
    const error = refusal(event);
    expect(error).toMatchObject({ code: 'INVALID_TICK_EVENT', field });
    expect(error.message).toContain(`The tick event's "${field}" must be an ISO-8601 timestamp`);
    expect(error.message).toContain('(YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM)');
    expect(error.message).toContain(got);
  });

  it.each([
    ['far in the future', '2099-01-01T00:00:00Z', 'no later than 2026-11-23T10:16:30.000Z'],
    ['2 min ahead', '2026-11-23T10:17:30Z', 'no later than 2026-11-23T10:16:30.000Z'],
    ['1 ms past the 1 min allowance', '2026-11-23T10:16:30.001Z', 'no later than 2026-11-23T10:16:30.000Z'],
  ])('refuses a time %s of the clock, naming the clock it was compared with', (_label, time, expected) => {
    const error = refusal({ scheduledTime: time });
    expect(error).toMatchObject({ code: 'INVALID_TICK_EVENT', field: 'scheduledTime' });
    expect(error.message).toBe(
      `The tick event's "scheduledTime" is "${time}", more than 1 minute ahead of the clock (2026-11-23T10:15:30.000Z); expected a time ${expected}`,
    );
  });

  it.each([
    ['25 h old', '2026-11-22T09:15:30Z'],
    ['1 ms older than 24 h 1 min', '2026-11-22T10:14:29.999Z'],
    ['from 2001 (what "12" used to mean)', '2001-12-01T00:00:00Z'],
  ])('refuses a time %s, older than AWS holds a delivery', (_label, time) => {
    const error = refusal({ time });
    expect(error).toMatchObject({ code: 'INVALID_TICK_EVENT', field: 'time' });
    expect(error.message).toBe(
      `The tick event's "time" is "${time}", more than 24 h 1 min before the clock (2026-11-23T10:15:30.000Z), longer than AWS holds a delivery; ` +
        'expected a time no earlier than 2026-11-22T10:14:30.000Z',
    );
  });

  it('states its bounds: 1 minute ahead, 24 h and a minute behind', () => {
    expect(MAX_TICK_AHEAD_MS).toBe(60_000);
    expect(MAX_TICK_AGE_MS).toBe(24 * 3_600_000 + 60_000);
  });

  it('refuses a clock that is not a number of milliseconds', () => {
    expect(() => tickMinute({ time: '2026-11-23T10:15:00Z' }, at(Number.NaN))).toThrow(RangeError);
  });
});

describe('the tick handler refuses an out-of-bounds tick before any write', () => {
  it.each([
    ['far in the future', { scheduledTime: '2099-01-01T00:00:00Z' }],
    ['a day and more old', { scheduledTime: '2026-11-22T09:00:00Z' }],
    ['not ISO-8601', { time: '12' }],
  ])('%s: no task runs and the stored last tick stays where it was', async (_label, event) => {
    const runs: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void runs.push(slot)).name('every-minute').everyMinute();
    const store = new MemoryStore('test');
    await store.advanceTick(Date.parse('2026-11-23T10:14:00Z'));
    const handler = createTickHandler({
      schedule,
      store,
      deployment: 'test',
      stage: 'test',
      logger: new Logger({ logLevel: 'SILENT' }),
      sinks: localSinks(mkdtempSync(join(tmpdir(), 'tickwork-tick-'))),
      now: () => NOW,
    });

    await expect(handler(event, lambdaContext('tick', 5_000))).rejects.toThrow(InvalidTickEventError);
    expect(runs).toEqual([]);
    expect(await store.lastTick()).toBe(Date.parse('2026-11-23T10:14:00Z'));
  });
});
