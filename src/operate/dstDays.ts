import { wallClock } from '../evaluation/wallClock.js';
import { clockTime } from './format.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A daylight-saving change on a local day: when, and what the clocks did. */
export interface DstChange {
  /** The first instant on the new offset (ISO). */
  readonly at: string;
  readonly kind: 'forward' | 'back';
  /** One sentence, for people: "clocks in America/New_York go forward from 02:00 to 03:00 (02:00–02:59 does not exist)". */
  readonly note: string;
}

/**
 * The DST change on the local day (in `zone`) that contains `at`, if that day has one — for the
 * dashboard's next runs, so that a run on such a day says so (docs/design.md's DST rules decide
 * what the run itself does; `matchSlot` explains that).
 *
 *   local day of `at`:   00:00 ……… 02:00 ⟶ 03:00 ……… 24:00
 *   scanned hourly from a little before its start to a little after its end; a change of offset
 *   between two samples is narrowed to the minute, and kept if it happens on that local day.
 */
export function dstChangeOnDay(at: Date, zone: string): DstChange | undefined {
  if (zone === 'UTC') return undefined;
  const clock = wallClock(at, zone);
  const day = dayOf(clock);
  const approxMidnight = Date.UTC(clock.year, clock.month - 1, clock.day) - offsetMinutes(at.getTime(), zone) * MINUTE_MS;
  for (let t = approxMidnight - 3 * HOUR_MS; t < approxMidnight + 27 * HOUR_MS; t += HOUR_MS) {
    if (offsetMinutes(t, zone) === offsetMinutes(t + HOUR_MS, zone)) continue;
    const change = firstOnNewOffset(t, t + HOUR_MS, zone);
    const before = wallClock(new Date(change - MINUTE_MS), zone);
    if (dayOf(before) !== day) continue;
    const after = wallClock(new Date(change), zone);
    const shift = offsetMinutes(change, zone) - offsetMinutes(change - MINUTE_MS, zone);
    const reached = clockTime(minutesToClock(before.hour * 60 + before.minute + 1));
    const kind = shift > 0 ? 'forward' : 'back';
    const lost = kind === 'forward' ? `${reached}–${clockTime(minutesToClock(after.hour * 60 + after.minute - 1))} does not exist` : `${clockTime(after)}–${clockTime(minutesToClock(before.hour * 60 + before.minute))} happens twice`;
    return { at: new Date(change).toISOString(), kind, note: `clocks in ${zone} go ${kind} from ${reached} to ${clockTime(after)} (${lost})` };
  }
  return undefined;
}

/** The zone's UTC offset at `at`, in minutes. */
function offsetMinutes(at: number, zone: string): number {
  const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
  const c = wallClock(new Date(minute), zone);
  return Math.round((Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - minute) / MINUTE_MS);
}

/** The first whole minute in `(from, to]` on `to`'s offset, by bisection. */
function firstOnNewOffset(from: number, to: number, zone: string): number {
  const target = offsetMinutes(to, zone);
  let low = from;
  let high = to;
  while (high - low > MINUTE_MS) {
    const middle = Math.floor((low + high) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetMinutes(middle, zone) === target) high = middle;
    else low = middle;
  }
  return high;
}

function dayOf(clock: { year: number; month: number; day: number }): string {
  return `${clock.year}-${clock.month}-${clock.day}`;
}

function minutesToClock(total: number): { hour: number; minute: number } {
  const wrapped = ((total % 1440) + 1440) % 1440;
  return { hour: Math.floor(wrapped / 60), minute: wrapped % 60 };
}
