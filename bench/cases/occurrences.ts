/*
 * Budget 4: the public `schedule.occurrences(from, to)` over one minute of 10,000 tasks, about 10 %
 * of them due, on a schedule built once (as a warm Lambda or the CLI holds it).
 */
import { Schedule } from '../../src/kernel/Schedule.js';
import { median, p90, type BudgetRow } from '../stats.js';

const TASKS = 10_000;
const MINUTE_MS = 60_000;
/** A Monday morning, UTC. */
const START = Date.UTC(2026, 10, 23, 9, 0);
const WARM_UP = 100;
const RUNS = 500;
const ZONES = ['UTC', 'UTC', 'UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata'];

export async function occurrencesCase(): Promise<BudgetRow[]> {
  const schedule = new Schedule();
  for (let i = 0; i < TASKS; i++) {
    // One task in ten runs every minute; the others at a fixed minute of a fixed hour.
    const expression = i % 10 === 0 ? '* * * * *' : `${(i * 7) % 60} ${(i * 5) % 24} * * *`;
    const task = schedule.call(() => {}).name(`task-${i}`).cron(expression);
    const zone = ZONES[i % ZONES.length]!;
    if (zone !== 'UTC') task.timezone(zone);
  }
  schedule.compiled();
  let minute = START;
  let due = 0;
  const once = () => {
    const from = new Date(minute);
    minute += MINUTE_MS;
    const started = performance.now();
    due = schedule.occurrences(from, new Date(minute)).length;
    return performance.now() - started;
  };
  for (let i = 0; i < WARM_UP; i++) once();
  const times = Array.from({ length: RUNS }, once);
  if (due < TASKS / 20) throw new Error(`only ${due} of ${TASKS} tasks due: the case is not measuring what it says`);
  return [{ case: `4. schedule.occurrences over one minute, ${TASKS} tasks (~10 % due)`, median: median(times), p90: p90(times), judge: 'value', limit: 2, unit: 'ms' }];
}
