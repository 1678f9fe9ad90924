/** The shortest and longest grace `monitor()` takes, in seconds. */
export const GRACE_LIMITS = { min: 60, max: 86_400 } as const;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * `monitor({ grace })` as seconds: `'90s'`, `'10m'`, `'2h'`, `'1d'` (one number and one unit), or a
 * whole number of seconds; undefined for anything else or outside `GRACE_LIMITS`.
 *
 * @example
 * parseGrace('10m'); // 600
 */
export function parseGrace(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string') {
    const match = /^(\d+)\s*([smhd])$/.exec(value.trim());
    seconds = match === null ? undefined : Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  }
  return seconds !== undefined && seconds >= GRACE_LIMITS.min && seconds <= GRACE_LIMITS.max ? seconds : undefined;
}
