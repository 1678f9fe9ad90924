import { utcWallClock, wallClock, type WallClock } from './wallClock.js';

const MINUTE_MS = 60_000;
/** Longer than any DST shift in the tz database (2 h), so one look back finds a fall-back in progress. */
const LOOK_BACK_MS = 3 * 60 * MINUTE_MS;

/**
 * What one UTC minute looks like on a zone's wall clock, with the two DST facts the policy needs:
 *
 *   spring forward (gap of g minutes)            fall back (shift of s minutes)
 *   wall  01:58 01:59 | 03:00 03:01              wall  01:58 01:59 01:00 … 01:59 | 01:00 (again) …
 *                     ^ first instant after      first pass ───────────┘ second pass ──┘
 *   `skipped` = the g wall minutes that never    `secondPass` = this wall time already
 *   happened (02:00 … 02:59)                     happened s minutes ago
 */
export interface ZoneMinute {
  readonly clock: WallClock;
  /** The wall minutes a spring-forward gap ending at this minute skipped; empty on other minutes. */
  readonly skipped: readonly WallClock[];
  /** Whether this wall time already occurred earlier (the repeated hour of a fall-back). */
  readonly secondPass: boolean;
}

/** Works out the zone's wall clock and DST situation at `minute` (a whole UTC minute). */
export function zoneMinute(minute: Date, zone: string): ZoneMinute {
  const at = minute.getTime();
  const clock = wallClock(minute, zone);
  if (zone === 'UTC') return { clock, skipped: [], secondPass: false };

  const offset = offsetMinutes(at, clock);
  const gap = offset - offsetMinutes(at - MINUTE_MS, wallClock(new Date(at - MINUTE_MS), zone));
  const skipped: WallClock[] = [];
  if (gap > 0) {
    // The wall clock jumped forward by `gap` minutes between the previous minute and this one.
    const wallNow = at + offset * MINUTE_MS;
    for (let k = gap; k >= 1; k--) skipped.push(utcWallClock(new Date(wallNow - k * MINUTE_MS)));
  }

  let secondPass = false;
  const shift = offsetMinutes(at - LOOK_BACK_MS, wallClock(new Date(at - LOOK_BACK_MS), zone)) - offset;
  if (shift > 0) {
    // A fall-back of `shift` minutes happened in the last few hours: this wall time is a repeat if the
    // instant `shift` minutes ago showed the same wall clock.
    const earlier = at - shift * MINUTE_MS;
    secondPass = offsetMinutes(earlier, wallClock(new Date(earlier), zone)) === offset + shift;
  }
  return { clock, skipped, secondPass };
}

/** The zone's UTC offset at `at`, in minutes, from the wall clock it shows there. */
function offsetMinutes(at: number, clock: WallClock): number {
  const wallAsUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  return Math.round((wallAsUtc - Math.floor(at / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}
