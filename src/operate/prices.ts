/**
 * AWS list prices `tickwork cost` estimates with: us-east-1 (N. Virginia), on-demand, in US dollars,
 * before any free tier — kept in this one file, with the date they were recorded, so updating them is
 * one edit. Lambda on x86_64 (arm64 duration is about 20 % cheaper); DynamoDB on-demand as reduced in
 * November 2024.
 */
export const PRICES = {
  region: 'us-east-1',
  /** When these figures were written down here. */
  recordedOn: '2026-11-30',
  /** AWS Lambda: per request, and per GB-second of duration (x86_64, first tier). */
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: 0.0000166667,
  /** DynamoDB on-demand: per write request unit (a write of up to 1 KB; two for a write in a transaction). The tick reads nothing. */
  dynamoDbWriteUnit: 0.625 / 1_000_000,
  /** EventBridge: per custom event published (`PutEvents`, per 64 KB chunk). */
  eventBridgeEvent: 1 / 1_000_000,
  /** EventBridge Scheduler: per scheduled invocation (after its free tier of 14 million a month). */
  schedulerInvocation: 1 / 1_000_000,
} as const;

export type Prices = typeof PRICES;
