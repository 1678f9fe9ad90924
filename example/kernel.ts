import { registerCommand, type Schedule } from 'tickwork';
import { exportInvoices } from './tasks/exportInvoices.js';
import { heartbeat } from './tasks/heartbeat.js';
import { pruneCache } from './tasks/pruneCache.js';
import { rollupMetrics } from './tasks/rollupMetrics.js';
import { sendDailyReport } from './tasks/sendDailyReport.js';

registerCommand('cache:prune', pruneCache);

/**
 * The application's schedule. The tick Lambda evaluates it once a minute; `serverless package`
 * and `npm start` build it first, so an invalid task fails there, not at run time.
 */
export default function schedule(schedule: Schedule): void {
  schedule.call(heartbeat).name('heartbeat').description('Logs once a minute').everyMinute();

  schedule.command('cache:prune').description('Drops stale cache entries').everyTwoMinutes();

  schedule
    .call(rollupMetrics)
    .name('metrics:rollup')
    .description('Aggregates the last five minutes of metrics')
    .everyFiveMinutes()
    .withoutOverlapping()
    .timeout(60);

  // Runs in its own Lambda: the tick claims the slot and dispatches it; the task's function runs it.
  schedule
    .call(exportInvoices)
    .name('invoices:export')
    .description('Exports new invoices to the accounting system')
    .everyFiveMinutes()
    .withoutOverlapping()
    .onLambda({ memorySize: 1024, timeout: 300 });

  schedule.exec(['df', '-h', '/tmp']).name('disk:report').description('Appends disk usage to a log').hourly().appendOutputTo('logs/disk.log');

  schedule.group({ timezone: 'Europe/Paris', environments: ['prod'] }, (prod) => {
    prod.call(sendDailyReport).name('reports:daily').description('Mails yesterday’s figures').dailyAt('02:00');
  });
}
