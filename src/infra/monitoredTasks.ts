import { longestGapMs } from '../evaluation/longestGap.js';
import { wallClock } from '../evaluation/wallClock.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { staticFilter } from '../operate/staticFilters.js';

/** A task declared `monitor({ grace })`, as its "has not succeeded" alarm (`infra/alarms.ts`) needs it. */
export interface MonitoredTask {
  readonly name: string;
  /** The longest time between two of its slots, in seconds; undefined when it runs less often than weekly. */
  readonly intervalSeconds: number | undefined;
  readonly graceSeconds: number;
}

/** How far ahead intervals are measured: a week and a day, so a weekly task shows one whole gap. */
const HORIZON_MS = 8 * 86_400_000;
/** A fixed-time task in a zone with daylight saving has one gap a year longer by the shift (at most an hour). */
const DST_SHIFT_SECONDS = 3_600;
/**
 * Where intervals are measured from: a fixed week with no daylight-saving change in any zone (the
 * change is added as `DST_SHIFT_SECONDS` instead), so a package built on any day gives the same alarms.
 */
const REFERENCE = new Date('2026-01-05T00:00:00Z');

/**
 * The kernel's `monitor()` tasks with their intervals: the longest gap between two slots over the
 * eight days from `from` (a fixed week by default, see `REFERENCE`), on the tick's own engine — plus an hour for fixed-time tasks outside UTC,
 * whose gap across a daylight-saving change is longer than the others. The stage's static filters
 * count as the tick applies them — a task `environments()` keeps out of the stage gets no alarm, and
 * `between()` windows lengthen the gaps — but runtime filters do not: a `when()` that often says no
 * needs a grace that covers it.
 */
export function monitoredTasks(tasks: readonly CompiledTask[], stage: string, from: Date = REFERENCE): MonitoredTask[] {
  return tasks.flatMap((task) => {
    const { name, monitor, timezone, filters } = task.definition;
    if (monitor === undefined) return [];
    // Never runs in this stage: no alarm that would only ever say so.
    if (filters.environments !== undefined && !filters.environments.includes(stage)) return [];
    // between() / unlessBetween() slots the tick never runs are no slots at all for the alarm.
    const runs = (at: Date) => staticFilter(task.definition, wallClock(at, timezone), stage) === undefined;
    const gap = longestGapMs([minuteLevel(task)], name, from, HORIZON_MS, runs);
    const shift = task.cron.fixedTime && timezone !== 'UTC' ? DST_SHIFT_SECONDS : 0;
    return [{ name, intervalSeconds: gap === undefined ? undefined : Math.ceil(gap / 1000) + shift, graceSeconds: monitor.graceSeconds }];
  });
}

/**
 * The task with one slot per matching minute: walking every slot of an every-second task for eight
 * days takes seconds, and an alarm counts whole minutes anyway. Gaps measured so are at most 59 s too
 * long — an alarm that waits a little longer, never one that fires early.
 */
function minuteLevel(task: CompiledTask): CompiledTask {
  const { cron } = task;
  if (task.definition.repeatSeconds === undefined && cron.seconds.length === 1 && cron.seconds[0] === 0) return task;
  return {
    ...task,
    definition: { ...task.definition, repeatSeconds: undefined },
    cron: {
      expression: cron.expression,
      seconds: [0],
      fixedTime: cron.fixedTime,
      matches: (clock) => cron.matches(clock),
      matchesHour: (clock) => cron.matchesHour(clock),
      matchesMinute: (minute) => cron.matchesMinute(minute),
    },
  };
}
