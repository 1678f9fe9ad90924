/** `tickwork/dynamodb`: the DynamoDB store and the client settings Tickwork's Lambdas use. */
export { DynamoDbStore, type DynamoDbStoreOptions } from '../store/DynamoDbStore.js';
export { dynamoDbClientConfig } from '../aws/dynamoDbClientConfig.js';
export { BoundedRetryStrategy, BOUNDED_RETRY_DEFAULTS, type BoundedRetryOptions } from '../aws/BoundedRetryStrategy.js';
export { createTableInput, TTL_ATTRIBUTE } from '../store/tableDefinition.js';
