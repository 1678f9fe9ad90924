import { InvalidTickEventError } from '../errors.js';
import { ISO_INSTANT_FORMAT, parseIsoInstant } from './isoInstant.js';

/**
 * The placeholder our EventBridge Scheduler target input carries; the Scheduler replaces it with
 * the schedule's scheduled time on every invocation. serverless-offline passes the input through
 * verbatim, so locally it arrives unreplaced.
 */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

const MINUTE_MS = 60_000;

/**
 * How far ahead of the Lambda's clock a tick's time may be: clock skew between AWS hosts is well under
 * a second, so anything beyond a minute is not an early delivery but a wrong time. Run, it would run
 * slots before they are due and move the stored last tick ahead, and the real ticks of the minutes it
 * jumped would find them decided. A minute bounds that harm to the next minute's slots, early.
 */
export const MAX_TICK_AHEAD_MS = MINUTE_MS;

/**
 * How old a tick's time may be: the longest AWS may hold a delivery, plus a minute of slack for the
 * tick's own start-up. EventBridge Scheduler retries a failed invocation for up to 24 hours (its
 * maximum event age) and Lambda's asynchronous retries for up to 6, so an older time was not sent by
 * the trigger; a genuine outage that long is catch-up's business (`planCatchUp` records it as missed).
 *
 *   clock − 24 h 1 min                                   clock   clock + 1 min
 *   ──────refused──────[ accepted: late, retried or redelivered ticks │ skew ]──────refused──────
 */
export const MAX_TICK_AGE_MS = 24 * 60 * MINUTE_MS + MINUTE_MS;

export interface TickMinuteOptions {
  /** The Lambda's clock, in epoch milliseconds: the event's time must lie within the bounds around it. */
  readonly now: number;
  /**
   * Stands in for the Scheduler's substitution of `SCHEDULED_TIME_PLACEHOLDER` where nothing performs
   * it (serverless-offline). Only the local entry point passes it; on AWS an unreplaced placeholder is
   * an error.
   */
  readonly resolvePlaceholder?: () => Date;
}

/**
 * The minute a tick stands for, taken from its trigger event and floored to the minute — never from
 * the Lambda's clock, so a late, duplicated or retried delivery evaluates the minute it was meant for.
 * The clock only bounds it: the time must be no more than `MAX_TICK_AHEAD_MS` ahead of `now` and no more
 * than `MAX_TICK_AGE_MS` behind.
 *
 * Accepted events: our EventBridge Scheduler input `{ scheduledTime }`, an EventBridge rule's
 * "Scheduled Event" (`time`), and a manual invoke `{ time }`, each an ISO-8601 instant with its zone.
 *
 * @example
 * tickMinute({ scheduledTime: '2026-11-23T10:05:00Z' }, { now: Date.parse('2026-11-23T10:05:00.480Z') });
 * // → 2026-11-23T10:05:00.000Z
 *
 * @throws InvalidTickEventError naming the field, when the event carries no usable time
 */
export function tickMinute(event: unknown, options: TickMinuteOptions): Date {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidTickEventError(
      undefined,
      `The tick expects a schedule event object with "scheduledTime" or "time", got ${describeEvent(event)}`,
    );
  }
  const record = event as Record<string, unknown>;
  const field = 'scheduledTime' in record ? 'scheduledTime' : 'time' in record ? 'time' : undefined;
  if (field === undefined) {
    throw new InvalidTickEventError(
      undefined,
      `The tick expects a schedule event with "scheduledTime" (EventBridge Scheduler) or "time" (EventBridge rule or manual invoke); got an event with keys [${Object.keys(record).join(', ')}]`,
    );
  }
  const value = record[field];
  if (value === SCHEDULED_TIME_PLACEHOLDER && options.resolvePlaceholder !== undefined) {
    // Rounded, not floored: the local scheduler may fire a few milliseconds either side of the boundary.
    return new Date(Math.round(options.resolvePlaceholder().getTime() / MINUTE_MS) * MINUTE_MS);
  }
  const ms = typeof value === 'string' ? parseIsoInstant(value) : undefined;
  if (ms === undefined) {
    throw new InvalidTickEventError(
      field,
      `The tick event's "${field}" must be an ISO-8601 timestamp of a real date and time with its zone (${ISO_INSTANT_FORMAT}), got ${shown(value)}`,
    );
  }
  const { now } = options;
  if (!Number.isFinite(now)) throw new RangeError(`tickMinute expects options.now to be the clock in epoch milliseconds, got ${String(now)}`);
  if (ms > now + MAX_TICK_AHEAD_MS) {
    throw new InvalidTickEventError(
      field,
      `The tick event's "${field}" is ${JSON.stringify(value)}, more than 1 minute ahead of the clock (${iso(now)}); expected a time no later than ${iso(now + MAX_TICK_AHEAD_MS)}`,
    );
  }
  if (ms < now - MAX_TICK_AGE_MS) {
    throw new InvalidTickEventError(
      field,
      `The tick event's "${field}" is ${JSON.stringify(value)}, more than 24 h 1 min before the clock (${iso(now)}), longer than AWS holds a delivery; expected a time no earlier than ${iso(now - MAX_TICK_AGE_MS)}`,
    );
  }
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS);
}

/** A received value for a message, cut short: the event is untrusted and may be large. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 100 ? `${json.slice(0, 100)}…` : json;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function describeEvent(event: unknown): string {
  if (Array.isArray(event)) return 'an array';
  if (event === null) return 'null';
  return typeof event === 'string' ? `the string ${JSON.stringify(event.slice(0, 80))}` : typeof event;
}
