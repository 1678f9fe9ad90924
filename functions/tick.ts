import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import kernel from '../src/kernel.js';
import { buildSchedule, createTickHandler, DynamoDbStore } from '../src/index.js';
import { requireEnv } from './env.js';

// Built once per container: the schedule is compiled here, not on every tick.
const store = new DynamoDbStore({
  tableName: requireEnv('TICKWORK_TABLE'),
  client: new DynamoDBClient({}),
  deployment: process.env.TICKWORK_DEPLOYMENT,
});

export const handler = createTickHandler({
  schedule: buildSchedule(kernel),
  store,
  // serverless-offline hands over the Scheduler input unreplaced; it fires on the minute boundary,
  // so the moment it fires stands in for the scheduled time the Scheduler would have written.
  resolvePlaceholder: process.env.IS_OFFLINE === 'true' ? () => new Date() : undefined,
});
