import { InvalidTickEventError } from '../errors.js';

/**
 * The placeholder our EventBridge Scheduler target input carries; the Scheduler replaces it with
 * the schedule's scheduled time on every invocation. serverless-offline passes the input through
 * verbatim, so locally it arrives unreplaced.
 */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

const MINUTE_MS = 60_000;

export interface TickMinuteOptions {
  /**
   * Stands in for the Scheduler's substitution of `SCHEDULED_TIME_PLACEHOLDER` where nothing performs
   * it (serverless-offline). Only the local entry point passes it; on AWS an unreplaced placeholder is
   * an error.
   */
  resolvePlaceholder?: () => Date;
}

/**
 * The minute a tick stands for, taken from its trigger event and floored to the minute — never from
 * the Lambda's clock, so a late, duplicated or retried delivery evaluates the minute it was meant for.
 *
 * Accepted events: our EventBridge Scheduler input `{ scheduledTime }`, an EventBridge rule's
 * "Scheduled Event" (`time`), and a manual invoke `{ time }`.
 *
 * @throws InvalidTickEventError when the event carries no usable time.
 */
export function tickMinute(event: unknown, options: TickMinuteOptions = {}): Date {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidTickEventError(
      `The tick expects a schedule event object with "scheduledTime" or "time", got ${describeEvent(event)}`,
    );
  }
  const record = event as Record<string, unknown>;
  const field = 'scheduledTime' in record ? 'scheduledTime' : 'time' in record ? 'time' : undefined;
  if (field === undefined) {
    throw new InvalidTickEventError(
      `The tick expects a schedule event with "scheduledTime" (EventBridge Scheduler) or "time" (EventBridge rule or manual invoke); got an event with keys [${Object.keys(record).join(', ')}]`,
    );
  }
  const value = record[field];
  if (value === SCHEDULED_TIME_PLACEHOLDER && options.resolvePlaceholder !== undefined) {
    // Rounded, not floored: the local scheduler may fire a few milliseconds either side of the boundary.
    return new Date(Math.round(options.resolvePlaceholder().getTime() / MINUTE_MS) * MINUTE_MS);
  }
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidTickEventError(
      `The tick event's "${field}" must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS);
}

function describeEvent(event: unknown): string {
  if (Array.isArray(event)) return 'an array';
  if (event === null) return 'null';
  return typeof event === 'string' ? `the string ${JSON.stringify(event.slice(0, 80))}` : typeof event;
}
