import { parseClockTime, type ClockTime } from './clockTime.js';
import { spliceField, type CronFieldName } from './cronFields.js';
import { DraftEditor } from './DraftEditor.js';
import { isTimeZone } from './timeZones.js';

/** Days of the week as cron numbers, Sunday = 0 (Laravel's `Schedule::SUNDAY` …). */
export const Day = {
  SUNDAY: 0,
  MONDAY: 1,
  TUESDAY: 2,
  WEDNESDAY: 3,
  THURSDAY: 4,
  FRIDAY: 5,
  SATURDAY: 6,
} as const;

type FieldValue = string | number | readonly (string | number)[];

/**
 * Laravel's frequency helpers, producing the expressions Laravel produces. Each helper overwrites only
 * the cron fields it sets, so order matters: `everyFiveMinutes().hourly()` is `0 * * * *`. Values are
 * checked for type here and for range when the schedule is built, where the error can name the field.
 *
 * An `every(N minutes)` interval no cron step expresses is kept beside the expression (`intervalMinutes`)
 * and stands for the minute field, so a later helper that sets the minute replaces it too:
 * `every(420).daily()` runs once a day, while `every(420).weekdays()` keeps its 7 minutes. A sub-minute
 * repeat stays, as in Laravel: `everyFiveSeconds().hourly()` repeats inside minute 0.
 *
 * One deliberate difference: `lastDayOfMonth()` writes `L`, evaluated for the tick's own month, where
 * Laravel writes the last day of the month in which the kernel was loaded (wrong in a warm Lambda).
 */
export abstract class FrequencyBuilder extends DraftEditor {
  /** The task's cron expression as it stands (5 fields, or 6 when written with seconds). */
  get expression(): string {
    return this.draft.expression;
  }

  /** Seconds between runs within each matching minute, for sub-minute tasks; otherwise undefined. */
  get repeatSeconds(): number | undefined {
    return this.draft.repeatSeconds;
  }

  /**
   * Matches the expression and the `between()` windows against this IANA zone's wall clock.
   * @default 'UTC'
   */
  timezone(zone: string): this {
    if (typeof zone !== 'string' || !isTimeZone(zone)) this.reject('timezone', "an IANA time zone such as 'Europe/Paris'", zone);
    return this.edit((d) => (d.timezone = zone));
  }

