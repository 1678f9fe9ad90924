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
