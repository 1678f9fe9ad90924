import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** A handler that may be told, by its signal, that the invocation is about to be cut off. */
export type SignalledHandler<R> = (event: unknown, context: Context, extra: { readonly signal: AbortSignal }) => Promise<R>;

/**
 * Wraps a Tickwork handler for Lambda: each invocation's context on every line `logger` writes
 * (Powertools' `addContext`; the keys a run appended are reset after it), and with `abortEarlyMs` a
 * signal aborted that long before Lambda's own timeout — the last resort, after the run's own deadline
 * — so the invocation ends with a `TimeoutError` instead of being killed mid-write.
 *
 * Middy's core and Powertools' middleware did this; `@middy/core` imports `node:stream/web` for
 * streamed responses, and loading Node's web streams was about a fifth of the tick's cold import
 * (`npm run bench`, budget 2).
 */
export function forLambda<R>(logger: Logger, handler: SignalledHandler<R>, options: { readonly abortEarlyMs?: number } = {}): (event: unknown, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.refreshSampleRateCalculation();
    logger.addContext((context ?? {}) as Context);
    // POWERTOOLS_LOGGER_LOG_EVENT=true logs each invocation's event, as Powertools' middleware does.
    logger.logEventIfEnabled(event);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = handler(event, context, { signal: abort.signal });
      const early = options.abortEarlyMs;
      if (early === undefined || typeof context?.getRemainingTimeInMillis !== 'function') return await run;
      const stopped = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Settled before the signal fires: a run that gives up at once on it does not win the race.
          reject(Object.assign(new Error(`the invocation was stopped ${early} ms before Lambda's timeout`), { name: 'TimeoutError' }));
          abort.abort();
        }, context.getRemainingTimeInMillis() - early);
      });
      return await Promise.race([run, stopped]);
    } finally {
      clearTimeout(timer);
      logger.resetKeys();
    }
  };
}