  /** Every second. Sub-minute helpers keep the expression at every minute and repeat inside it. */
  everySecond(): this { return this.#repeatEvery(1); }
  everyTwoSeconds(): this { return this.#repeatEvery(2); }
  everyFiveSeconds(): this { return this.#repeatEvery(5); }
  everyTenSeconds(): this { return this.#repeatEvery(10); }
  everyFifteenSeconds(): this { return this.#repeatEvery(15); }
  everyTwentySeconds(): this { return this.#repeatEvery(20); }
  everyThirtySeconds(): this { return this.#repeatEvery(30); }

  /**
   * Every `seconds` seconds. Values that divide 60 repeat inside each minute; multiples of 60 run every
   * `seconds / 60` minutes — as a cron step when that divides 60, otherwise counted from the Unix epoch
   * in UTC (`every(7 * 60)` runs at every minute whose epoch-minute number is a multiple of 7).
   */
  every(seconds: number): this {
    const expected = 'a whole number of seconds that divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) or is a multiple of 60';
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds <= 0) this.reject('every', expected, seconds);
    if (seconds < 60 && 60 % seconds === 0) return this.#repeatEvery(seconds);
    if (seconds % 60 !== 0) this.reject('every', expected, seconds);
    const minutes = seconds / 60;
    return this.edit((d) => {
      d.repeatSeconds = undefined;
      d.intervalMinutes = minutes === 1 || 60 % minutes === 0 ? undefined : minutes;
      d.expression = spliceField(d.expression, 'minute', minutes === 1 || d.intervalMinutes !== undefined ? '*' : `*/${minutes}`);
    });
  }

  /** Replaces the given fields of the task's expression, leaving the others; a new minute ends an `every()` interval. */
  protected splice(fields: Partial<Record<CronFieldName, string | number>>): this {
    return this.edit((d) => {
      if (fields.minute !== undefined) d.intervalMinutes = undefined;
      for (const [field, value] of Object.entries(fields) as [CronFieldName, string | number][]) {
        d.expression = spliceField(d.expression, field, value);
      }
    });
  }

  #repeatEvery(seconds: number): this {
    return this.edit((d) => {
      d.repeatSeconds = seconds === 60 ? undefined : seconds;
      d.intervalMinutes = undefined;
    }).everyMinute();
  }

  /** `* * * * *` */
  everyMinute(): this { return this.splice({ minute: '*' }); }
  /** `*\/2 * * * *` */
  everyTwoMinutes(): this { return this.splice({ minute: '*/2' }); }
  /** `*\/3 * * * *` */
  everyThreeMinutes(): this { return this.splice({ minute: '*/3' }); }
  /** `*\/4 * * * *` */
  everyFourMinutes(): this { return this.splice({ minute: '*/4' }); }
  /** `*\/5 * * * *` */
  everyFiveMinutes(): this { return this.splice({ minute: '*/5' }); }
  /** `*\/10 * * * *` */
  everyTenMinutes(): this { return this.splice({ minute: '*/10' }); }
  /** `*\/15 * * * *` */
  everyFifteenMinutes(): this { return this.splice({ minute: '*/15' }); }
  /** `*\/30 * * * *` */
  everyThirtyMinutes(): this { return this.splice({ minute: '*/30' }); }

  /** `0 * * * *` */
  hourly(): this { return this.splice({ minute: 0 }); }
  /** At the given minute(s) of every hour: `hourlyAt(15)`, `hourlyAt([0, 30])`, `hourlyAt('*\/10')`. */
  hourlyAt(minutes: FieldValue): this { return this.#hourBased(minutes, '*', 'hourlyAt'); }
  /** `0 1-23/2 * * *`, at `minutes` past. */
  everyOddHour(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '1-23/2', 'everyOddHour'); }
  /** `0 0-22/2 * * *`, at `minutes` past. */
  everyEvenHour(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '0-22/2', 'everyEvenHour'); }
  /** `0 *\/2 * * *`, at `minutes` past. */
  everyTwoHours(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '*/2', 'everyTwoHours'); }
  /** `0 *\/3 * * *`, at `minutes` past. */
  everyThreeHours(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '*/3', 'everyThreeHours'); }
  /** `0 *\/4 * * *`, at `minutes` past. */
  everyFourHours(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '*/4', 'everyFourHours'); }
  /** `0 *\/6 * * *`, at `minutes` past. */
  everySixHours(minutes: FieldValue = 0): this { return this.#hourBased(minutes, '*/6', 'everySixHours'); }

  /** `0 0 * * *` */
  daily(): this { return this.splice({ minute: 0, hour: 0 }); }
  /** Every day at `time` ('HH:MM', 'HH' or 'HH:MM:SS', seconds ignored as Laravel does): `dailyAt('13:05')` is `5 13 * * *`. */
  dailyAt(time: string): this {
    const { hour, minute } = this.#parseTime(time, 'dailyAt');
    return this.splice({ minute, hour });
  }
  /** Alias of `dailyAt`. */
  at(time: string): this { return this.dailyAt(time); }
  /** `0 1,13 * * *` by default. */
  twiceDaily(first = 1, second = 13): this { return this.twiceDailyAt(first, second, 0); }
  /** `minute first,second * * *` */
  twiceDailyAt(first = 1, second = 13, minute = 0): this {
    return this.#hourBased(minute, `${this.integer(first, 'twiceDailyAt', 0, 23)},${this.integer(second, 'twiceDailyAt', 0, 23)}`, 'twiceDailyAt');
  }

  /** Mondays to Fridays: day-of-week `1-5`. */
  weekdays(): this { return this.days(`${Day.MONDAY}-${Day.FRIDAY}`); }
  /** Saturdays and Sundays: day-of-week `6,0`. */
  weekends(): this { return this.days(Day.SATURDAY, Day.SUNDAY); }
  sundays(): this { return this.days(Day.SUNDAY); }
  mondays(): this { return this.days(Day.MONDAY); }
  tuesdays(): this { return this.days(Day.TUESDAY); }
  wednesdays(): this { return this.days(Day.WEDNESDAY); }
  thursdays(): this { return this.days(Day.THURSDAY); }
  fridays(): this { return this.days(Day.FRIDAY); }
  saturdays(): this { return this.days(Day.SATURDAY); }
  /** The days of the week to run on (0–7 or names, Sunday = 0): `days(Day.MONDAY, Day.WEDNESDAY)`. */
  days(...days: (string | number | readonly (string | number)[])[]): this {
    return this.splice({ dayOfWeek: this.#list(days.flat(), 'days') });
  }

  /** `0 0 * * 0` */
  weekly(): this { return this.splice({ minute: 0, hour: 0, dayOfWeek: 0 }); }
  /** Every week on `day` at `time`: `weeklyOn(Day.MONDAY, '8:00')` is `0 8 * * 1`. */
  weeklyOn(day: string | number | readonly (string | number)[], time = '0:0'): this {
    return this.dailyAt(time).days(day);
  }

  /** `0 0 1 * *` */
  monthly(): this { return this.splice({ minute: 0, hour: 0, dayOfMonth: 1 }); }
  /** Every month on `day` at `time`. */
  monthlyOn(day = 1, time = '0:0'): this {
    return this.dailyAt(time).splice({ dayOfMonth: this.integer(day, 'monthlyOn', 1, 31) });
  }
  /** Every month on the 1st and 16th (by default) at `time`. */
  twiceMonthly(first = 1, second = 16, time = '0:0'): this {
    return this.dailyAt(time).splice({ dayOfMonth: `${this.integer(first, 'twiceMonthly', 1, 31)},${this.integer(second, 'twiceMonthly', 1, 31)}` });
  }
  /** On the last day of every month at `time`, whatever its length (`L`). */
  lastDayOfMonth(time = '0:0'): this { return this.dailyAt(time).splice({ dayOfMonth: 'L' }); }
  /** At midnight on the given days of the month, as Laravel: `daysOfMonth(1, 15)` or `daysOfMonth([1, 15])` is `0 0 1,15 * *`. */
  daysOfMonth(...days: (number | readonly number[])[]): this {
    return this.splice({ minute: 0, hour: 0, dayOfMonth: this.#list(days.flat(), 'daysOfMonth') });
  }

  /** `0 0 1 1-12/3 *` */
  quarterly(): this { return this.splice({ minute: 0, hour: 0, dayOfMonth: 1, month: '1-12/3' }); }
  /** On day `day` of each quarter's first month, at `time`. */
  quarterlyOn(day = 1, time = '0:0'): this {
    return this.dailyAt(time).splice({ dayOfMonth: this.integer(day, 'quarterlyOn', 1, 31), month: '1-12/3' });
  }

  /** `0 0 1 1 *` */
  yearly(): this { return this.splice({ minute: 0, hour: 0, dayOfMonth: 1, month: 1 }); }
  /** Every year on `month`/`day` at `time`: `yearlyOn(6, 15, '12:00')` is `0 12 15 6 *`. */
  yearlyOn(month = 1, day: number | string = 1, time = '0:0'): this {
    return this.dailyAt(time).splice({
      dayOfMonth: typeof day === 'string' ? day : this.integer(day, 'yearlyOn', 1, 31),
      month: this.integer(month, 'yearlyOn', 1, 12),
    });
  }

  #hourBased(minutes: FieldValue, hours: string, method: string): this {
    return this.splice({ minute: this.#list([minutes].flat(), method), hour: hours });
  }

  #list(values: readonly (string | number)[], method: string): string {
    if (values.length === 0) this.reject(method, 'at least one value', 'none');
    for (const value of values) {
      if (typeof value === 'number') this.integer(value, method);
      else if (typeof value !== 'string' || value.trim() === '') this.reject(method, 'whole numbers or cron field text', value);
    }
    return values.join(',');
  }

  #parseTime(time: string, method: string): ClockTime {
    return parseClockTime(time) ?? this.reject(method, "a time 'HH:MM' or 'HH:MM:SS' (00:00–23:59)", time);
  }
}
