import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { MailTransport, OutgoingMail } from './MailTransport.js';

/**
 * Sends through Amazon SES v2. The sender must be an identity verified in SES; the id is SES's MessageId.
 *
 * @example
 * const transport = new SesMailTransport(new SESv2Client({}));
 */
export class SesMailTransport implements MailTransport {
  readonly #client: SESv2Client;

  constructor(client: SESv2Client) {
    this.#client = client;
  }

  async send(mail: OutgoingMail): Promise<{ readonly id: string }> {
    const result = await this.#client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [...mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    // SES answers every accepted send with a MessageId; the SDK merely types all output fields optional.
    return { id: result.MessageId ?? '' };
  }
}
