import type { Context } from 'aws-lambda';

/** A Lambda context with a fixed budget, for calling the tick handler directly. */
export function lambdaContext(requestId: string, remainingMs = 60_000): Context {
  return {
    awsRequestId: requestId,
    functionName: 'tickwork-test-tick',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-tick',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/tickwork-test-tick',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * A wall clock that reads `iso` now and runs on from there in real time: the tick refuses minutes far
 * from its clock (docs/design.md "The tick's input is bounded"), so a test replaying fixed minutes sets the
 * clock beside them.
 */
export function clockAt(iso: string): () => number {
  const offset = Date.parse(iso) - Date.now();
  return () => Date.now() + offset;
}
