import type { WallClock } from '../evaluation/wallClock.js';

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const pad = (value: number) => String(value).padStart(2, '0');

/** `02:30` */
export function clockTime(clock: Pick<WallClock, 'hour' | 'minute'>): string {
  return `${pad(clock.hour)}:${pad(clock.minute)}`;
}

/** `Sun 2026-03-08 02:30`: a wall clock as people read it, for explanations. */
export function wallTime(clock: WallClock): string {
  return `${WEEKDAY_NAMES[clock.weekday] ?? '?'} ${clock.year}-${pad(clock.month)}-${pad(clock.day)} ${clockTime(clock)}`;
}

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`: durations and lateness in tables and explanations. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min${ms % 60_000 >= 1000 ? ` ${Math.floor((ms % 60_000) / 1000)} s` : ''}`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 > 0 ? ` ${minutes % 60} min` : ''}`;
}

/** An epoch-ms instant as ISO-8601 UTC. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
