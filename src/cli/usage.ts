// What the command line itself got wrong (exit 2), as opposed to what failed while running (exit 1).
import { TickworkError } from '../errors.js';
import { isCalendarTime } from '../tick/isoInstant.js';

/** A bad argument or option: `tickwork` prints its message as one `error: …` line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The calendar date and clock time an ISO-8601 time starts with (`Date` reads the zone). */
const DATE_AND_TIME = /^(?<year>[+-]?\d{4,6})-(?<month>\d\d)-(?<day>\d\d)(?:[T ](?<hour>\d\d):(?<minute>\d\d)(?::(?<second>\d\d))?)?/;

/**
 * `--from`/`--at`: an ISO-8601 time (a date at least; a time without zone is read as local time, as
 * `Date` does) of a real date and time: `Date` would roll 30 February over to 2 March, and 24:00 to the
 * next day, and answer for a time nobody asked about.
 */
export function parseIsoTime(option: string): (value: string) => Date {
  return (value) => {
    const date = new Date(value);
    const parts = DATE_AND_TIME.exec(value)?.groups;
    const real = parts !== undefined && isCalendarTime(Number(parts.year), Number(parts.month), Number(parts.day), Number(parts.hour ?? 0), Number(parts.minute ?? 0), Number(parts.second ?? 0));
    if (!real || Number.isNaN(date.getTime())) {
      throw new UsageError(`${option} expects an ISO-8601 time such as 2026-11-23T10:00:00Z, got ${JSON.stringify(value)}`);
    }
    return date;
  };
}


/** `--next` (and `--count`, its older name): a whole number ≥ 1. */
export function parseCount(option: string): (value: string) => number {
  return (value) => {
    const count = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(count) || count < 1) {
      throw new UsageError(`${option} expects a whole number ≥ 1, got ${JSON.stringify(value)}`);
    }
    return count;
  };
}

const UNIT_MS: Record<string, number> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** `--after`: `90s`, `5m`, `2h`, `1d`, or a bare number of milliseconds, as milliseconds; never negative. */
export function parseDuration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match === null ? undefined : match[2] === '' ? 1 : UNIT_MS[match[2]!.toLowerCase()];
  if (match === null || unit === undefined) {
    throw new UsageError(`--after expects a duration ≥ 0 such as 90s, 5m or 2h, got ${JSON.stringify(value)}`);
  }
  return Math.round(Number(match[1]) * unit);
}

/** `--payload`: any JSON value. */
export function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new UsageError(`--payload must be JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A task name the kernel does not have. */
export function unknownTask(name: string, known: readonly string[]): UsageError {
  return new UsageError(`unknown task ${JSON.stringify(name)}: the kernel has ${known.map((n) => JSON.stringify(n)).join(', ') || 'no tasks'}`);
}

/** One line for a failure while running: `Name: message` for Tickwork's and the SDK's errors. */
export function describeFailure(error: unknown): string {
  if (error instanceof TickworkError || error instanceof Error) return `${error.name}: ${error.message}`.replace(/\s*\n\s*/g, ' ');
  return String(error);
}
