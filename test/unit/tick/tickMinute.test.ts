import { describe, expect, it } from 'vitest';
import { InvalidTickEventError } from '../../../src/errors.js';
import { SCHEDULED_TIME_PLACEHOLDER, tickMinute } from '../../../src/tick/tickMinute.js';

describe('tickMinute', () => {
  it.each([
    ['EventBridge Scheduler input', { scheduledTime: '2026-11-23T10:15:00Z' }, '2026-11-23T10:15:00.000Z'],
    ['rule event', { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-23T10:15:00Z' }, '2026-11-23T10:15:00.000Z'],
    ['manual invoke', { time: '2026-11-23T10:15:42.900Z' }, '2026-11-23T10:15:00.000Z'],
    ['offset time', { time: '2026-11-23T11:15:59+01:00' }, '2026-11-23T10:15:00.000Z'],
  ])('%s → the scheduled minute, floored', (_label, event, expected) => {
    expect(tickMinute(event).toISOString()).toBe(expected);
  });

  it('never reads the clock for a real event: a tick delivered late keeps its minute', () => {
    const lateResolver = () => new Date('2030-01-01T00:00:00Z');
    expect(tickMinute({ scheduledTime: '2026-11-23T10:15:00Z' }, { resolvePlaceholder: lateResolver }).toISOString())
      .toBe('2026-11-23T10:15:00.000Z');
  });

  it('resolves the unreplaced Scheduler placeholder only when told how (serverless-offline)', () => {
    const event = { scheduledTime: SCHEDULED_TIME_PLACEHOLDER };
    expect(tickMinute(event, { resolvePlaceholder: () => new Date('2026-11-23T10:14:59.990Z') }).toISOString())
      .toBe('2026-11-23T10:15:00.000Z');
    expect(() => tickMinute(event)).toThrow('The tick event\'s "scheduledTime" must be an ISO-8601 timestamp, got "<aws.scheduler.scheduled-time>"');
  });

  it.each([
    ['null', null, 'got null'],
    ['a string', 'hello', 'got the string "hello"'],
    ['an array', [], 'got an array'],
    ['no time', { foo: 1 }, 'got an event with keys [foo]'],
    ['bad time', { time: 'yesterday' }, '"time" must be an ISO-8601 timestamp, got "yesterday"'],
    ['numeric time', { time: 1700000000 }, 'got 1700000000'],
  ])('rejects %s with a typed error', (_label, event, message) => {
    expect(() => tickMinute(event)).toThrow(InvalidTickEventError);
    expect(() => tickMinute(event)).toThrow(message);
  });
});
