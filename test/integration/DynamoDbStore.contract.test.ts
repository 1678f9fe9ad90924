import { describeStoreContract } from '../contract/storeContract.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { freshTable, useLocalStore } from './dynamo.js';

const local = useLocalStore();

describeStoreContract('DynamoDbStore on DynamoDB Local', async () => {
  const { tableName } = await freshTable(local.client);
  return (deployment) => new DynamoDbStore({ tableName, client: local.client, deployment });
});
