import { describeValue, InvalidTaskError, OutputDeliveryError, TickworkError } from '../errors.js';
import { assertKnownKeys, causeMessage } from './checks.js';
import type { Mail, MailTransport } from './MailTransport.js';

export interface MailerOptions {
  /** The sender. With `SesMailTransport` it must be an identity verified in SES. */
  readonly from: string;
  /** How messages leave: `SesMailTransport`, `OutboxMailTransport` or, in tests, `MemoryMailTransport`. */
  readonly transport: MailTransport;
}

const OPTION_KEYS = ['from', 'transport'] as const;
/** One `@`, something before it, a dotted domain after it, no whitespace anywhere. Plausible, not verified. */
const PLAUSIBLE_ADDRESS = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * Sends task output by mail from one sender, through whichever transport it is given. Failures, the
 * transport's included, come back as `OutputDeliveryError` naming the recipients.
 *
 * @example
 * const mailer = new Mailer({ from: 'tickwork@example.com', transport: new OutboxMailTransport('.tickwork/outbox') });
 * await mailer.send({ to: ['ops@example.com'], subject: 'reports:daily failed', text: output });
 */
export class Mailer {
  readonly #from: string;
  readonly #transport: MailTransport;

  constructor(options: MailerOptions) {
    assertKnownKeys('Mailer', options, OPTION_KEYS);
    if (typeof options.from !== 'string' || !PLAUSIBLE_ADDRESS.test(options.from)) {
      throw new TickworkError('INVALID_OPTIONS', `Mailer expects from to be an email address, got ${describeValue(options.from)}`);
    }
    if (typeof options.transport?.send !== 'function') {
      throw new TickworkError('INVALID_OPTIONS', `Mailer expects a transport with a send() method, got ${typeof options.transport}`);
    }
    this.#from = options.from;
    this.#transport = options.transport;
  }

  /** Sends `mail` from this mailer's sender; the id is the transport's (SES's MessageId, the `.eml` file's path). */
  async send(mail: Mail): Promise<{ readonly id: string }> {
    const target = `mail to ${mail.to.join(', ')}`;
    try {
      if (mail.to.length === 0) throw new Error('no recipients');
      // Field by field: a `from` on the caller's object must not replace the configured sender.
      return await this.#transport.send({ from: this.#from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (error) {
      throw new OutputDeliveryError(target, `could not send: ${causeMessage(error)}`, { cause: error });
    }
  }
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
