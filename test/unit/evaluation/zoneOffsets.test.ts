import { afterEach, describe, expect, it, vi } from 'vitest';
import { TickworkError } from '../../../src/errors.js';
import { intlOffsetAt, useZoneOffsets, wallClock } from '../../../src/evaluation/wallClock.js';
import { zoneOffsetTable } from '../../../src/evaluation/zoneOffsets.js';

/**
 * docs/design.md "Time zones": the offsets the plugin packages are what ICU answers, minute for
 * minute, and a function whose ICU reads the same tz database computes its wall clocks from them
 * without ICU.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Zones whose offsets change in unusual ways: half-hour and 45-minute offsets and shifts, southern DST, Ramadan, a two-hour shift. */
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'America/Santiago',
  'Africa/Casablanca',
  'America/St_Johns',
  'Antarctica/Troll',
  'Europe/Dublin',
  'Asia/Tokyo',
];
const NOW = new Date('2026-11-30T12:34:56Z');

const tableOf = (zones: readonly string[]) => zoneOffsetTable(zones, NOW)!;

afterEach(() => {
  useZoneOffsets(undefined);
  vi.restoreAllMocks();
});

describe('zoneOffsetTable', () => {
  const table = tableOf(ZONES);

  it('covers whole months, from the start of the one before to two years ahead, labelled with the tz database it was read from', () => {
    expect(table.tz).toBe(process.versions.tz);
    expect(new Date(table.from).toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(new Date(table.to).toISOString()).toBe('2028-12-01T00:00:00.000Z');
    expect(Object.keys(table.zones).sort()).toEqual([...ZONES].sort());
  });

  it('is the same whenever it is built within a month, so the same kernel packages to the same bundles', () => {
    const atStart = zoneOffsetTable(ZONES, new Date('2026-11-01T00:00:00Z'));
    const aMinuteLater = zoneOffsetTable(ZONES, new Date(NOW.getTime() + MINUTE));
    expect(atStart).toEqual(table);
    expect(aMinuteLater).toEqual(table);
    expect(zoneOffsetTable(ZONES, new Date('2026-12-01T00:00:00Z'))?.from).toBe(Date.parse('2026-11-01T00:00:00Z'));
  });

  it('records, at every three hours of the window and every minute around each change, the offset ICU answers', () => {
    for (const zone of ZONES) {
      const changes = table.zones[zone]!;
      const recorded = (ms: number) => {
        let offset = changes[0]!;
        for (let i = 1; i < changes.length && changes[i]! <= ms; i += 2) offset = changes[i + 1]!;
        return offset;
      };
      for (let ms = table.from; ms < table.to; ms += 3 * HOUR) expect([zone, ms, recorded(ms)]).toEqual([zone, ms, intlOffsetAt(ms, zone)]);
      for (let i = 1; i < changes.length; i += 2) {
        const change = changes[i]!;
        // The change itself: the offset before it, then the new one.
        expect([zone, intlOffsetAt(change - MINUTE, zone), intlOffsetAt(change, zone)]).toEqual([zone, changes[i - 1], changes[i + 1]]);
        for (let ms = change - 2 * HOUR; ms < change + 2 * HOUR; ms += MINUTE) expect([zone, ms, recorded(ms)]).toEqual([zone, ms, intlOffsetAt(ms, zone)]);
      }
    }
  });

  it('finds both yearly changes of a DST zone and none in a zone without DST', () => {
    // Paris from October 2026 to November 2028: summer time ends on the last Sunday of October and
    // starts on the last Sunday of March, at 01:00 UTC.
    expect(table.zones['Europe/Paris']).toEqual([
      120,
      Date.parse('2026-10-25T01:00:00Z'), 60,
      Date.parse('2027-03-28T01:00:00Z'), 120,
      Date.parse('2027-10-31T01:00:00Z'), 60,
      Date.parse('2028-03-26T01:00:00Z'), 120,
      Date.parse('2028-10-29T01:00:00Z'), 60,
    ]);
    expect(table.zones['Asia/Kathmandu']).toEqual([345]);
  });

  it('has nothing to record for UTC only, or for a Node without a tz database version', () => {
    expect(zoneOffsetTable(['UTC'], NOW)).toBeUndefined();
    expect(zoneOffsetTable([], NOW)).toBeUndefined();
    expect(zoneOffsetTable(['Europe/Paris'], NOW, null)).toBeUndefined();
    expect(Object.keys(zoneOffsetTable(['UTC', 'Europe/Paris', 'Europe/Paris'], NOW)!.zones)).toEqual(['Europe/Paris']);
  });

  it('refuses a zone ICU does not know, naming it', () => {
    expect(() => zoneOffsetTable(['Mars/Olympus_Mons'], NOW)).toThrow(TickworkError);
    expect(() => zoneOffsetTable(['Mars/Olympus_Mons'], NOW)).toThrow(/Mars\/Olympus_Mons/);
  });
});

describe('useZoneOffsets: wall clocks from the packaged offsets', () => {
  // Every minute of the day Paris springs forward, and of the day it falls back, in 2027.
  const days = ['2027-03-28T00:00:00Z', '2027-10-31T00:00:00Z'].flatMap((day) => Array.from({ length: 24 * 60 }, (_, m) => new Date(Date.parse(day) + m * MINUTE)));

  it('gives the wall clocks ICU gives, without asking ICU', () => {
    const expected = days.map((at) => wallClock(at, 'Europe/Paris'));
    expect(useZoneOffsets(tableOf(['Europe/Paris']))).toBe(true);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    expect(days.map((at) => wallClock(at, 'Europe/Paris'))).toEqual(expected);
    expect(formatted).not.toHaveBeenCalled();
  });

  it('is not used where the function reads another tz database: ICU answers', () => {
    expect(useZoneOffsets(tableOf(['Europe/Paris']), 'another')).toBe(false);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    wallClock(new Date('2027-03-28T01:00:00Z'), 'Europe/Berlin');
    wallClock(new Date('2027-03-28T01:00:00Z'), 'Europe/Paris');
    expect(formatted).toHaveBeenCalled();
  });

  it('outside its window, and for a zone it does not record, ICU answers', () => {
    const table = tableOf(['Europe/Paris']);
    useZoneOffsets(table);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    const later = new Date(table.to + 45 * MINUTE + 17 * HOUR);
    expect(wallClock(later, 'Europe/Paris').hour).toBeGreaterThanOrEqual(0);
    expect(formatted).toHaveBeenCalled();
    formatted.mockClear();
    expect(wallClock(new Date('2027-07-01T10:00:00Z'), 'America/New_York').hour).toBe(6);
    expect(formatted).toHaveBeenCalled();
  });

  it('covers its first millisecond and not the first one after it', () => {
    const table = tableOf(['Europe/Paris']);
    useZoneOffsets(table);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    expect(wallClock(new Date(table.from), 'Europe/Paris')).toMatchObject({ year: 2026, month: 10, day: 1, hour: 2, minute: 0 });
    expect(wallClock(new Date(table.to - 1), 'Europe/Paris')).toMatchObject({ year: 2028, month: 12, day: 1, hour: 0, minute: 59 });
    expect(formatted).not.toHaveBeenCalled();
    expect(wallClock(new Date(table.to), 'Europe/Paris')).toMatchObject({ year: 2028, month: 12, day: 1, hour: 1, minute: 0 });
    expect(formatted).toHaveBeenCalled();
    formatted.mockClear();
    expect(wallClock(new Date(table.from - 1), 'Europe/Paris')).toMatchObject({ year: 2026, month: 10, day: 1, hour: 1, minute: 59 });
    expect(formatted).toHaveBeenCalled();
  });

  it('a table in use for Paris gives the same summer and winter hours as the clock on the wall', () => {
    useZoneOffsets(tableOf(['Europe/Paris']));
    expect(wallClock(new Date('2027-07-01T10:00:00Z'), 'Europe/Paris')).toMatchObject({ year: 2027, month: 7, day: 1, hour: 12, minute: 0, weekday: 4 });
    expect(wallClock(new Date('2027-01-01T10:00:00Z'), 'Europe/Paris')).toMatchObject({ year: 2027, month: 1, day: 1, hour: 11, minute: 0, weekday: 5 });
  });
});
