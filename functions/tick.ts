import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import kernel from '../src/kernel.js';
import { buildSchedule, createTickHandler, DynamoDbStore } from '../src/index.js';
import { awsSinks, localSinks } from '../src/runner/createTickHandler.js';
import { requireEnv } from './env.js';

const offline = process.env.IS_OFFLINE === 'true';

// Built once per container: the schedule is compiled here, not on every tick.
const store = new DynamoDbStore({
  tableName: requireEnv('TICKWORK_TABLE'),
  client: new DynamoDBClient({}),
  deployment: process.env.TICKWORK_DEPLOYMENT,
  ...(process.env.TICKWORK_RETENTION_DAYS ? { retentionDays: Number(process.env.TICKWORK_RETENTION_DAYS) } : {}),
});

export const handler = createTickHandler({
  schedule: buildSchedule(kernel),
  store,
  stage: requireEnv('TICKWORK_STAGE'),
  sinks: offline
    ? localSinks(process.cwd())
    : awsSinks({ s3: new S3Client({}), ses: new SESv2Client({}) }, process.env.TICKWORK_MAIL_FROM),
  // serverless-offline hands over the Scheduler input unreplaced; it fires on the minute boundary,
  // so the moment it fires stands in for the scheduled time the Scheduler would have written.
  resolvePlaceholder: offline ? () => new Date() : undefined,
});
