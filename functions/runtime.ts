import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { dynamoDbClientConfig } from '../src/aws/dynamoDbClientConfig.js';
import { OutputDeliveryError } from '../src/errors.js';
import { useZoneOffsets } from '../src/evaluation/wallClock.js';
import type { ZoneOffsetTable } from '../src/evaluation/zoneOffsets.js';
import { OutputWriter } from '../src/output/OutputWriter.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';
import { localSinks } from '../src/runner/sinks.js';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';
import { requireEnv } from './env.js';

/**
 * What every Tickwork Lambda builds once per container, from the environment the plugin sets: the
 * DynamoDB store, and where output goes. Only the DynamoDB client is loaded here; the clients a
 * kernel may not need (EventBridge, Lambda, S3, SES) live in their own modules, which the plugin's
 * generated entries import only for kernels that use them (see `infra/entries.ts`). On
 * serverless-offline (`IS_OFFLINE`), AWS endpoints come from the `AWS_ENDPOINT_URL_*` variables
 * `npm start` sets, and output stays on the machine.
 */
export const offline = process.env.IS_OFFLINE === 'true';

export const deployment = process.env.TICKWORK_DEPLOYMENT;

export function createStore(): DynamoDbStore {
  return new DynamoDbStore({
    tableName: requireEnv('TICKWORK_TABLE'),
    client: new DynamoDBClient(dynamoDbClientConfig()),
    deployment,
    ...(process.env.TICKWORK_RETENTION_DAYS ? { retentionDays: Number(process.env.TICKWORK_RETENTION_DAYS) } : {}),
  });
}

/**
 * Output sinks when deployed: `awsOutput` (S3 and SES) for a function whose tasks write to S3 or mail,
 * else local files under `/tmp` only — the plugin bundled no S3 or SES client because no task of this
 * function asked for one, so a mail reaching here is a packaging bug, reported per delivery.
 */
export function functionSinks(awsOutput: (() => OutputSinks) | undefined): OutputSinks {
  if (offline) return localSinks(process.cwd());
  if (awsOutput !== undefined) return awsOutput();
  return {
    writer: new OutputWriter({ root: '/tmp' }),
    mailer: {
      send: async (mail) => {
        throw new OutputDeliveryError(`mail to ${mail.to.join(', ')}`, 'this function was packaged without mail (no task of its kernel mails its output); package it again');
      },
    },
  };
}

/**
 * Takes the zone offsets the plugin packaged with this function (docs/design.md "Time zones"). Where
 * this runtime's tz database is not the one they were read from, its wall clocks come from ICU, and
 * the first tick starts ICU's date formatting: said once, at init, with what to do about it.
 */
export function usePackagedZoneOffsets(table: ZoneOffsetTable | undefined, logger: Logger): void {
  if (useZoneOffsets(table) || table === undefined) return;
  logger.warn(
    `The zone offsets packaged with this function were read from tz database ${table.tz}, and this runtime reads ${process.versions.tz ?? 'none'}: ` +
      "its wall clocks come from ICU, which its first wall clock in one of the kernel's zones starts (about 20 ms of CPU). Package on a Node whose process.versions.tz is the runtime's to skip it",
    { packagedTz: table.tz, runtimeTz: process.versions.tz ?? null },
  );
}
