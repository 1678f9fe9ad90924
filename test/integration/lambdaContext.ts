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
