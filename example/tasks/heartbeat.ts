import type { TaskContext } from 'tickwork';

/** Example task: proves the scheduler is alive once a minute. */
export async function heartbeat({ logger, slot }: TaskContext): Promise<void> {
  logger.info('still ticking', { slot });
}
