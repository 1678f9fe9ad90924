import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeValue, TickworkError } from '../errors.js';

/** One plain-text message. Addresses are expected to have passed `validateAddresses()`. */
export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** A message with its sender, as `Mailer` hands it to a transport. */
export interface OutgoingMail extends Mail {
  readonly from: string;
}

/**
 * How a message leaves: SES when deployed, `.eml` files on a developer's machine, an array in unit
 * tests. A transport only sends; checking the sender and reporting failures is `Mailer`'s job.
 */
export interface MailTransport {
  /** Sends `mail`; the id names the sent message in logs, and each transport says what it is. */
  send(mail: OutgoingMail): Promise<{ readonly id: string }>;
}

/** Subject bytes per RFC 2047 encoded word: 45 bytes are 60 base64 characters, inside the 75-character cap. */
const ENCODED_WORD_BYTES = 45;


/**
 * Writes each message as an RFC 5322 `.eml` file into a folder, created on first send, so a developer
 * can open what would have been sent. The id is the file's path.
 *
 * @example
 * const transport = new OutboxMailTransport('.tickwork/outbox');
 */
export class OutboxMailTransport implements MailTransport {
  readonly #outboxDir: string;

  /** @param outboxDir resolved once, here, against the current directory */
  constructor(outboxDir: string) {
    if (typeof outboxDir !== 'string' || outboxDir === '') {
      throw new TickworkError('INVALID_OPTIONS', `OutboxMailTransport expects a non-empty outbox folder, got ${describeValue(outboxDir)}`);
    }
    this.#outboxDir = resolve(outboxDir);
  }

  async send(mail: OutgoingMail): Promise<{ readonly id: string }> {
    const now = new Date();
    const path = join(this.#outboxDir, `${now.toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`);
    await mkdir(this.#outboxDir, { recursive: true });
    // 'wx': two sends in the same millisecond get different random suffixes, and must never overwrite.
    await writeFile(path, renderMessage(mail, now), { encoding: 'utf8', flag: 'wx' });
    return { id: path };
  }
}

/**
 * Keeps every message in `sent`, for unit tests. Ids are `memory-1`, `memory-2`, … in sending order.
 *
 * @example
 * const transport = new MemoryMailTransport();
 * await new Mailer({ from: 'tickwork@example.com', transport }).send({ to: ['ops@example.com'], subject: 's', text: 't' });
 * transport.sent[0]?.from; // 'tickwork@example.com'
 */
export class MemoryMailTransport implements MailTransport {
  readonly sent: OutgoingMail[] = [];

  async send(mail: OutgoingMail): Promise<{ readonly id: string }> {
    // A copy, so a caller reusing its recipient array cannot rewrite what was sent.
    this.sent.push({ from: mail.from, to: [...mail.to], subject: mail.subject, text: mail.text });
    return { id: `memory-${this.sent.length}` };
  }
}

/**
 * An RFC 5322 message with CRLF line ends. The body is sent 8bit and left unwrapped: lines over 998
 * bytes break the letter of RFC 5322, but every mail client opens them, and the outbox exists to be read.
 */
function renderMessage(mail: OutgoingMail, date: Date): string {
  const domain = mail.from.slice(mail.from.lastIndexOf('@') + 1);
  const headers = [
    `From: ${mail.from}`,
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
