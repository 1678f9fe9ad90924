import { DynamoDbStore } from '../../store/DynamoDbStore.js';
import { TickworkError } from '../../errors.js';
import type { Project, TableOptions } from '../project.js';

/**
 * Runs `work` on the stage's table; closes the client after. A missing table is reported with its
 * name and where it was looked for, the usual cause being the wrong stage or an undeployed stack.
 */
export async function withStore<T>(project: Project, options: TableOptions, work: (store: DynamoDbStore, tableName: string) => Promise<T>): Promise<T> {
  const tableName = project.table(options.stage, options.table);
  const deployment = project.deployment(options.stage, options.deployment);
  const client = project.dynamoDbClient(options);
  try {
    return await work(new DynamoDbStore({ tableName, client, deployment }), tableName);
  } catch (error) {
    if (causes(error).some((e) => (e as { name?: unknown } | null)?.name === 'ResourceNotFoundException')) {
      const where = options.endpoint ? `at ${options.endpoint}` : 'in AWS';
      throw new TickworkError('STORE_ERROR', `table "${tableName}" not found ${where}: deploy the stage, or pass --stage / --table`, { cause: error });
    }
    throw error;
  } finally {
    client.destroy();
  }
}

/** An error and its causes, outermost first (the store wraps the SDK's errors in a `StoreError`). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}
