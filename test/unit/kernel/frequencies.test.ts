import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../../../src/errors.js';
import { Day } from '../../../src/kernel/FrequencyBuilder.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';

type Case = [label: string, build: (t: TaskBuilder) => TaskBuilder, expected: string];

// Expected expressions are the ones Laravel's ManagesFrequencies produces for the same calls.
const cases: Case[] = [
  ['everyMinute', (t) => t.everyMinute(), '* * * * *'],
  ['everyTwoMinutes', (t) => t.everyTwoMinutes(), '*/2 * * * *'],
  ['everyThreeMinutes', (t) => t.everyThreeMinutes(), '*/3 * * * *'],
  ['everyFourMinutes', (t) => t.everyFourMinutes(), '*/4 * * * *'],
  ['everyFiveMinutes', (t) => t.everyFiveMinutes(), '*/5 * * * *'],
  ['everyTenMinutes', (t) => t.everyTenMinutes(), '*/10 * * * *'],
  ['everyFifteenMinutes', (t) => t.everyFifteenMinutes(), '*/15 * * * *'],
  ['everyThirtyMinutes', (t) => t.everyThirtyMinutes(), '*/30 * * * *'],
  ['hourly', (t) => t.hourly(), '0 * * * *'],
  ['hourlyAt(15)', (t) => t.hourlyAt(15), '15 * * * *'],
  ['hourlyAt([0, 30])', (t) => t.hourlyAt([0, 30]), '0,30 * * * *'],
  ['hourlyAt("*/10")', (t) => t.hourlyAt('*/10'), '*/10 * * * *'],
  ['everyOddHour()', (t) => t.everyOddHour(), '0 1-23/2 * * *'],
  ['everyOddHour(15)', (t) => t.everyOddHour(15), '15 1-23/2 * * *'],
  ['everyEvenHour()', (t) => t.everyEvenHour(), '0 0-22/2 * * *'],
  ['everyTwoHours()', (t) => t.everyTwoHours(), '0 */2 * * *'],
  ['everyThreeHours(5)', (t) => t.everyThreeHours(5), '5 */3 * * *'],
  ['everyFourHours([10, 40])', (t) => t.everyFourHours([10, 40]), '10,40 */4 * * *'],
  ['everySixHours()', (t) => t.everySixHours(), '0 */6 * * *'],
  ['daily', (t) => t.daily(), '0 0 * * *'],
  ['dailyAt("13:00")', (t) => t.dailyAt('13:00'), '0 13 * * *'],
  ['dailyAt("9:05")', (t) => t.dailyAt('9:05'), '5 9 * * *'],
  ['dailyAt("7")', (t) => t.dailyAt('7'), '0 7 * * *'],
  ['dailyAt("13:08:10") ignores the seconds, as Laravel', (t) => t.dailyAt('13:08:10'), '8 13 * * *'],
  ['at("23:59")', (t) => t.at('23:59'), '59 23 * * *'],
  ['twiceDaily()', (t) => t.twiceDaily(), '0 1,13 * * *'],
  ['twiceDaily(3, 15)', (t) => t.twiceDaily(3, 15), '0 3,15 * * *'],
  ['twiceDailyAt(3, 15, 20)', (t) => t.twiceDailyAt(3, 15, 20), '20 3,15 * * *'],
  ['weekdays', (t) => t.weekdays(), '* * * * 1-5'],
  ['weekends', (t) => t.weekends(), '* * * * 6,0'],
  ['sundays', (t) => t.sundays(), '* * * * 0'],
  ['mondays', (t) => t.mondays(), '* * * * 1'],
  ['tuesdays', (t) => t.tuesdays(), '* * * * 2'],
  ['wednesdays', (t) => t.wednesdays(), '* * * * 3'],
  ['thursdays', (t) => t.thursdays(), '* * * * 4'],
  ['fridays', (t) => t.fridays(), '* * * * 5'],
  ['saturdays', (t) => t.saturdays(), '* * * * 6'],
  ['days(Day.MONDAY, Day.WEDNESDAY)', (t) => t.days(Day.MONDAY, Day.WEDNESDAY), '* * * * 1,3'],
  ['days([1, 2])', (t) => t.days([1, 2]), '* * * * 1,2'],
  ['weekly', (t) => t.weekly(), '0 0 * * 0'],
  ['weeklyOn(1, "8:00")', (t) => t.weeklyOn(1, '8:00'), '0 8 * * 1'],
  ['weeklyOn(5)', (t) => t.weeklyOn(5), '0 0 * * 5'],
  ['monthly', (t) => t.monthly(), '0 0 1 * *'],
  ['monthlyOn(4, "15:00")', (t) => t.monthlyOn(4, '15:00'), '0 15 4 * *'],
  ['twiceMonthly()', (t) => t.twiceMonthly(), '0 0 1,16 * *'],
  ['twiceMonthly(1, 16, "13:00")', (t) => t.twiceMonthly(1, 16, '13:00'), '0 13 1,16 * *'],
  ['lastDayOfMonth("15:00")', (t) => t.lastDayOfMonth('15:00'), '0 15 L * *'],
  ['daysOfMonth(1, 15) at midnight, as Laravel', (t) => t.daysOfMonth(1, 15), '0 0 1,15 * *'],
  ['daysOfMonth([1, 10, 20, 30])', (t) => t.daysOfMonth([1, 10, 20, 30]), '0 0 1,10,20,30 * *'],
  ['daysOfMonth(1, 15).dailyAt("9:30")', (t) => t.daysOfMonth(1, 15).dailyAt('9:30'), '30 9 1,15 * *'],
  ['quarterly', (t) => t.quarterly(), '0 0 1 1-12/3 *'],
  ['quarterlyOn(4, "14:00")', (t) => t.quarterlyOn(4, '14:00'), '0 14 4 1-12/3 *'],
  ['yearly', (t) => t.yearly(), '0 0 1 1 *'],
  ['yearlyOn(6, 15, "12:00")', (t) => t.yearlyOn(6, 15, '12:00'), '0 12 15 6 *'],
  ['yearlyOn()', (t) => t.yearlyOn(), '0 0 1 1 *'],
  // Composition: each helper overwrites only its own fields, so order matters.
  ['everyFiveMinutes().hourly()', (t) => t.everyFiveMinutes().hourly(), '0 * * * *'],
  ['hourly().everyFiveMinutes()', (t) => t.hourly().everyFiveMinutes(), '*/5 * * * *'],
  ['weekdays().dailyAt("8:30")', (t) => t.weekdays().dailyAt('8:30'), '30 8 * * 1-5'],
  ['daily().weekends()', (t) => t.daily().weekends(), '0 0 * * 6,0'],
  ['cron with seconds keeps the seconds field', (t) => t.cron('30 * * * * *').hourly(), '30 0 * * * *'],
  ['everySecond keeps every minute', (t) => t.everySecond(), '* * * * *'],
  ['everyTwoSeconds', (t) => t.everyTwoSeconds(), '* * * * *'],
  ['everyFiveSeconds', (t) => t.everyFiveSeconds(), '* * * * *'],
  ['everyTenSeconds', (t) => t.everyTenSeconds(), '* * * * *'],
  ['everyFifteenSeconds', (t) => t.everyFifteenSeconds(), '* * * * *'],
  ['everyTwentySeconds', (t) => t.everyTwentySeconds(), '* * * * *'],
  ['everyThirtySeconds', (t) => t.everyThirtySeconds(), '* * * * *'],
  ['every(300)', (t) => t.every(300), '*/5 * * * *'],
  ['every(900).weekdays()', (t) => t.every(900).weekdays(), '*/15 * * * 1-5'],
  ['hourlyAt(17).weekends()', (t) => t.hourlyAt(17).weekends(), '17 * * * 6,0'],
  ['everyTenMinutes().everyTwoHours(5): the later helper sets the minute', (t) => t.everyTenMinutes().everyTwoHours(5), '5 */2 * * *'],
  ['monthlyOn(15).dailyAt("9:30") keeps the day', (t) => t.monthlyOn(15).dailyAt('9:30'), '30 9 15 * *'],
  ['quarterly().mondays()', (t) => t.quarterly().mondays(), '0 0 1 1-12/3 1'],
  ['yearlyOn(12, 25, "7:15").sundays()', (t) => t.yearlyOn(12, 25, '7:15').sundays(), '15 7 25 12 0'],
  ['weeklyOn([1, 3, 5], "6:00")', (t) => t.weeklyOn([1, 3, 5], '6:00'), '0 6 * * 1,3,5'],
  ['daily().hourly() splices only the minute', (t) => t.daily().hourly(), '0 0 * * *'],
  ['lastDayOfMonth().weekdays()', (t) => t.lastDayOfMonth().weekdays(), '0 0 L * 1-5'],
  ['twiceDaily().days(Day.SATURDAY)', (t) => t.twiceDaily().days(Day.SATURDAY), '0 1,13 * * 6'],
];

