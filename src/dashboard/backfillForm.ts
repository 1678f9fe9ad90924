// The dashboard's backfill form: its fields as the user typed them, and the request they make for
// `backfill()` (src/operate/backfill.ts). Times are ISO-8601, or a `datetime-local` value without a
// zone, read as UTC as the form says; the limit is `tickwork backfill --limit`'s, with its default
// and ceiling. Bad input is an `InvalidBackfillError` naming the field, like the range refusals.
import { InvalidBackfillError } from '../errors.js';
import { DEFAULT_BACKFILL_LIMIT, MAX_BACKFILL_LIMIT, type BackfillRequest } from '../operate/backfill.js';

/** The fields as typed, to fill the form again beside a preview or a refusal. */
export interface BackfillFields {
  readonly from: string;
  readonly to: string;
  readonly limit: string;
}

/** `2026-11-23`, `2026-11-23T10:05`, `2026-11-23 10:05:30.5`, each with an optional `Z` or `±hh:mm`. */
const TIME = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?)(Z|[+-]\d\d:?\d\d)?)?$/i;

/** The fields of a query string or form body; a missing one is empty. */
export function backfillFields(params: URLSearchParams): BackfillFields {
  return { from: params.get('from') ?? '', to: params.get('to') ?? '', limit: params.get('limit') ?? '' };
}

/** The request the fields make for `task`; `InvalidBackfillError` for a field that is not a time or a limit. */
export function backfillRequest(task: string, fields: BackfillFields): Omit<BackfillRequest, 'dryRun' | 'onProgress'> {
  return { task, from: parseTime('from', fields.from), to: parseTime('to', fields.to), limit: parseLimit(fields.limit) };
}

/**
 * An instant from an ISO-8601 time typed on a page, or undefined. One without a zone is UTC — `Date`
 * would read it in the server's zone, which is nothing the user sees on the page, where every time is
 * UTC — and a date that does not exist (February 30) is refused, not rolled into March.
 */
export function parseUtcTime(value: string): Date | undefined {
  const match = TIME.exec(value.trim());
  if (match === null) return undefined;
  const [year, month, day] = match[1]!.split('-').map(Number) as [number, number, number];
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  const zone = match[3]?.toUpperCase().replace(/^([+-]\d\d)(\d\d)$/, '$1:$2') ?? 'Z';
  const time = new Date(`${match[1]}T${match[2] ?? '00:00'}${zone}`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

function parseTime(field: 'from' | 'to', value: string): Date {
  const time = parseUtcTime(value);
  if (time === undefined) {
    throw new InvalidBackfillError(field, `backfill ${field} expects an ISO-8601 time such as 2026-11-23T10:05:00Z (one without a zone is UTC), got ${JSON.stringify(value)}`);
  }
  return time;
}

function parseLimit(value: string): number {
  const text = value.trim();
  if (text === '') return DEFAULT_BACKFILL_LIMIT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > MAX_BACKFILL_LIMIT) {
    throw new InvalidBackfillError('limit', `backfill limit expects a whole number from 1 to ${MAX_BACKFILL_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return limit;
}
