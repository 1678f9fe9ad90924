import { Logger } from '@aws-lambda-powertools/logger';

/** The service name every Tickwork log line carries; `npm start` keys its readable output on it. */
export const SERVICE_NAME = 'tickwork';

/**
 * Tickwork's structured logger: one JSON object per line, as CloudWatch Logs Insights expects.
 * Level comes from `POWERTOOLS_LOG_LEVEL` (default INFO).
 */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}
