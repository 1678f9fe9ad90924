import { describe, expect, it } from 'vitest';
import { dueSlots } from '../../../src/evaluation/dueSlots.js';
import { Schedule } from '../../../src/kernel/Schedule.js';

describe('dueSlots', () => {
  const schedule = new Schedule();
  schedule.call(() => {}).name('every-minute').everyMinute();
  schedule.call(() => {}).name('five').everyFiveMinutes();
  schedule.call(() => {}).name('quarter-seconds').cron('*/15 * * * * *');
  const tasks = schedule.compiled();

  it('lists the due slots of a minute, ordered by time', () => {
    const slots = dueSlots(tasks, new Date('2026-11-23T10:05:00Z'));
    expect(slots.map((s) => [s.task.definition.name, s.slot])).toEqual([
      ['every-minute', '2026-11-23T10:05:00.000Z'],
      ['five', '2026-11-23T10:05:00.000Z'],
      ['quarter-seconds', '2026-11-23T10:05:00.000Z'],
      ['quarter-seconds', '2026-11-23T10:05:15.000Z'],
      ['quarter-seconds', '2026-11-23T10:05:30.000Z'],
      ['quarter-seconds', '2026-11-23T10:05:45.000Z'],
    ]);
  });

  it('leaves out tasks that are not due', () => {
    const names = dueSlots(tasks, new Date('2026-11-23T10:06:00Z')).map((s) => s.task.definition.name);
    expect(names).not.toContain('five');
    expect(names).toContain('every-minute');
  });
});

describe('dueSlots in a time zone, sub-minute and intervals', () => {
  const names = (tasks: ReturnType<Schedule['compiled']>, iso: string) =>
    dueSlots(tasks, new Date(iso)).map((s) => `${s.task.definition.name}@${s.slot.slice(11, 19)}`);

  it("matches the expression against the task's own wall clock", () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('paris').dailyAt('02:00').timezone('Europe/Paris');
    schedule.call(() => {}).name('new-york').dailyAt('02:00').timezone('America/New_York');
    schedule.call(() => {}).name('utc').dailyAt('02:00');
    const tasks = schedule.compiled();
    // Winter: Paris is UTC+1, New York UTC-5.
    expect(names(tasks, '2026-01-15T01:00:00Z')).toEqual(['paris@01:00:00']);
    expect(names(tasks, '2026-01-15T02:00:00Z')).toEqual(['utc@02:00:00']);
    expect(names(tasks, '2026-01-15T07:00:00Z')).toEqual(['new-york@07:00:00']);
    // Summer: Paris is UTC+2.
    expect(names(tasks, '2026-07-15T00:00:00Z')).toEqual(['paris@00:00:00']);
  });

  it('judges day fields in the zone too: Monday in Tokyo starts on Sunday in UTC', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('tokyo-monday').mondays().dailyAt('08:00').timezone('Asia/Tokyo');
    expect(names(schedule.compiled(), '2026-11-22T23:00:00Z')).toEqual(['tokyo-monday@23:00:00']); // a Sunday in UTC
  });

  it('repeats sub-minute tasks inside each matching minute, anchored to the minute', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('twenty').everyTwentySeconds();
    expect(names(schedule.compiled(), '2026-11-23T10:05:00Z')).toEqual(['twenty@10:05:00', 'twenty@10:05:20', 'twenty@10:05:40']);
  });

  it('counts every(N minutes) intervals from the Unix epoch', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('seven').every(7 * 60);
    const tasks = schedule.compiled();
    const due = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 10, 23, 10, i)))
      .filter((minute) => dueSlots(tasks, minute).length > 0)
      .map((minute) => minute.getTime() / 60_000);
    expect(due.length).toBeGreaterThanOrEqual(4);
    for (const [i, epochMinute] of due.entries()) {
      expect(epochMinute % 7).toBe(0);
      if (i > 0) expect(epochMinute - (due[i - 1] ?? 0)).toBe(7);
    }
  });
});

describe('sub-minute run counts', () => {
  it.each([
    ['everySecond', 60],
    ['everyTwoSeconds', 30],
    ['everyFiveSeconds', 12],
    ['everyTenSeconds', 6],
    ['everyFifteenSeconds', 4],
    ['everyTwentySeconds', 3],
    ['everyThirtySeconds', 2],
  ] as const)('%s → %i slots per minute, evenly spaced from second 0', (helper, count) => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('t')[helper]();
    const slots = dueSlots(schedule.compiled(), new Date('2026-11-23T10:05:00Z'));
    expect(slots).toHaveLength(count);
    const step = 60 / count;
    expect(slots.map((s) => s.at.getUTCSeconds())).toEqual(Array.from({ length: count }, (_, i) => i * step));
  });
});
