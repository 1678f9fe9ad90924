/**
 * The parser of the cron dialect (docs/design.md "Cron dialect"): six fields, seconds first, read as
 * cron-parser 5 reads them — names, `?`, `L`, `nL`, `#`, ranges, steps and lists — except hashed `H`
 * values, which Tickwork refuses (a random choice made again by every process that builds the kernel
 * would put the plugin's schedule and the tick's apart). It is Tickwork's own so that a Lambda's cold
 * start loads neither cron-parser nor Luxon: about 100 KB of bundle, and Luxon's first date starts ICU
 * (`npm run bench`, budget 2). test/unit/cron/parseCron.property.test.ts holds it to cron-parser's
 * verdict and values on generated fields, valid and not.
 */

/** A field's values: numbers, and in the day fields the strings `L` (day of month) and `nL` (weekday). */
export type CronValues = readonly (number | string)[];

export interface CronFields {
  readonly second: CronValues;
  readonly minute: CronValues;
  readonly hour: CronValues;
  readonly dayOfMonth: CronValues;
  readonly month: CronValues;
  readonly dayOfWeek: CronValues;
  /** `n` of `weekday#n`, or 0. */
  readonly nthDay: number;
}

/** Why a field was refused, with the field's name. */
export class CronFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Every character the field may hold once names are replaced by numbers. */
  readonly characters: RegExp;
  readonly names?: Readonly<Record<string, number>>;
  /** Whether a value that is not a number stays a string (`L`, `5L`) to be judged by `validString`. */
  readonly lastDay: boolean;
  readonly validString: (value: string) => boolean;
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
/** Days in each month, February's 29 included. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** More values than this in one field is refused (cron-parser's bound). */
const MAX_VALUES = 256;

const plain = (name: string, min: number, max: number, names?: Record<string, number>): FieldRule => ({
  name,
  min,
  max,
  characters: /^[?,*\d/-]+$/,
  ...(names === undefined ? {} : { names }),
  lastDay: false,
  validString: () => false,
});

const SECOND = plain('second', 0, 59);
const MINUTE = plain('minute', 0, 59);
const HOUR = plain('hour', 0, 23);
const MONTH = plain('month', 1, 12, MONTH_NAMES);
const DAY_OF_MONTH: FieldRule = { name: 'day-of-month', min: 1, max: 31, characters: /^[?,*\dL/-]+$/, lastDay: true, validString: (v) => v === 'L' };
const DAY_OF_WEEK: FieldRule = { name: 'day-of-week', min: 0, max: 7, characters: /^[?,*\dL/-]+$/, names: DAY_NAMES, lastDay: true, validString: (v) => /^[0-7]?L$/.test(v) };

/**
 * The values of six cron fields (seconds first).
 *
 * @throws CronFieldError naming the field and what is wrong with it.
 */
export function parseCronFields(raw: readonly [string, string, string, string, string, string]): CronFields {
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = raw;
  const nth = splitNthDay(dayOfWeek);
  const field = (rule: FieldRule, text: string) => checked(rule, parseField(rule, text), text);
  const months = field(MONTH, month);
  const parsed = {
    second: field(SECOND, second),
    minute: field(MINUTE, minute),
    hour: field(HOUR, hour),
    dayOfMonth: checked(DAY_OF_MONTH, daysOfMonths(parseField(DAY_OF_MONTH, dayOfMonth), months), dayOfMonth),
    month: months,
    dayOfWeek: field(DAY_OF_WEEK, nth.days),
    nthDay: nth.nth,
  };
  if (parsed.dayOfWeek.includes('L')) throw new CronFieldError(DAY_OF_WEEK.name, 'a bare L has no weekday: write 5L for the last Friday');
  // A day of month no month in the field has, with weekdays left open, would never fire.
  const lastDay = dayOfMonth.includes('L') || parsed.dayOfMonth.includes('L');
  if (!lastDay && (dayOfWeek === '*' || dayOfWeek === '?')) {
    const longest = Math.max(...months.map((m) => DAYS_IN_MONTH[(m as number) - 1]!));
    const first = [...parsed.dayOfMonth].sort(byValue)[0];
    if (!(Number.parseInt(String(first), 10) <= longest)) {
      throw new CronFieldError(DAY_OF_MONTH.name, `day ${String(first)} is in none of the months the expression names`);
    }
  }
  return parsed;
}

/** `weekday#n`: the weekday part and `n` (1–5), or the field as it is and 0. */
function splitNthDay(field: string): { days: string; nth: number } {
  const parts = field.split('#');
  if (parts.length === 1) return { days: field, nth: 0 };
  const other = /[,\-/L]/.exec(field);
  if (other !== null) throw new CronFieldError(DAY_OF_WEEK.name, `# cannot be combined with ${other[0]} (got "${field}")`);
  const nth = Number(parts[parts.length - 1]);
  if (parts.length > 2 || Number.isNaN(nth) || nth < 1 || nth > 5) {
    throw new CronFieldError(DAY_OF_WEEK.name, `the occurrence after # must be 1 to 5 (got "${field}")`);
  }
  return { days: parts[0]!, nth };
}

