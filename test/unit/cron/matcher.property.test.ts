import { seeded } from '../../seeded.js';
import { CronDate, CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { compileCron } from '../../../src/cron/compileCron.js';
import { wallClock, type WallClock } from '../../../src/evaluation/wallClock.js';

/*
 * Property (docs/design.md, "Cron dialect"): on plain wall-clock matching, the compiled matcher says exactly
 * what cron-parser — the validator of record — says, for every minute of 2026, in UTC and two DST zones.
 * Minutes within 2 hours of a UTC-offset change are left out: there the DST policy (docs/design.md#daylight-saving-time) decides, not
 * wall-clock matching (test/unit/evaluation covers it).
 *
 * Reference side: `includesDate(date)` converts the instant with `new CronDate(date, tz)` and then
 * compares second, minute, hour, month and the day rule (the same OR rule `next()` uses). A 5-field
 * expression's second field is `[0]`, so the instants checked are whole minutes. That conversion costs
 * ~8 µs in a DST zone, so each minute is converted once into a CronDate in the zone and handed to every
 * expression: includesDate copies a CronDate already in its zone as is, so the verdict is the same. A
 * spot check every SPOT_CHECK_EVERY minutes asks again with a plain Date to keep that claim honest.
 *
 * Random expressions come from a seeded PRNG; set CRON_PROPERTY_SEED to explore other seeds.
 */

const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DST_MARGIN_MS = 2 * HOUR_MS;
const ZONES = ['UTC', 'America/New_York', 'Europe/London'] as const;
const RANDOM_PER_ZONE = 12;
/** Prime, so the spot checks drift across minutes, hours and weekdays. */
const SPOT_CHECK_EVERY = 997;
const MAX_REPORTED = 20;
const SEED = Number(process.env.CRON_PROPERTY_SEED ?? 20_261_123) >>> 0;

/** Always checked, in every zone: leap days, `L`, `nL`, `#`, the OR rule, steps that do not divide. */
const TRICKY = [
  '0 0 29 2 *', // no 29 February in 2026: never fires
  '0 0 L 2 *',
  '0 0 L * *',
  '0 12 * * 5L',
  '59 23 L * 0L',
  '30 1 1,15 * MON', // both day fields restricted: the 1st, the 15th or any Monday
  '0 0 1-7 * MON', // OR, not "the first Monday"
  '*/7 */5 */3 * *',
  '0 0 */10 * SUN', // */10 counts as restricted, so it ORs with Sunday
  '15 10 ? * MON#2',
  '0 9 * * 6#5',
  '0 0 * * 7',
  '45 6 31 JAN,MAR-MAY,DEC *',
  '0 */4 * */2 1-5/2',
] as const;

describe(`compiled matcher agrees with cron-parser on every minute of 2026 (seed ${SEED})`, () => {
  const rand = seeded(SEED);
  for (const zone of ZONES) {
    const random = Array.from({ length: RANDOM_PER_ZONE }, (_, i) => randomExpression(rand, i % 3 === 0));
    const expressions = [...TRICKY, ...random];

    it(`${zone}: ${TRICKY.length} fixed + ${RANDOM_PER_ZONE} random expressions (seed ${SEED})`, () => {
      const cases = expressions.map((expression) => ({
        expression,
        compiled: compileCron(expression),
        reference: CronExpressionParser.parse(expression, { tz: zone }),
      }));
      const transitions = offsetTransitions(zone);
      expect(transitions, `UTC-offset changes found in ${zone}`).toHaveLength(zone === 'UTC' ? 0 : 2);

      const disagreements: string[] = [];
      let count = 0;
      let checked = 0;
      let fired = 0;
      for (let at = YEAR_START; at < YEAR_END; at += MINUTE_MS) {
        if (transitions.some((t) => Math.abs(at - t) < DST_MARGIN_MS)) continue;
        const minute = new Date(at);
        const clock = wallClock(minute, zone);
        const cronDate = new CronDate(minute, zone);
        const spotCheck = ++checked % SPOT_CHECK_EVERY === 0;
        for (const { expression, compiled, reference } of cases) {
          const ours = compiled.matches(clock);
          const theirs = reference.includesDate(cronDate);
          const direct = spotCheck ? reference.includesDate(minute) : theirs;
          if (theirs) fired++;
          if (ours === theirs && theirs === direct) continue;
          if (++count <= MAX_REPORTED) {
            disagreements.push(describeDisagreement({ expression, zone, minute, clock, cronDate, ours, theirs, direct }));
          }
        }
      }

      const summary = `${count} disagreement(s) over ${cases.length} expressions × ${checked} minutes in ${zone} (seed ${SEED})`;
      expect(disagreements, summary).toEqual([]);
      expect(fired, 'matching minutes: a check where nothing ever fires proves nothing').toBeGreaterThan(10_000);
    }, 60_000);
  }
});

interface Disagreement {
  expression: string;
  zone: string;
  minute: Date;
  clock: WallClock;
  cronDate: CronDate;
  ours: boolean;
  theirs: boolean;
  direct: boolean;
}

function describeDisagreement(d: Disagreement): string {
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const tickwork = `${d.clock.year}-${pad(d.clock.month)}-${pad(d.clock.day)} ${pad(d.clock.hour)}:${pad(d.clock.minute)} ${weekdays[d.clock.weekday]}`;
  const c = d.cronDate;
  const parser = `${c.getFullYear()}-${pad(c.getMonth() + 1)}-${pad(c.getDate())} ${pad(c.getHours())}:${pad(c.getMinutes())} ${weekdays[c.getDay()]}`;
  const direct = d.direct === d.theirs ? '' : `, cron-parser with a plain Date=${d.direct}`;
  return `"${d.expression}" in ${d.zone} at ${d.minute.toISOString()} (wall clock: Tickwork ${tickwork}, cron-parser ${parser}): compiled=${d.ours}, cron-parser=${d.theirs}${direct}`;
}

/**
 * The instants (to the minute) at which `zone`'s UTC offset changes around 2026, found with Intl
 * directly rather than with the code under test: an hourly scan, then a bisection to the minute.
 */
function offsetTransitions(zone: string): number[] {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const offsetAt = (ms: number) => format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
  const found: number[] = [];
  for (let hour = YEAR_START - DST_MARGIN_MS; hour < YEAR_END + DST_MARGIN_MS; hour += HOUR_MS) {
    if (offsetAt(hour) === offsetAt(hour + HOUR_MS)) continue;
    let before = hour;
    let after = hour + HOUR_MS;
    while (after - before > MINUTE_MS) {
      const middle = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(middle) === offsetAt(before)) before = middle;
      else after = middle;
    }
    found.push(after);
  }
  return found;
}

