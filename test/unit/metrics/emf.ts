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
 * Runs `emit` (and waits for it) and returns the EMF documents it printed: Powertools Metrics writes each one as a JSON
 * line on stdout (a Console of its own over `process.stdout`), which is exactly what the Lambda
 * runtime hands CloudWatch Logs. Lines that are not EMF are left out.
 */
export async function captureEmf(emit: () => unknown): Promise<EmfDocument[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
    return true;
  });
  try {
    await emit();
  } finally {
    write.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as EmfDocument).filter((doc) => doc._aws !== undefined);
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
