import type { Logger } from '@aws-lambda-powertools/logger';
import type { PendingRun, Store } from '../store/Store.js';

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
 * so the run can be aborted: its fence token is stale. Each beat also learns whether a run waits
 * behind the lease, for `onPending` (overlap policy `replace` stops the current run for it).
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
  /** Called on each beat that finds a run waiting behind the lease. */
  readonly onPending?: (pending: PendingRun) => void;
  /** Beat at least this often, in ms. @default a third of `length` */
  readonly intervalMs?: number;
}): () => void {
  const beat = async () => {
    const now = options.now();
    const expiresAt = Math.min(options.until, now + options.length);
    try {
      const extension = await options.store.extendLease({ task: options.task, owner: options.owner, now, expiresAt });
      if (!extension.extended) {
        options.logger.warn('lease lost', { task: options.task });
        options.onLost();
      } else if (extension.pending !== undefined) {
        options.onPending?.(extension.pending);
      }
    } catch (error) {
      // A failed heartbeat is not yet a lost lease: the next beat may get through before it lapses.
      options.logger.warn('heartbeat failed', { task: options.task, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1_000, Math.floor(Math.min(options.length / 3, options.intervalMs ?? Infinity))));
  return () => clearInterval(timer);
}
