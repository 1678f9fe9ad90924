/**
 * `tickwork/lambda/output`: output sinks on S3 and SES, for the functions whose tasks write output to
 * S3 or mail it. The plugin's generated entries import it only then (see `infra/entries.ts`), so a
 * kernel without such tasks never loads the S3 and SES clients.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsSinks } from '../src/runner/awsSinks.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';

export function awsOutput(): OutputSinks {
  return awsSinks({ s3: new S3Client({}), ses: new SESv2Client({}) }, process.env.TICKWORK_MAIL_FROM);
}
