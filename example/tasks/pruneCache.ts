import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandHandler } from 'tickwork';

/** Example console command: stands in for a short clean-up job that honours its deadline. */
export const pruneCache: CommandHandler = async (args, { logger, signal, write }) => {
  await sleep(200, undefined, { signal });
  const dryRun = args.includes('--dry-run');
  write(`pruned 0 entries${dryRun ? ' (dry run)' : ''}\n`);
  logger.info('cache pruned', { entriesRemoved: 0, dryRun });
};
