import { TickworkError } from '../errors.js';
import type { ZoneOffsetTable } from './zoneOffsets.js';

/** The calendar fields of an instant as a clock on the wall of some time zone shows them. */
export interface WallClock {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  /** 0–23 */
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
  readonly daysInMonth: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `at` in UTC. */
export function utcWallClock(at: Date): WallClock {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + 1;
  return {
    year,
    month,
    day: at.getUTCDate(),
    hour: at.getUTCHours(),
    minute: at.getUTCMinutes(),
    weekday: at.getUTCDay(),
    daysInMonth: daysIn(year, month),
  };
}

const MINUTE_MS = 60_000;
/**
 * Offsets are cached per zone in blocks of 15 minutes: no zone changes its offset twice within one, so
 * a block whose two ends agree has that offset throughout and its wall clocks are plain arithmetic.
 * Only blocks that contain a transition ask Intl minute by minute.
 */
const BLOCK_MS = 15 * MINUTE_MS;
/** Blocks kept per zone before the cache is dropped (a tick needs a handful; a year's walk, 35,000). */
const MAX_BLOCKS = 50_000;
const offsets = new Map<string, Map<number, number | null>>();

/** The packaged offsets this process's ICU agrees with (`useZoneOffsets`). */
let packaged: ZoneOffsetTable | undefined;

/**
 * Takes the offsets the plugin worked out when it packaged this function (`zoneOffsetTable`), if this
 * process's ICU reads the same tz database: within the table's window, the wall clocks of its zones
 * are then arithmetic, and ICU is never started for them. Returns whether the table is in use;
 * `undefined` drops it.
 */
export function useZoneOffsets(table: ZoneOffsetTable | undefined, tz: string | null = process.versions.tz ?? null): boolean {
  packaged = table !== undefined && table.tz === tz ? table : undefined;
  return packaged !== undefined;
}

/** The offset the packaged table records for `zone` at `ms`, if it covers them. */
function packagedOffset(zone: string, ms: number): number | undefined {
  const table = packaged;
  const changes = table?.zones[zone];
  if (table === undefined || changes === undefined || ms < table.from || ms >= table.to) return undefined;
  let offset = changes[0];
  for (let i = 1; i < changes.length && changes[i]! <= ms; i += 2) offset = changes[i + 1];
  return offset;
}

/** The wall clock of `at` in the IANA zone `zone`. */
export function wallClock(at: Date, zone: string): WallClock {
  if (zone === 'UTC') return utcWallClock(at);
  const ms = at.getTime();
  const tabled = packagedOffset(zone, ms);
  if (tabled !== undefined) return utcWallClock(new Date(ms + tabled * MINUTE_MS));
  const block = Math.floor(ms / BLOCK_MS);
  let blocks = offsets.get(zone);
  if (blocks === undefined) {
    blocks = new Map();
    offsets.set(zone, blocks);
  }
  let offset = blocks.get(block);
  if (offset === undefined) {
    const start = intlOffsetAt(block * BLOCK_MS, zone);
    offset = start === intlOffsetAt((block + 1) * BLOCK_MS, zone) ? start : null;
    if (blocks.size >= MAX_BLOCKS) blocks.clear();
    blocks.set(block, offset);
  }
  return offset === null ? intlWallClock(at, zone) : utcWallClock(new Date(ms + offset * MINUTE_MS));
}

/** The zone's UTC offset at `ms`, in whole minutes east, as ICU has it. */
export function intlOffsetAt(ms: number, zone: string): number {
  const c = intlWallClock(new Date(ms), zone);
  return Math.round((Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - Math.floor(ms / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

function intlWallClock(at: Date, zone: string): WallClock {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        weekday: 'short',
      });
    } catch (cause) {
      // Only a kernel built inside `zonesCheckedAtPackage` gets here with a zone ICU does not know.
      throw new TickworkError('INVALID_TIME_ZONE', `Time zone ${JSON.stringify(zone)} is not one this runtime's ICU knows (${(cause as Error).message}): name an IANA zone such as 'Europe/Paris'`, { cause });
    }
    formatters.set(zone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const { type, value } of formatter.formatToParts(at)) parts[type] = value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    year,
    month,
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    daysInMonth: daysIn(year, month),
  };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
