import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useZoneOffsets } from '../../../src/evaluation/wallClock.js';
import { zoneOffsetTable } from '../../../src/evaluation/zoneOffsets.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';

/**
 * docs/design.md "Daylight saving time", checked on hand-computed UTC instants. Transition dates (2026):
 * New York 8 Mar 02:00→03:00 and 1 Nov 02:00→01:00; London 29 Mar 01:00→02:00 and 25 Oct 02:00→01:00;
 * Lord Howe (30-minute shift) 5 Apr 02:00→01:30 and 4 Oct 02:00→02:30; Sydney 5 Apr 03:00→02:00 and
 * 4 Oct 02:00→03:00; Tokyo keeps +09:00 all year. Each case runs twice: with the wall clocks as ICU
 * computes them, and from the offsets the plugin packages for a function (src/evaluation/zoneOffsets.ts),
 * whose window here covers every instant below.
 */
function runs(zone: string, configure: (t: TaskBuilder) => TaskBuilder, from: string, to: string): string[] {
  const schedule = new Schedule();
  configure(schedule.call(() => {}).name('t').timezone(zone));
  return schedule.occurrences(new Date(from), new Date(to)).map((o) => o.at.toISOString().replace('.000', ''));
}

const PACKAGED = zoneOffsetTable(['America/New_York', 'Europe/London', 'Europe/Paris', 'Australia/Lord_Howe', 'Australia/Sydney', 'Asia/Tokyo'], new Date('2026-02-01T00:00:00Z'));

