import { describe, expect, it } from 'vitest';
import { TickworkError } from '../../../src/errors.js';
import { dueSlots } from '../../../src/evaluation/dueSlots.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { isTimeZone, zonesCheckedAtPackage } from '../../../src/kernel/timeZones.js';

const noop = () => {};

describe('time zones: checked when a kernel is built, taken as written in a packaged Lambda (docs/design.md "Time zones")', () => {
  it('canonical names, aliases and UTC are zones; anything ICU does not know is not', () => {
    expect(['Europe/Paris', 'America/New_York', 'US/Eastern', 'Asia/Calcutta', 'UTC', 'Etc/GMT+5'].map(isTimeZone)).toEqual([true, true, true, true, true, true]);
    expect(['Mars/Olympus', 'Europe/Pariss', ''].map(isTimeZone)).toEqual([false, false, false]);
  });

  it('inside zonesCheckedAtPackage a kernel builds with the zone as written; its first wall clock names the zone ICU refuses', () => {
    const schedule = zonesCheckedAtPackage(() => {
      const built = new Schedule();
      built.call(noop).name('martian').dailyAt('02:00').timezone('Mars/Olympus');
      built.compiled();
      return built;
    });
    const error = (() => {
      try {
        dueSlots(schedule.compiled(), new Date('2026-11-30T02:00:00Z'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TickworkError);
    expect(error).toMatchObject({ code: 'INVALID_TIME_ZONE', message: expect.stringContaining('Time zone "Mars/Olympus" is not one') });
  });

  it('outside it again, and after a build that threw inside it, zones are checked', () => {
    expect(() => zonesCheckedAtPackage(() => { throw new Error('kernel failed'); })).toThrow('kernel failed');
    expect(() => new Schedule().call(noop).name('t').timezone('Mars/Olympus')).toThrow(`timezone() expects an IANA time zone such as 'Europe/Paris', got "Mars/Olympus"`);
    expect(zonesCheckedAtPackage(() => isTimeZone(' '))).toBe(false);
  });
});
