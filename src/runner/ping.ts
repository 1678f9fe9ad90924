import type { Logger } from '@aws-lambda-powertools/logger';

/** How long a ping may take before it is abandoned. */
export const PING_TIMEOUT_MS = 5_000;

/**
 * GETs each URL concurrently. A ping that fails or times out is logged as a warning and never fails
 * the task it reports on.
 */
export async function ping(urls: readonly string[], logger: Pick<Logger, 'warn'>, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        if (!response.ok) logger.warn('ping failed', { url, status: response.status });
      } catch (error) {
        logger.warn('ping failed', { url, error: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
}
