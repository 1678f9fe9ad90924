import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import table from '../../infra/table.json' with { type: 'json' };

/**
 * The table's one definition is `infra/table.json`: the stack deploys it as a CloudFormation
 * resource, and `ensureTable()` creates the same keys and billing mode from it locally and in tests.
 */
export const TTL_ATTRIBUTE = table.Properties.TimeToLiveSpecification.AttributeName;

/** The CreateTable input for `tableName`, from the CloudFormation resource's properties. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { AttributeDefinitions, KeySchema, BillingMode } = table.Properties;
  return {
    TableName: tableName,
    AttributeDefinitions: AttributeDefinitions.map((d) => ({
      AttributeName: d.AttributeName,
      AttributeType: d.AttributeType as 'S' | 'N' | 'B',
    })),
    KeySchema: KeySchema.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType as 'HASH' | 'RANGE' })),
    BillingMode: BillingMode as 'PAY_PER_REQUEST',
  };
}