describe('frequency helpers', () => {
  it('covers every helper in at least 60 rows', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('%s → %s', (_label, build, expected) => {
    const schedule = new Schedule();
    const builder = build(schedule.call(() => {}).name('t'));
    expect(builder.expression).toBe(expected);
    expect(schedule.tasks()[0]?.expression).toBe(expected); // and it compiles
  });

  it.each([
    [(t: TaskBuilder) => t.dailyAt('25:00'), `dailyAt() expects a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59), got "25:00"`],
    [(t: TaskBuilder) => t.dailyAt('noon'), `dailyAt() expects a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59), got "noon"`],
    [(t: TaskBuilder) => t.weeklyOn(1, '8:60'), `dailyAt() expects a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59), got "8:60"`],
    [(t: TaskBuilder) => t.dailyAt('13:08:60'), `dailyAt() expects a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59), got "13:08:60"`],
    [(t: TaskBuilder) => t.dailyAt('13:08:10:00'), `dailyAt() expects a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59), got "13:08:10:00"`],
    [(t: TaskBuilder) => t.monthlyOn(1.5), 'monthlyOn() expects a whole number from 1 to 31, got 1.5'],
    [(t: TaskBuilder) => t.twiceDaily(-1, 13), 'twiceDailyAt() expects a whole number from 0 to 23, got -1'],
    [(t: TaskBuilder) => t.days(), 'days() expects at least one value, got "none"'],
    [(t: TaskBuilder) => t.hourlyAt(''), 'hourlyAt() expects whole numbers or cron field text, got ""'],
  ])('rejects bad input with a typed error naming the task: %#', (build, message) => {
    const builder = new Schedule().call(() => {}).name('reports:daily');
    expect(() => build(builder)).toThrow(InvalidTaskError);
    expect(() => build(builder)).toThrow(`Task "reports:daily": ${message}`);
  });

  it('leaves range checks to the build, which names the field', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('late').hourlyAt(75);
    expect(() => schedule.tasks()).toThrow('Task "late": invalid cron expression "75 * * * *" in the minute ("75") field');
  });
});

