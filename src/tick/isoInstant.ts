/**
 * The one time format a tick event may carry: an ISO-8601 instant with a calendar date, a time to the
 * minute or finer, and an explicit zone — what EventBridge Scheduler and rule events send
 * (`2026-11-23T10:05:00Z`), or a hand-written `2026-11-23T11:05+01:00`.
 *
 * `Date.parse` is no judge of that: it reads `"12"` as 2001-12-01 in the Lambda's local zone,
 * `"2026-11-23"` as midnight UTC, `"2026-11-23 10:05"` in the local zone, and rolls `2026-02-30` over to
 * 2 March — each a valid-looking minute that a tick would then run.
 */
export const ISO_INSTANT_FORMAT = 'YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM';

const ISO_INSTANT =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?)?(?:Z|(?<sign>[+-])(?<offsetHours>\d{2}):(?<offsetMinutes>\d{2}))$/;

/**
 * The epoch milliseconds of `text`, or `undefined` when it is not in `ISO_INSTANT_FORMAT` or names no
 * real date and time (30 February, 24:00, a 60th second, an offset beyond ±23:59). A fraction finer
 * than milliseconds is floored.
 *
 * @example
 * parseIsoInstant('2026-11-23T11:05+01:00'); // Date.UTC(2026, 10, 23, 10, 5)
 * parseIsoInstant('2026-11-23');             // undefined: no time, no zone
 */
export function parseIsoInstant(text: string): number | undefined {
  const groups = ISO_INSTANT.exec(text)?.groups;
  if (groups === undefined) return undefined;
  const year = Number(groups.year);
  const month = Number(groups.month);
  const day = Number(groups.day);
  const hour = Number(groups.hour);
  const minute = Number(groups.minute);
  const second = Number(groups.second ?? 0);
  const offsetHours = Number(groups.offsetHours ?? 0);
  const offsetMinutes = Number(groups.offsetMinutes ?? 0);
  if (!isCalendarTime(year, month, day, hour, minute, second) || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const millis = Number((groups.fraction ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, not Date.UTC, which would read years 0–99 as 1900–1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, millis);
  const offset = (groups.sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return local.getTime() - offset;
}

/** Whether the fields name a real date and time: no 30 February, no 24:00, no 60th minute or second. */
export function isCalendarTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
}

/** The days of `month` (1–12) in `year`, leap years counted. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
