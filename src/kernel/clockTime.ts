/** A wall-clock time of day. */
export interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

/**
 * Reads 'HH:MM', 'HH' or 'HH:MM:SS' (as Laravel's `dailyAt` does), hours 0–23, minutes and seconds 0–59;
 * else undefined. Seconds are checked and dropped, as Laravel drops them: schedules are per minute.
 */
export function parseClockTime(text: unknown): ClockTime | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?$/.exec(text.trim());
  if (match === null) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  const second = Number(match[3] ?? 0);
  return hour <= 23 && minute <= 59 && second <= 59 ? { hour, minute } : undefined;
}

/** Minutes since midnight. */
export function minuteOfDay(time: ClockTime): number {
  return time.hour * 60 + time.minute;
}
