import { InvalidCronExpressionError } from '../errors.js';
import { utcWallClock, type WallClock } from '../evaluation/wallClock.js';
import { CronFieldError, parseCronFields, type CronFields } from './parseCron.js';

const FIVE_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const SIX_FIELDS = ['second', ...FIVE_FIELDS] as const;

/**
 * A cron expression compiled into lookup tables, so "is this instant due" costs a handful of array
 * reads instead of a parse. Built once per task when the kernel is built; the tick only calls
 * `matches` and reads `seconds`.
 */
export interface CompiledCron {
  /** The expression as written (5 fields, or 6 with seconds first). */
  readonly expression: string;
  /** Seconds within a matching minute at which the expression fires, ascending (`[0]` for 5 fields). */
  readonly seconds: readonly number[];
  /**
   * Whether the hour field names specific hours (not `*`, `?` or a step). Such "fixed-time" expressions
   * get the DST policy of docs/design.md#daylight-saving-time; wildcard and step hours follow elapsed time.
   */
  readonly fixedTime: boolean;
  /** Whether a minute showing these wall-clock fields matches the expression (seconds aside). */
  matches(clock: WallClock): boolean;
  /** Whether any minute of this wall-clock hour can match (hour, day and month fields). */
  matchesHour(clock: WallClock): boolean;
  /** `matches` for the UTC wall clock of `minute`. */
  matchesMinute(minute: Date): boolean;
}

interface Tables {
  minute: Uint8Array;
  hour: Uint8Array;
  dayOfMonth: Uint8Array;
  month: Uint8Array;
  dayOfWeek: Uint8Array;
  lastDayOfMonth: boolean;
  /** Weekdays (0–6) restricted to their last occurrence in the month (`5L`). */
  lastWeekdayOfMonth: Uint8Array;
  /** `n` of `DOW#n`, or 0. */
  nthWeekday: number;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

/**
 * Parses `expression` (`parseCronFields`, which reads it as cron-parser does) and compiles it.
 *
 * @throws InvalidCronExpressionError naming `task`, the offending field and the reason.
 * @example
 * compileCron('*\/5 * * * *', 'reports:daily').matchesMinute(new Date('2026-01-01T00:05:00Z')); // true
 */
export function compileCron(expression: string, task?: string): CompiledCron {
  const raw = expression.trim().split(/\s+/);
  if (raw.length !== 5 && raw.length !== 6) {
    throw new InvalidCronExpressionError({
      ...(task === undefined ? {} : { task }),
      expression,
      reason: `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, got ${raw.length}`,
    });
  }
  const withSeconds = (raw.length === 6 ? raw : ['0', ...raw]) as [string, string, string, string, string, string];

  let fields: CronFields;
  try {
    fields = parseCronFields(withSeconds);
  } catch (cause) {
    if (!(cause instanceof CronFieldError)) throw cause;
    // A 5-field expression's seconds are Tickwork's own `0`, never at fault: the field named is one the user wrote.
    const at = withSeconds[SIX_FIELDS.indexOf(cause.field as (typeof SIX_FIELDS)[number])];
    throw new InvalidCronExpressionError(
      { ...(task === undefined ? {} : { task }), expression, field: `${cause.field} ("${at}")`, reason: cause.message },
      { cause },
    );
  }

  const [, , rawHour, rawDayOfMonth, , rawDayOfWeek] = withSeconds;
  const tables: Tables = {
    minute: toTable(60, fields.minute),
    hour: toTable(24, fields.hour),
    dayOfMonth: toTable(32, fields.dayOfMonth),
    month: toTable(13, fields.month),
    dayOfWeek: toTable(7, fields.dayOfWeek.map((v) => (v === 7 ? 0 : v))),
    lastDayOfMonth: fields.dayOfMonth.includes('L'),
    lastWeekdayOfMonth: toTable(
      7,
      fields.dayOfWeek.filter((v): v is string => typeof v === 'string' && v.endsWith('L')).map((v) => Number(v.slice(0, -1)) % 7),
    ),
    nthWeekday: fields.nthDay,
    // docs/design.md#cron-dialect: anything but a bare `*` or `?` restricts the field, so `*/10` counts as restricted.
    dayOfMonthRestricted: !isUnrestricted(rawDayOfMonth),
    dayOfWeekRestricted: !isUnrestricted(rawDayOfWeek),
  };
  const seconds = fields.second.filter((v): v is number => typeof v === 'number');

  return Object.freeze({
    expression,
    seconds: Object.freeze([...seconds].sort((a, b) => a - b)),
    fixedTime: !isUnrestricted(rawHour) && !(rawHour ?? '').includes('/'),
    matches: (clock: WallClock) => matches(tables, clock),
    matchesHour: (clock: WallClock) => tables.hour[clock.hour] === 1 && tables.month[clock.month] === 1 && matchesDay(tables, clock),
    matchesMinute: (minute: Date) => matches(tables, utcWallClock(minute)),
  });
}

function matches(t: Tables, c: WallClock): boolean {
  return t.minute[c.minute] === 1 && t.hour[c.hour] === 1 && t.month[c.month] === 1 && matchesDay(t, c);
}

function matchesDay(t: Tables, c: WallClock): boolean {
  const domMatch = t.dayOfMonth[c.day] === 1 || (t.lastDayOfMonth && c.day === c.daysInMonth);
  const dowMatch = t.nthWeekday > 0
    ? t.dayOfWeek[c.weekday] === 1 && Math.ceil(c.day / 7) === t.nthWeekday
    : t.dayOfWeek[c.weekday] === 1 || (t.lastWeekdayOfMonth[c.weekday] === 1 && c.day + 7 > c.daysInMonth);

  // Both restricted: a day matches if either matches (cron-parser's and Laravel's rule).
  if (t.dayOfMonthRestricted && t.dayOfWeekRestricted) return domMatch || dowMatch;
  if (t.dayOfMonthRestricted) return domMatch;
  if (t.dayOfWeekRestricted) return dowMatch;
  return true;
}

function isUnrestricted(field: string | undefined): boolean {
  return field === '*' || field === '?';
}

function toTable(size: number, values: readonly (number | string)[]): Uint8Array {
  const table = new Uint8Array(size);
  for (const v of values) if (typeof v === 'number' && v < size) table[v] = 1;
  return table;
}
