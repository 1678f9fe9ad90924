/**
 * The UTC offsets of a kernel's time zones over a window, worked out by the plugin when it packages the
 * functions, so that their wall clocks need no ICU (docs/design.md "Time zones"). The first
 * `Intl.DateTimeFormat` in a process starts ICU's date formatting, about 20 ms of CPU; a Lambda whose
 * first tick evaluates a task in `Europe/Paris` would pay it during that tick, at the CPU share of its
 * memory size. The table is only a record of what ICU answered on the packaging machine, and a
 * function uses it only where its own ICU reads the same tz database (`process.versions.tz`), so it
 * answers exactly what the function's ICU would.
 */
import { intlOffsetAt } from './wallClock.js';

/** Offsets in whole minutes east of UTC; instants in epoch milliseconds. */
export interface ZoneOffsetTable {
  /** The tz database the offsets come from (`process.versions.tz` where they were worked out). */
  readonly tz: string;
  /** The window the table covers: [from, to). */
  readonly from: number;
  readonly to: number;
  /**
   * Per zone, `[offset, change, offset, change, offset, …]`: the offset at `from`, then each instant in
   * the window where the offset changes and the offset from then on.
   */
  readonly zones: Readonly<Record<string, readonly number[]>>;
}

const MINUTE_MS = 60_000;
/**
 * How far apart the offsets are sampled before a change is narrowed down to its minute. No zone of the
 * tz database changes its offset twice within six hours, so none is missed.
 */
const SAMPLE_MS = 6 * 60 * MINUTE_MS;
/** The window of a packaged table, in whole months: from the start of the month before (for catch-up) to two years ahead. */
const MONTHS_BEFORE = 1;
const MONTHS_AFTER = 25;

/**
 * The offsets of `zones` (other than UTC) from the start of the month before `now`'s to two years
 * after, as this process's ICU knows them; `undefined` when there is nothing to record — no such
 * zone, or a Node without a tz database version to label the table with. The window is whole months
 * so that packaging the same kernel twice in a month gives the same bundles: osls deploys nothing when
 * no artifact changed, and each function keeps its warm containers.
 *
 * @throws {TickworkError} `INVALID_TIME_ZONE` for a zone ICU does not know.
 * @example
 * zoneOffsetTable(['Europe/Paris'], new Date('2026-01-15T00:00:00Z'))?.zones['Europe/Paris']?.slice(0, 3);
 * // [60, 1774746000000, 120] — CET from 2025-12-01, then CEST from 2026-03-29T01:00:00Z
 */
export function zoneOffsetTable(zones: Iterable<string>, now: Date, tz: string | null = process.versions.tz ?? null): ZoneOffsetTable | undefined {
  const named = [...new Set(zones)].filter((zone) => zone !== 'UTC').sort();
  if (named.length === 0 || tz === null) return undefined;
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - MONTHS_BEFORE, 1);
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + MONTHS_AFTER, 1);
  return { tz, from, to, zones: Object.fromEntries(named.map((zone) => [zone, offsetChanges(zone, from, to)])) };
}

function offsetChanges(zone: string, from: number, to: number): number[] {
  let offset = intlOffsetAt(from, zone);
  const changes = [offset];
  for (let at = from; at < to; at += SAMPLE_MS) {
    const next = Math.min(at + SAMPLE_MS, to - MINUTE_MS);
    const later = intlOffsetAt(next, zone);
    if (later === offset) continue;
    // The first minute in (at, next] with the new offset.
    let before = at;
    let after = next;
    while (after - before > MINUTE_MS) {
      const middle = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
      if (intlOffsetAt(middle, zone) === offset) before = middle;
      else after = middle;
    }
    changes.push(after, later);
    offset = later;
  }
  return changes;
}
