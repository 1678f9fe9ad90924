import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../../../src/errors.js';
import { longestGapMs } from '../../../src/evaluation/longestGap.js';
import { monitoredTasks } from '../../../src/infra/monitoredTasks.js';
import { parseGrace } from '../../../src/kernel/grace.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { graceMs } from '../../../src/operate/grace.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('monitor({ grace })', () => {
  it.each([
    ['10m', 600], ['90s', 90], ['2h', 7_200], ['1d', 86_400], [' 5 m ', 300], [600, 600],
  ] as const)('reads grace %j as %i seconds', (grace, seconds) => {
    expect(parseGrace(grace)).toBe(seconds);
    const schedule = new Schedule();
    schedule.call(() => {}).name('watched').hourly().monitor({ grace });
    expect(schedule.tasks()[0]!.monitor).toEqual({ graceSeconds: seconds });
  });

  it.each([
    ['ten minutes', { grace: 'ten minutes' }],
    ['too short', { grace: '30s' }],
    ['too long', { grace: '2d' }],
    ['a fraction', { grace: 90.5 }],
    ['no grace', {}],
    ['an unknown key', { grace: '10m', late: true }],
    ['no options', undefined],
  ])('refuses %s with a typed error naming the task and monitor()', (_, options) => {
    const schedule = new Schedule();
    const declare = () => schedule.call(() => {}).name('reports:daily').daily().monitor(options as never);
    expect(declare).toThrow(InvalidTaskError);
    expect(declare).toThrow(/^Task "reports:daily": monitor\(\) expects /);
  });

  it('sets the grace tickwork monitor judges the task by, instead of the default', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('plain').hourly();
    schedule.call(() => {}).name('watched').hourly().monitor({ grace: '10m' });
    schedule.call(() => {}).name('remote').hourly().onLambda({ timeout: 600 }).monitor({ grace: '15m' });
    schedule.call(() => {}).name('jittered').hourly().jitter(30).monitor({ grace: '10m' });
    const [plain, watched, remote, jittered] = schedule.tasks();
    expect(graceMs(plain!)).toBe(2 * 60_000);
    expect(graceMs(watched!)).toBe(10 * 60_000);
    expect(graceMs(remote!)).toBe(15 * 60_000);
    expect(graceMs(jittered!)).toBe(10 * 60_000 + 30_000);
  });
});

describe('intervals of monitored tasks', () => {
  it('the longest gap between two slots, on the tick\'s engine', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('weekdays').dailyAt('09:00').weekdays();
    schedule.call(() => {}).name('quarter').everyFifteenMinutes();
    schedule.call(() => {}).name('monthly').monthly();
    schedule.call(() => {}).name('dst').dailyAt('02:30').timezone('America/New_York');
    const tasks = schedule.compiled();
    const from = new Date('2026-03-02T00:00:00Z');
    expect(longestGapMs(tasks, 'weekdays', from, 8 * DAY)).toBe(3 * DAY); // Friday to Monday
    expect(longestGapMs(tasks, 'quarter', from, 8 * DAY)).toBe(15 * 60_000);
    expect(longestGapMs(tasks, 'monthly', from, 8 * DAY)).toBeUndefined();
    // 8 March 2026: 02:30 does not exist in New York; it runs at 03:00 EDT (07:00Z), 23.5 h after 02:30 EST
    // the day before, and 02:30 EDT the day after is 23.5 h later again.
    expect(longestGapMs(tasks, 'dst', new Date('2026-03-07T00:00:00Z'), 2 * DAY)).toBe(DAY - HOUR / 2);
    expect(longestGapMs(tasks, 'dst', new Date('2026-03-02T00:00:00Z'), 2 * DAY)).toBe(DAY);
  });

  it('monitoredTasks: only monitor() tasks, an hour added for fixed times outside UTC, the same on any packaging day', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('plain').hourly();
    schedule.call(() => {}).name('daily:paris').dailyAt('02:00').timezone('Europe/Paris').monitor({ grace: '10m' });
    schedule.call(() => {}).name('quarter:paris').everyFifteenMinutes().timezone('Europe/Paris').monitor({ grace: '5m' });
    schedule.call(() => {}).name('monthly').monthly().monitor({ grace: '1h' });
    schedule.call(() => {}).name('seconds').everyTenSeconds().monitor({ grace: '1m' });
    expect(monitoredTasks(schedule.compiled(), 'prod')).toEqual([
      { name: 'daily:paris', intervalSeconds: 86_400 + 3_600, graceSeconds: 600 },
      { name: 'quarter:paris', intervalSeconds: 900, graceSeconds: 300 },
      { name: 'monthly', intervalSeconds: undefined, graceSeconds: 3_600 },
      // Measured a minute at a time: at most 59 s longer than the real 10 s.
      { name: 'seconds', intervalSeconds: 60, graceSeconds: 60 },
    ]);
  });

  it("monitoredTasks: the stage's static filters count as the tick applies them", () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('prod-only').hourly().environments('prod').monitor({ grace: '10m' });
    schedule.call(() => {}).name('office-hours').everyFiveMinutes().between('09:00', '17:00').monitor({ grace: '10m' });
    schedule.call(() => {}).name('quiet-nights').everyFiveMinutes().unlessBetween('01:00', '03:00').monitor({ grace: '10m' });
    const intervals = (stage: string) => Object.fromEntries(monitoredTasks(schedule.compiled(), stage).map((t) => [t.name, t.intervalSeconds]));
    // Not in this stage: no alarm at all. Both windows include their ends, as Laravel's do: office hours
    // run until 17:00 and again from 09:00; quiet nights skip 01:00 to 03:00, so 00:55 to 03:05.
    expect(intervals('dev')).toEqual({ 'office-hours': 16 * 3_600, 'quiet-nights': 2 * 3_600 + 10 * 60 });
    expect(intervals('prod')).toMatchObject({ 'prod-only': 3_600 });
  });
});
