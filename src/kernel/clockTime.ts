/** A wall-clock time of day. */
export interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

/** Reads 'HH:MM' or 'HH' (as Laravel's `dailyAt` does), hours 0–23 and minutes 0–59; else undefined. */
export function parseClockTime(text: unknown): ClockTime | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,2})(?::(\d{1,2}))?$/.exec(text.trim());
  if (match === null) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

/** Minutes since midnight. */
export function minuteOfDay(time: ClockTime): number {
  return time.hour * 60 + time.minute;
}
