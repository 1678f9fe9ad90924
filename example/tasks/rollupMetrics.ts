import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from 'tickwork';

/** Example task: a slower job that must never run twice at once. */
export async function rollupMetrics({ logger, signal, scheduledAt }: TaskContext): Promise<void> {
  await sleep(1_000, undefined, { signal });
  logger.info('metrics rolled up', { windowEnd: scheduledAt.toISOString() });
}
