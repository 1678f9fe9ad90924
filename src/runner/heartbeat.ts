import type { Logger } from '@aws-lambda-powertools/logger';
import type { Store } from '../store/Store.js';

/**
 * Keeps a lease alive while its run is. Only needed when the lease is shorter than the run may last
 * (a cap below its deadline): the lease then stays short, so a crashed run blocks its task only
 * briefly, and the live run extends it every third of its length.
 *
 *   acquire ──┬── beat ──┬── beat ──┬── run ends: stop, release
 *             │ +length  │ +length  │
 *   a run that dies stops beating; its lease lapses within `length`.
 *
 * If an extension is refused — the lease expired and may belong to another run now — `onLost` fires
 * so the run can be aborted: its fence token is stale.
 */
export function startHeartbeat(options: {
  readonly store: Store;
  readonly task: string;
  readonly owner: string;
  readonly now: () => number;
  /** How long each extension lasts, in ms. */
  readonly length: number;
  /** No extension goes past this (the run's deadline plus margin). */
  readonly until: number;
  readonly logger: Logger;
  readonly onLost: () => void;
}): () => void {
  const beat = async () => {
    const now = options.now();
    const expiresAt = Math.min(options.until, now + options.length);
    try {
      if (await options.store.extendLease({ task: options.task, owner: options.owner, now, expiresAt })) return;
      options.logger.warn('lease lost', { task: options.task });
      options.onLost();
    } catch (error) {
      // A failed heartbeat is not yet a lost lease: the next beat may get through before it lapses.
      options.logger.warn('heartbeat failed', { task: options.task, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1_000, Math.floor(options.length / 3)));
  return () => clearInterval(timer);
}
