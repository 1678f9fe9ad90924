/**
 * When the store sends writes together (`DynamoTable.putTogether`, `updateTogether`): fewer than
 * `TOGETHER_MIN` made in the same turn go one request each, since a write in a transaction costs
 * DynamoDB two write units instead of one; more go in transactions of at most `TOGETHER_MAX` items,
 * split evenly, so a busy minute is a handful of requests. Apart from the store, so that `tickwork
 * cost` (src/operate/cost.ts) prices the same rule without loading the AWS SDK.
 */
export const TOGETHER_MIN = 8;
export const TOGETHER_MAX = 25;
