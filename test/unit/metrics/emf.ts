import type { Context } from 'aws-lambda';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { vi } from 'vitest';
import { createMetrics } from '../../../src/metrics/createMetrics.js';

/** One EMF document as CloudWatch reads it: the `_aws` directive, then dimension and metric values at the top level. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly { readonly Namespace: string; readonly Dimensions: readonly string[][]; readonly Metrics: readonly { Name: string; Unit: string }[] }[];
  };
  readonly [key: string]: unknown;
}

/**
 * Runs `work` (and waits for it) and returns the JSON lines it printed on stdout: Powertools Metrics and
 * Logger each write one JSON line per document there (a Console of their own over `process.stdout`),
 * which is exactly what the Lambda runtime hands CloudWatch Logs.
 */
export async function captureJsonLines(work: () => unknown): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
    return true;
  });
  try {
    await work();
  } finally {
    write.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The EMF documents `emit` printed (see `captureJsonLines`); other lines are left out. */
export async function captureEmf(emit: () => unknown): Promise<EmfDocument[]> {
  return (await captureJsonLines(emit)).filter((doc): doc is EmfDocument => doc._aws !== undefined);
}

/** A document's metrics as `{ name: [unit, value] }`, for compact assertions. */
export function valuesOf(doc: EmfDocument): Record<string, [string, unknown]> {
  const [directive] = doc._aws.CloudWatchMetrics;
  return Object.fromEntries(directive!.Metrics.map((m) => [m.Name, [m.Unit, doc[m.Name]]]));
}

/** A Lambda context for calling a handler directly, with most of a minute left. */
export function lambdaContext(requestId = 'req-1'): Context {
  return {
    awsRequestId: requestId, functionName: 'tickwork-test', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test', memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/tickwork-test', logStreamName: 'test', callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 55_000, done: () => {}, fail: () => {}, succeed: () => {},
  };
}

/**
 * `createMetrics(deployment)` as a deployed handler builds it, printing EMF: the tests' setup
 * (test/quietMetrics.ts) turns metrics off for every other test, and Powertools reads that switch when a
 * `Metrics` is built, so it is lifted for this one construction.
 */
export function emittingMetrics(deployment: string): Metrics {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  try {
    const metrics = createMetrics(deployment, {});
    if (metrics === undefined) throw new Error('createMetrics returned no Metrics outside serverless-offline');
    return metrics;
  } finally {
    if (saved !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
}
