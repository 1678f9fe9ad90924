import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeValue, InvalidTaskError, OutputDeliveryError, TickworkError } from '../errors.js';
import { assertKnownKeys, causeMessage } from './checks.js';

/** One plain-text message. Addresses are expected to have passed `validateAddresses()`. */
export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

export interface MailerOptions {
  /** `aws` sends through Amazon SES v2; `local` writes each message as an `.eml` file into `outboxDir`. */
  readonly mode: 'local' | 'aws';
  /** The client mail is sent with. Required in `aws` mode, unused in `local` mode. */
  readonly ses?: SESv2Client;
  /** The sender. In `aws` mode it must be an identity verified in SES. */
  readonly from: string;
  /** Where `local` mode writes messages; created on first send. Unused in `aws` mode. */
  readonly outboxDir: string;
}

const OPTION_KEYS = ['mode', 'ses', 'from', 'outboxDir'] as const;
/** One `@`, something before it, a dotted domain after it, no whitespace anywhere. Plausible, not verified. */
const PLAUSIBLE_ADDRESS = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** Subject bytes per RFC 2047 encoded word: 45 bytes are 60 base64 characters, inside the 75-character cap. */
const ENCODED_WORD_BYTES = 45;

/**
 * Sends task output by mail: through SES in `aws` mode, into a folder of `.eml` files in `local` mode
 * so a developer can open what would have been sent. Failures come back as `OutputDeliveryError`.
 *
 * @example
 * const mailer = new Mailer({ mode: 'local', from: 'tickwork@example.com', outboxDir: '.tickwork/outbox' });
 * await mailer.send({ to: ['ops@example.com'], subject: 'reports:daily failed', text: output });
 */
export class Mailer {
  /** Undefined in local mode, which writes `.eml` files instead. */
  readonly #ses: SESv2Client | undefined;
  readonly #from: string;
  readonly #outboxDir: string;

  constructor(options: MailerOptions) {
    assertKnownKeys('Mailer', options, OPTION_KEYS);
    if (options.mode !== 'local' && options.mode !== 'aws') {
      throw new TickworkError('INVALID_OPTIONS', `Mailer expects mode "local" or "aws", got ${describeValue(options.mode)}`);
    }
    if (options.mode === 'aws' && options.ses === undefined) {
      throw new TickworkError('INVALID_OPTIONS', 'Mailer in aws mode needs an ses client to send mail');
    }
    if (typeof options.from !== 'string' || !PLAUSIBLE_ADDRESS.test(options.from)) {
      throw new TickworkError('INVALID_OPTIONS', `Mailer expects from to be an email address, got ${describeValue(options.from)}`);
    }
    if (options.mode === 'local' && (typeof options.outboxDir !== 'string' || options.outboxDir === '')) {
      throw new TickworkError('INVALID_OPTIONS', `Mailer in local mode expects a non-empty outboxDir, got ${describeValue(options.outboxDir)}`);
    }
    this.#ses = options.mode === 'aws' ? options.ses : undefined;
    this.#from = options.from;
    this.#outboxDir = options.mode === 'local' ? resolve(options.outboxDir) : '';
  }

  /** Sends `mail`; the id is SES's MessageId in `aws` mode and the `.eml` file's path in `local` mode. */
  async send(mail: Mail): Promise<{ readonly id: string }> {
    const target = `mail to ${mail.to.join(', ')}`;
    try {
      if (mail.to.length === 0) throw new Error('no recipients');
      return this.#ses === undefined ? await this.#writeToOutbox(mail) : await this.#sendWithSes(this.#ses, mail);
    } catch (error) {
      throw new OutputDeliveryError(target, `could not send: ${causeMessage(error)}`, { cause: error });
    }
  }

  async #sendWithSes(ses: SESv2Client, mail: Mail): Promise<{ readonly id: string }> {
    const result = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.#from,
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

  async #writeToOutbox(mail: Mail): Promise<{ readonly id: string }> {
    const now = new Date();
    const path = join(this.#outboxDir, `${now.toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`);
    await mkdir(this.#outboxDir, { recursive: true });
    // 'wx': two sends in the same millisecond get different random suffixes, and must never overwrite.
    await writeFile(path, renderMessage(this.#from, mail, now), { encoding: 'utf8', flag: 'wx' });
    return { id: path };
  }
}

/**
 * An RFC 5322 message with CRLF line ends. The body is sent 8bit and left unwrapped: lines over 998
 * bytes break the letter of RFC 5322, but every mail client opens them, and the outbox exists to be read.
 */
function renderMessage(from: string, mail: Mail, date: Date): string {
  const domain = from.slice(from.lastIndexOf('@') + 1);
  const headers = [
    `From: ${from}`,
    `To: ${mail.to.join(', ')}`,
    `Subject: ${encodeHeaderText(mail.subject)}`,
    `Date: ${date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${mail.text.replace(/\r?\n/g, '\r\n')}`;
}

/**
 * Header text must be ASCII on one logical line: line breaks would start forged headers, so they become
 * spaces; anything outside printable ASCII is sent as RFC 2047 UTF-8 encoded words, split between
 * characters so no word cuts a multi-byte sequence.
 */
function encodeHeaderText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  const words: string[] = [];
  let chunk = '';
  for (const character of flat) {
    if (Buffer.byteLength(chunk + character, 'utf8') > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/**
 * Checks the addresses given to `emailOutputTo()` or `emailOutputOnFailure()`: one address or a
 * non-empty array of them, each plausible (one `@`, a local part, a dotted domain, no spaces). Whether
 * the mailbox exists is only found out by sending.
 *
 * @param task the task name, for the error message
 * @param method the builder method the addresses were given to, for the error message
 * @returns the addresses as a frozen array
 * @throws {InvalidTaskError} naming the method and the value that is not an address
 *
 * @example
 * validateAddresses('ops@example.com', 'reports:daily', 'emailOutputOnFailure'); // ['ops@example.com']
 */
export function validateAddresses(addresses: unknown, task: string | undefined, method: string): readonly string[] {
  const list: unknown[] = Array.isArray(addresses) ? addresses : [addresses];
  if (list.length === 0) {
    throw new InvalidTaskError(task, `${method}() expects an email address or a non-empty array of them, got []`);
  }
  for (const address of list) {
    if (typeof address !== 'string' || !PLAUSIBLE_ADDRESS.test(address)) {
      const within = Array.isArray(addresses) ? ` in ${describeValue(addresses)}` : '';
      throw new InvalidTaskError(task, `${method}() expects email addresses like "ops@example.com", got ${describeValue(address)}${within}`);
    }
  }
  return Object.freeze([...(list as string[])]);
}
