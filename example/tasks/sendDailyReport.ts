import type { TaskContext } from 'tickwork';

/** Example task: a report that only makes sense in production. */
export async function sendDailyReport({ logger, scheduledAt, write }: TaskContext): Promise<void> {
  write(`report for ${scheduledAt.toISOString().slice(0, 10)}\n`);
  logger.info('daily report sent');
}