describe('a later helper that sets the minute replaces an every() interval', () => {
  const hour = ['2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z'] as const; // a Monday
  const week = ['2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z'] as const;
  const minutesOf = (from: string, step: number, count: number) =>
    Array.from({ length: count }, (_, i) => new Date(Date.parse(from) + i * step * 60_000).toISOString());
  const sevenMinuteMarks = (from: string, to: string) =>
    minutesOf(from, 1, (Date.parse(to) - Date.parse(from)) / 60_000).filter((at) => (Date.parse(at) / 60_000) % 7 === 0);

  type RunCase = [label: string, build: (t: TaskBuilder) => TaskBuilder, window: readonly [string, string], runs: string[]];
  const runCases: RunCase[] = [
    ['every(420).everyFiveMinutes() runs every 5 minutes', (t) => t.every(420).everyFiveMinutes(), hour, minutesOf(hour[0], 5, 12)],
    ['every(420).daily() runs once a day', (t) => t.every(420).daily(), week, minutesOf(week[0], 24 * 60, 7)],
    ['every(420).hourlyAt(15) runs once an hour', (t) => t.every(420).hourlyAt(15), hour, ['2026-11-23T10:15:00.000Z']],
    ['every(420).everyMinute() runs every minute', (t) => t.every(420).everyMinute(), hour, minutesOf(hour[0], 1, 60)],
    ['every(420).cron("*/30 * * * *") runs every 30 minutes', (t) => t.every(420).cron('*/30 * * * *'), hour, minutesOf(hour[0], 30, 2)],
    ['every(420).weekdays() keeps its 7 minutes (only the day changes)', (t) => t.every(420).weekdays(), hour, sevenMinuteMarks(...hour)],
    ['everyFiveMinutes().every(420) runs every 7 minutes', (t) => t.everyFiveMinutes().every(420), hour, sevenMinuteMarks(...hour)],
  ];

  it.each(runCases)('%s', (_label, build, [from, to], runs) => {
    const schedule = new Schedule();
    build(schedule.call(() => {}).name('t'));
    const found = schedule.occurrences(new Date(from), new Date(to)).map((o) => o.at.toISOString());
    expect(found).toEqual(runs);
  });
});
