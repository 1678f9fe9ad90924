import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';

/** A client for the DynamoDB Local the global setup started. */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** A store on a table of its own, so tests never see each other's items. */
export async function freshStore(client: DynamoDBClient): Promise<DynamoDbStore> {
  return (await freshTable(client)).store;
}

export async function freshTable(client: DynamoDBClient): Promise<{ store: DynamoDbStore; tableName: string }> {
  const tableName = `test-${randomUUID()}`;
  const store = new DynamoDbStore({ tableName, client });
  await store.ensureTable();
  return { store, tableName };
}

/**
 * For a describe block: a client and a store on a fresh table, created before its tests and
 * closed after them. Read the returned object's fields inside tests, not at collection time.
 */
export function useLocalStore(): { client: DynamoDBClient; store: DynamoDbStore } {
  const state = {} as { client: DynamoDBClient; store: DynamoDbStore };
  beforeAll(async () => {
    state.client = localClient();
    state.store = await freshStore(state.client);
  });
  afterAll(() => state.client.destroy());
  return state;
}
