/**
 * Which time zones a kernel may name. Building a kernel checks each zone against ICU, eagerly: a bad
 * zone fails `serverless package`, `tickwork list` and the tests, naming the task (docs/design.md
 * "Time zones"). The Lambdas build the very kernel the plugin checked when it packaged them, and the
 * check costs a cold start a few milliseconds of ICU for nothing: their handlers build it inside
 * `zonesCheckedAtPackage`, where a zone is taken as written and ICU judges it on its first wall clock
 * (`wallClock`), with an error naming the zone.
 */

/** The IANA zones ICU knows by their canonical names, read once. */
let canonicalZones: ReadonlySet<string> | undefined;
/** Depth of `zonesCheckedAtPackage` calls in progress. */
let packaged = 0;

/**
 * Whether `zone` is a time zone Intl knows. The canonical names are looked up in ICU's list, about a
 * third of the cost of a first `Intl.DateTimeFormat` (which brings up ICU's date formatting, about 20 ms);
 * an alias (`US/Eastern`) or anything else is tried on a formatter. Inside `zonesCheckedAtPackage`,
 * any non-empty name passes.
 */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  if (packaged > 0) return zone.trim() !== '';
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Runs `build` (a kernel the plugin checked when it packaged this function) taking its zones as written. */
export function zonesCheckedAtPackage<T>(build: () => T): T {
  packaged++;
  try {
    return build();
  } finally {
    packaged--;
  }
}