describe.each([
  ['as ICU computes them', undefined],
  ['from the packaged offsets', PACKAGED],
])('wall clocks %s', (_, table) => {
  beforeAll(() => {
    expect(useZoneOffsets(table)).toBe(table !== undefined);
  });
  afterAll(() => {
    useZoneOffsets(undefined);
  });

  describe('fixed-time tasks in a spring-forward gap run once, at the first instant after it', () => {
    it.each([
      ['America/New_York', '02:30', '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z', ['2026-03-08T07:00:00Z']],
      ['Europe/London', '01:30', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z', ['2026-03-29T01:00:00Z']],
      ['Australia/Lord_Howe', '02:15', '2026-10-03T12:00:00Z', '2026-10-04T12:00:00Z', ['2026-10-03T15:30:00Z']],
      ['Australia/Sydney', '02:30', '2026-10-03T12:00:00Z', '2026-10-04T12:00:00Z', ['2026-10-03T16:00:00Z']],
    ])('%s dailyAt(%s)', (zone, time, from, to, expected) => {
      expect(runs(zone, (t) => t.dailyAt(time), from, to)).toEqual(expected);
    });

    it('and on the days around it at their usual time', () => {
      expect(runs('America/New_York', (t) => t.dailyAt('02:30'), '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'))
        .toEqual(['2026-03-07T07:30:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z']);
    });

    it('a whole fixed hour in the gap still runs once', () => {
      expect(runs('America/New_York', (t) => t.cron('* 2 * * *'), '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z'))
        .toEqual(['2026-03-08T07:00:00Z']);
    });
  });

  describe('fixed-time tasks in a repeated fall-back hour run once, on the first pass', () => {
    it.each([
      ['America/New_York', '01:30', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', ['2026-11-01T05:30:00Z']],
      ['Europe/London', '01:30', '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z', ['2026-10-25T00:30:00Z']],
      ['Australia/Lord_Howe', '01:45', '2026-04-04T12:00:00Z', '2026-04-05T12:00:00Z', ['2026-04-04T14:45:00Z']],
      ['Australia/Sydney', '02:30', '2026-04-04T12:00:00Z', '2026-04-05T12:00:00Z', ['2026-04-04T15:30:00Z']],
    ])('%s dailyAt(%s)', (zone, time, from, to, expected) => {
      expect(runs(zone, (t) => t.dailyAt(time), from, to)).toEqual(expected);
    });

    it('a time after the repeated hour runs once, at its usual offset', () => {
      expect(runs('America/New_York', (t) => t.dailyAt('02:30'), '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z'))
        .toEqual(['2026-11-01T07:30:00Z']);
    });
  });

  describe('wildcard and step hours follow elapsed time', () => {
    it.each([
      ['New York hourly, spring: no 02:00, one hour from 01:00 EST to 03:00 EDT', 'America/New_York', (t: TaskBuilder) => t.hourly(),
        '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z', ['2026-03-08T05:00:00Z', '2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z']],
      ['New York hourly, fall: 01:00 in both passes', 'America/New_York', (t: TaskBuilder) => t.hourly(),
        '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z', ['2026-11-01T04:00:00Z', '2026-11-01T05:00:00Z', '2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z']],
      ['London every 30 minutes, fall: the repeated hour twice', 'Europe/London', (t: TaskBuilder) => t.everyThirtyMinutes(),
        '2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', ['2026-10-25T00:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:00:00Z', '2026-10-25T01:30:00Z']],
      ['Lord Howe every 30 minutes, fall: 01:30 twice, 30 minutes apart', 'Australia/Lord_Howe', (t: TaskBuilder) => t.everyThirtyMinutes(),
        '2026-04-04T14:00:00Z', '2026-04-04T16:00:00Z', ['2026-04-04T14:00:00Z', '2026-04-04T14:30:00Z', '2026-04-04T15:00:00Z', '2026-04-04T15:30:00Z']],
      ['Lord Howe every 30 minutes, spring: 02:00 does not exist', 'Australia/Lord_Howe', (t: TaskBuilder) => t.everyThirtyMinutes(),
        '2026-10-03T14:30:00Z', '2026-10-03T16:30:00Z', ['2026-10-03T14:30:00Z', '2026-10-03T15:00:00Z', '2026-10-03T15:30:00Z', '2026-10-03T16:00:00Z']],
      ['Sydney every 2 hours, spring: 02:00 skipped, 04:00 next', 'Australia/Sydney', (t: TaskBuilder) => t.everyTwoHours(),
        '2026-10-03T12:00:00Z', '2026-10-03T20:00:00Z', ['2026-10-03T12:00:00Z', '2026-10-03T14:00:00Z', '2026-10-03T17:00:00Z', '2026-10-03T19:00:00Z']],
    ])('%s', (_label, zone, configure, from, to, expected) => {
      expect(runs(zone, configure, from, to)).toEqual(expected);
    });
  });

  describe('a zone without DST', () => {
    it('runs at the same UTC time every day, across other zones\' transitions', () => {
      expect(runs('Asia/Tokyo', (t) => t.dailyAt('02:30'), '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'))
        .toEqual(['2026-03-07T17:30:00Z', '2026-03-08T17:30:00Z', '2026-03-09T17:30:00Z']);
      expect(runs('Asia/Tokyo', (t) => t.dailyAt('02:30'), '2026-10-31T00:00:00Z', '2026-11-02T00:00:00Z'))
        .toEqual(['2026-10-31T17:30:00Z', '2026-11-01T17:30:00Z']);
    });
  });

  describe('occurrences and nextRuns', () => {
    it('lists every task in [from, to), by time then name', () => {
      const schedule = new Schedule();
      schedule.call(() => {}).name('b').everyThirtyMinutes();
      schedule.call(() => {}).name('a').hourly();
      schedule.call(() => {}).name('fast').everyTwentySeconds().when(false); // filters are not applied
      const listed = schedule.occurrences(new Date('2026-11-23T10:00:00Z'), new Date('2026-11-23T10:01:00Z'));
      expect(listed.map((o) => `${o.name}@${o.at.toISOString().slice(11, 19)}`))
        .toEqual(['a@10:00:00', 'b@10:00:00', 'fast@10:00:00', 'fast@10:00:20', 'fast@10:00:40']);
    });

    it('nextRuns uses the same engine, DST included, and finds a yearly task a year out', () => {
      const schedule = new Schedule();
      schedule.call(() => {}).name('nightly').dailyAt('02:30').timezone('America/New_York');
      schedule.call(() => {}).name('anniversary').yearlyOn(11, 20, '09:00').timezone('Europe/Paris');
      expect(schedule.nextRuns('nightly', new Date('2026-03-07T12:00:00Z'), 3).map((d) => d.toISOString()))
        .toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
      expect(schedule.nextRuns('anniversary', new Date('2026-11-23T00:00:00Z'), 1).map((d) => d.toISOString()))
        .toEqual(['2027-11-20T08:00:00.000Z']);
    });

    it('rejects an unknown name and bad ranges', () => {
      const schedule = new Schedule();
      schedule.call(() => {}).name('t');
      expect(() => schedule.nextRuns('nope', new Date(), 1)).toThrow('Task "nope": no task has this name');
      expect(() => schedule.occurrences(new Date('2026-01-02'), new Date('2026-01-01'))).toThrow('expected from before to');
      expect(() => schedule.nextRuns('t', new Date(), 0)).toThrow('expects a count of at least 1, got 0');
    });
  });
});
