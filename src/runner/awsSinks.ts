import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { OutputDeliveryError } from '../errors.js';
import { Mailer } from '../output/Mailer.js';
import { OutputWriter } from '../output/OutputWriter.js';
import { S3ObjectStore } from '../output/S3ObjectStore.js';
import { SesMailTransport } from '../output/SesMailTransport.js';
import type { OutputSinks } from './deliverOutput.js';

/**
 * Output sinks for a deployed stack: S3 targets go to S3, mail through SES from `mailFrom`. Without a
 * sender, mailing fails per delivery (logged) — `serverless package` already refuses a kernel that
 * mails without one. Local file targets resolve under `/tmp`, the only writable place on Lambda.
 */
export function awsSinks(clients: { s3: S3Client; ses: SESv2Client }, mailFrom: string | undefined): OutputSinks {
  return {
    writer: new OutputWriter({ root: '/tmp', objects: new S3ObjectStore(clients.s3) }),
    mailer: mailFrom === undefined || mailFrom === ''
      ? { send: async (mail) => { throw new OutputDeliveryError(`mail to ${mail.to.join(', ')}`, 'TICKWORK_MAIL_FROM is not set'); } }
      : new Mailer({ from: mailFrom, transport: new SesMailTransport(clients.ses) }),
  };
}