type Rand = () => number;


const int = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRange {
  min: number;
  max: number;
  /** A name for value `v`, if the field has names (used for about half the values). */
  name?: (v: number) => string | undefined;
}

/** A 5-field expression both sides accept; `bothDays` restricts day-of-month and day-of-week at once. */
function randomExpression(rand: Rand, bothDays: boolean): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const restrictDayOfMonth = bothDays || rand() < 0.35;
    const restrictDayOfWeek = bothDays || rand() < 0.35;
    const expression = [
      field(rand, { min: 0, max: 59 }),
      field(rand, { min: 0, max: 23 }),
      restrictDayOfMonth ? dayOfMonth(rand) : rand() < 0.8 ? '*' : '?',
      field(rand, { min: 1, max: 12, name: (v) => MONTH_NAMES[v - 1] }),
      restrictDayOfWeek ? dayOfWeek(rand) : rand() < 0.8 ? '*' : '?',
    ].join(' ');
    // Random lists can repeat a value or name a day no month has; both sides reject those.
    try {
      compileCron(expression);
      CronExpressionParser.parse(expression);
      return expression;
    } catch {
      continue;
    }
  }
  throw new Error(`no valid expression after 1000 attempts (seed ${SEED})`);
}

function field(rand: Rand, range: FieldRange): string {
  const r = rand();
  if (r < 0.3) return '*';
  return restricted(rand, range);
}

/** Anything but a bare wildcard: a value, a list, a range, a step, a stepped range, a list with a range. */
function restricted(rand: Rand, { min, max, name }: FieldRange): string {
  const label = (v: number) => (name !== undefined && rand() < 0.5 ? name(v) ?? String(v) : String(v));
  const span = max - min + 1;
  const r = rand();
  if (r < 0.22) return label(int(rand, min, max));
  if (r < 0.44) {
    const values = new Set(Array.from({ length: int(rand, 2, 4) }, () => int(rand, min, max)));
    return [...values].sort((a, b) => a - b).map(label).join(',');
  }
  const a = int(rand, min, max - 1);
  const b = int(rand, a + 1, max);
  if (r < 0.64) return `${label(a)}-${label(b)}`;
  if (r < 0.8) return `*/${int(rand, 2, Math.max(2, Math.floor(span / 2)))}`;
  if (r < 0.92) return `${label(a)}-${label(b)}/${int(rand, 2, Math.max(2, b - a))}`;
  if (a === min) return `${label(a)}-${label(b)}`;
  return `${label(int(rand, min, a - 1))},${label(a)}-${label(b)}`;
}

function dayOfMonth(rand: Rand): string {
  const r = rand();
  if (r < 0.15) return 'L';
  if (r < 0.25) return `${int(rand, 1, 28)},L`;
  return restricted(rand, { min: 1, max: 31 });
}

function dayOfWeek(rand: Rand): string {
  const r = rand();
  if (r < 0.15) return `${int(rand, 0, 7)}L`;
  if (r < 0.2) return `${int(rand, 1, 6)},${int(rand, 0, 7)}L`;
  if (r < 0.4) return `${rand() < 0.5 ? DAY_NAMES[int(rand, 0, 6)] : int(rand, 0, 7)}#${int(rand, 1, 5)}`;
  return restricted(rand, { min: 0, max: 7, name: (v) => DAY_NAMES[v] });
}