function parseField(rule: FieldRule, raw: string): (number | string)[] {
  let text = raw;
  if (rule.names !== undefined) {
    const names = rule.names;
    text = text.replace(/[a-z]{3}/gi, (name) => {
      const value = names[name.toLowerCase()];
      if (value === undefined) throw new CronFieldError(rule.name, `"${name}" is not a ${rule.name} name`);
      return String(value);
    });
  }
  if (text.includes('H')) throw new CronFieldError(rule.name, `hashed H values are not supported (got "${raw}"): name the value`);
  if (!rule.characters.test(text)) throw new CronFieldError(rule.name, `unexpected character in "${raw}"`);
  // `*` and `?` stand for the whole range, as a whole list item (a step may follow).
  text = text.replace(/(^|,)[*?](?=\/|,|$)/g, (_, comma: string) => `${comma}${rule.min}-${rule.max}`);
  if (/[*?]/.test(text)) throw new CronFieldError(rule.name, `* and ? stand only for a whole list item (got "${raw}")`);

  const values: (number | string)[] = [];
  for (const item of text.split(',')) {
    if (values.length > MAX_VALUES) throw new CronFieldError(rule.name, `more than ${MAX_VALUES} values`);
    if (item === '') throw new CronFieldError(rule.name, `an empty list item in "${raw}"`);
    values.push(...parseItem(rule, item, raw));
  }
  return values;
}

/** A field's values as the field keeps them: each in range (or a valid `L` value), none twice. */
function checked(rule: FieldRule, values: CronValues, raw: string): CronValues {
  const bad = values.find((v) => (typeof v === 'number' ? v < rule.min || v > rule.max : !rule.validString(v)));
  if (bad !== undefined) throw new CronFieldError(rule.name, `expected ${expected(rule)}, got ${String(bad)}`);
  const seen = new Set<number | string>();
  for (const value of values) {
    if (seen.has(value)) throw new CronFieldError(rule.name, `${String(value)} is named twice in "${raw}"`);
    seen.add(value);
  }
  return values;
}

/** One list item: a value, a range, or either with a step (`5/15` reads as `5-max/15`). */
function parseItem(rule: FieldRule, item: string, raw: string): (number | string)[] {
  const parts = item.split('/');
  if (parts.length > 2) throw new CronFieldError(rule.name, `more than one / in "${item}"`);
  let range = parts[0]!;
  const step = parts.length === 2 ? Number(parts[1]) : 1;
  if (parts.length === 2 && !range.includes('-')) range = `${range}-${rule.max}`;
  const ends = range.split('-');
  if (ends.length === 1) return [single(rule, range)];
  if (ends.length > 2) throw new CronFieldError(rule.name, `"${range}" is not a range`);
  const [low, high] = ends.map((end) => (/^\d+$/.test(end) ? Number(end) : Number.NaN)) as [number, number];
  if (Number.isNaN(low) || Number.isNaN(high) || low < rule.min || high > rule.max) {
    throw new CronFieldError(rule.name, `expected a range within ${rule.min}–${rule.max}, got ${range}`);
  }
  if (low > high) throw new CronFieldError(rule.name, `the range ${range} runs backwards`);
  if (!(step > 0)) throw new CronFieldError(rule.name, `the step in "${item}" must be a whole number above 0`);
  const values: number[] = [];
  // A weekday range ending on 7 (Sunday) whose steps reach it names Sunday as 0 too.
  const sunday = rule === DAY_OF_WEEK && high % 7 === 0 && (high - low) % step === 0;
  if (sunday) values.push(0);
  for (let value = low; value <= high; value += step) if (!(sunday && value === 0)) values.push(value);
  return values;
}

function single(rule: FieldRule, text: string): number | string {
  const number = Number(text);
  if (Number.isNaN(number) && rule.lastDay && text.includes('L')) return text;
  const value = Number.parseInt(text, 10);
  if (!(value >= rule.min && value <= rule.max)) throw new CronFieldError(rule.name, `expected ${expected(rule)}, got ${text}`);
  return rule === DAY_OF_WEEK ? value % 7 : number;
}

function expected(rule: FieldRule): string {
  const range = `${rule.min}–${rule.max}`;
  return rule === DAY_OF_MONTH ? `${range} or L` : rule === DAY_OF_WEEK ? `${range} (or a name), or nL for the last such weekday` : range;
}

/** Days a single month cannot have are dropped (`30,31 4` is the 30th), unless that leaves none. */
function daysOfMonths(days: CronValues, months: CronValues): CronValues {
  if (months.length !== 1) return days;
  const longest = DAYS_IN_MONTH[(months[0] as number) - 1]!;
  const kept = days.filter((day) => typeof day !== 'number' || day <= longest);
  return kept.length > 0 ? kept : days;
}

/** Numbers first, ascending; then strings. */
function byValue(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a.localeCompare(b);
}
