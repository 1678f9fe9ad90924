import { describeStoreContract } from '../../contract/storeContract.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

describeStoreContract('MemoryStore', async () => {
  const table = new MemoryStore();
  return (deployment) => table.withDeployment(deployment);
});
