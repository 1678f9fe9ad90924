/** Positions of the five standard cron fields. */
export const CronField = {
  minute: 0,
  hour: 1,
  dayOfMonth: 2,
  month: 3,
  dayOfWeek: 4,
} as const;

export type CronFieldName = keyof typeof CronField;

/**
 * Replaces one field of an expression (5 fields, or 6 with seconds first), leaving the others as they are. This is how Laravel's
 * frequency helpers compose: each one overwrites only the fields it sets, so order matters
 * (`everyFiveMinutes().hourly()` ends as `0 * * * *`).
 */
export function spliceField(expression: string, field: CronFieldName, value: string | number): string {
  const parts = expression.split(/\s+/);
  // A 6-field expression leads with seconds; the named field sits one place further right.
  parts[CronField[field] + (parts.length === 6 ? 1 : 0)] = String(value);
  return parts.join(' ');
}
