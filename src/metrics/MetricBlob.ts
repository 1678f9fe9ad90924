import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName } from './names.js';

/** The two units Tickwork's metrics use. */
export type TickworkMetricUnit = typeof MetricUnit.Count | typeof MetricUnit.Milliseconds;

export interface MetricValue {
  readonly name: MetricName;
  readonly unit: TickworkMetricUnit;
  readonly value: number;
}

/**
 * One EMF document's worth of metrics: values that share one set of dimensions (beyond the default
 * `service`). EMF gives every metric in a document the same dimensions, so metrics split by
 * different reasons or tasks need a document each.
 */
export interface MetricBlob {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricValue[];
}

/**
 * Prints `blobs` as EMF documents, one line each, through `metrics` (a Powertools `Metrics`, whose
 * default dimension `service` every document keeps). `undefined` — metrics turned off — prints nothing.
 */
export function publishBlobs(metrics: Metrics | undefined, blobs: readonly MetricBlob[]): void {
  if (metrics === undefined) return;
  for (const blob of blobs) {
    if (blob.metrics.length === 0) continue;
    for (const [name, value] of Object.entries(blob.dimensions)) metrics.addDimension(name, value);
    for (const metric of blob.metrics) metrics.addMetric(metric.name, metric.unit, metric.value);
    // Flushes this document and clears its dimensions (the default `service` stays) for the next.
    metrics.publishStoredMetrics();
  }
}

/** `{ key → how many items }`, weighting each item by `weight` (1 by default), in first-seen order. */
export function countBy<T>(items: readonly T[], key: (item: T) => string, weight: (item: T) => number = () => 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + weight(item));
  return counts;
}
