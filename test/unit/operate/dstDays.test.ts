import { describe, expect, it } from 'vitest';
import { dstChangeOnDay } from '../../../src/operate/dstDays.js';

describe('dstChangeOnDay', () => {
  it.each([
    ['2026-03-08T07:00:00Z', 'America/New_York', { at: '2026-03-08T07:00:00.000Z', kind: 'forward', note: 'clocks in America/New_York go forward from 02:00 to 03:00 (02:00–02:59 does not exist)' }],
    // Any instant of that local day, before or after the change.
    ['2026-03-08T05:00:00Z', 'America/New_York', { at: '2026-03-08T07:00:00.000Z', kind: 'forward' }],
    ['2026-03-09T03:59:00Z', 'America/New_York', { at: '2026-03-08T07:00:00.000Z', kind: 'forward' }],
    ['2026-11-01T05:30:00Z', 'America/New_York', { at: '2026-11-01T06:00:00.000Z', kind: 'back', note: 'clocks in America/New_York go back from 02:00 to 01:00 (01:00–01:59 happens twice)' }],
    ['2026-10-25T10:00:00Z', 'Europe/Paris', { at: '2026-10-25T01:00:00.000Z', kind: 'back', note: 'clocks in Europe/Paris go back from 03:00 to 02:00 (02:00–02:59 happens twice)' }],
    // Half-hour shift, southern hemisphere.
    ['2026-04-05T00:00:00Z', 'Australia/Lord_Howe', { kind: 'back', note: 'clocks in Australia/Lord_Howe go back from 02:00 to 01:30 (01:30–01:59 happens twice)' }],
  ])('%s in %s', (at, zone, expected) => {
    expect(dstChangeOnDay(new Date(at), zone)).toMatchObject(expected);
  });

  it.each([
    ['2026-03-09T07:00:00Z', 'America/New_York'],
    // The evening before the change, local time: another day.
    ['2026-03-08T04:59:00Z', 'America/New_York'],
    ['2026-03-08T07:00:00Z', 'UTC'],
    ['2026-06-01T12:00:00Z', 'Asia/Tokyo'],
  ])('none on %s in %s', (at, zone) => {
    expect(dstChangeOnDay(new Date(at), zone)).toBeUndefined();
  });
});
