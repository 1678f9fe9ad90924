import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from '../index.js';

/** Example task: stands in for a short clean-up job that honours its deadline. */
export async function pruneCache({ logger, signal }: TaskContext): Promise<void> {
  await sleep(200, undefined, { signal });
  logger.info('cache pruned', { entriesRemoved: 0 });
}
