import type { Schedule } from './index.js';
import { heartbeat } from './tasks/heartbeat.js';
import { pruneCache } from './tasks/pruneCache.js';
import { rollupMetrics } from './tasks/rollupMetrics.js';

/**
 * The application's schedule. The tick Lambda evaluates it once a minute; `serverless package`
 * and `npm start` build it first, so an invalid task fails there, not at run time.
 */
export default function schedule(schedule: Schedule): void {
  schedule.call(heartbeat).name('heartbeat').description('Logs once a minute').everyMinute();

  schedule.call(pruneCache).name('cache:prune').description('Drops stale cache entries').cron('*/2 * * * *');

  schedule
    .call(rollupMetrics)
    .name('metrics:rollup')
    .description('Aggregates the last five minutes of metrics')
    .everyFiveMinutes()
    .withoutOverlapping();
}
