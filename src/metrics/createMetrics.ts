import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './names.js';

/**
 * The Powertools `Metrics` Tickwork's handlers publish through: namespace `Tickwork`, default
 * dimension `service` = the deployment id, so each deployment's alarms (`infra/alarms.ts`) see only
 * its own metrics. Returns `undefined` (publish nothing) under serverless-offline, where no one reads
 * EMF and its JSON would clutter `npm start`; `POWERTOOLS_METRICS_DISABLED=false` turns them back on
 * there, and `POWERTOOLS_METRICS_DISABLED=true` turns them off anywhere (Powertools reads it).
 *
 * @example
 * const metrics = createMetrics('prod'); // {"_aws":{…"Namespace":"Tickwork"…},"service":"prod",…}
 */
export function createMetrics(deployment: string, env: NodeJS.ProcessEnv = process.env): Metrics | undefined {
  if (env.IS_OFFLINE === 'true' && env.POWERTOOLS_METRICS_DISABLED === undefined) return undefined;
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: deployment });
}
