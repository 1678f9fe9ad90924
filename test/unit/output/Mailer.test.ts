import { describe, expect, it } from 'vitest';
import { InvalidTaskError, OutputDeliveryError, TickworkError } from '../../../src/errors.js';
import { Mailer, validateAddresses } from '../../../src/output/Mailer.js';
import { MemoryMailTransport, type Mail, type MailTransport } from '../../../src/output/MailTransport.js';

const from = 'tickwork@example.com';

describe('Mailer', () => {
  it('hands the transport its sender with the recipients, subject and text, and returns the transport’s id', async () => {
    const transport = new MemoryMailTransport();
    const mailer = new Mailer({ from, transport });
    const sent = await mailer.send({ to: ['ops@example.com', 'dev@example.org'], subject: 'reports:daily failed ✗', text: 'Error: boom\n' });
    expect(sent).toEqual({ id: 'memory-1' });
    expect(await mailer.send({ to: ['ops@example.com'], subject: 'again', text: 'x' })).toEqual({ id: 'memory-2' });
    expect(transport.sent).toEqual([
      { from, to: ['ops@example.com', 'dev@example.org'], subject: 'reports:daily failed ✗', text: 'Error: boom\n' },
      { from, to: ['ops@example.com'], subject: 'again', text: 'x' },
    ]);
  });

  it('sends from its own sender even when the mail object carries a from', async () => {
    const transport = new MemoryMailTransport();
    const forged = { to: ['ops@example.com'], subject: 's', text: 't', from: 'evil@example.net' } as Mail;
    await new Mailer({ from, transport }).send(forged);
    expect(transport.sent[0]?.from).toBe(from);
  });

  it('refuses a message without recipients, before the transport sees it', async () => {
    const transport = new MemoryMailTransport();
    const error = await new Mailer({ from, transport }).send({ to: [], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect((error as Error).message).toMatch(/: could not send: no recipients$/);
    expect(transport.sent).toEqual([]);
  });

  it('reports a transport failure as an OutputDeliveryError naming the recipients, keeping the cause', async () => {
    const cause = Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    const failing: MailTransport = {
      send: async () => {
        throw cause;
      },
    };
    const error = await new Mailer({ from, transport: failing }).send({ to: ['a@b.co', 'c@d.co'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ code: 'OUTPUT_DELIVERY_FAILED', target: 'mail to a@b.co, c@d.co' });
    expect((error as Error).message).toBe('Output to mail to a@b.co, c@d.co: could not send: MessageRejected: Email address is not verified.');
    expect((error as Error).cause).toBe(cause);
  });

  it.each([
    [{ from: 'tickwork', transport: new MemoryMailTransport() }, 'expects from to be an email address, got "tickwork"'],
    [{ transport: new MemoryMailTransport() }, 'expects from to be an email address, got undefined'],
    [{ from }, 'expects a transport with a send() method, got undefined'],
    [{ from, transport: {} }, 'expects a transport with a send() method, got object'],
    [{ from, transport: new MemoryMailTransport(), mode: 'local' }, 'unknown option mode; expected only from, transport'],
    [{ from, transport: new MemoryMailTransport(), outboxDir: '/tmp', ses: {} }, 'unknown options outboxDir, ses'],
  ])('rejects options %j', (options, message) => {
    const construct = () => new Mailer(options as never);
    expect(construct).toThrow(message);
    expect(construct).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as TickworkError);
  });
});

describe('validateAddresses', () => {
  it.each([
    ['ops@example.com', ['ops@example.com']],
    [['ops@example.com', 'first.last+tag@mail.example.co.uk'], ['ops@example.com', 'first.last+tag@mail.example.co.uk']],
  ])('accepts %j', (input, expected) => {
    const result = validateAddresses(input, 'reports:daily', 'emailOutputTo');
    expect(result).toEqual(expected);
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('does not hand back the caller’s array', () => {
    const input = ['ops@example.com'];
    const result = validateAddresses(input, undefined, 'emailOutputTo');
    input.push('late@example.com');
    expect(result).toEqual(['ops@example.com']);
  });

  it.each([
    ['not-an-address', 'got "not-an-address"'],
    ['a@b', 'got "a@b"'],
    ['a@@b.co', 'got "a@@b.co"'],
    ['@b.co', 'got "@b.co"'],
    ['a@.co', 'got "a@.co"'],
    ['a@b.', 'got "a@b."'],
    ['a b@c.co', 'got "a b@c.co"'],
    ['Ops <ops@example.com>', 'got "Ops <ops@example.com>"'],
    ['a@b.co, c@d.co', 'got "a@b.co, c@d.co"'],
    ['', 'got ""'],
    [42, 'got 42'],
    [undefined, 'got undefined'],
    [['ok@example.com', 'bad'], 'got "bad" in ["ok@example.com", "bad"]'],
    [['ok@example.com', 7], 'got 7 in ["ok@example.com", 7]'],
  ])('rejects %j', (input, detail) => {
    expect(() => validateAddresses(input, 'reports:daily', 'emailOutputOnFailure')).toThrow(
      new InvalidTaskError('reports:daily', `emailOutputOnFailure() expects email addresses like "ops@example.com", ${detail}`),
    );
  });

  it('rejects an empty array', () => {
    expect(() => validateAddresses([], undefined, 'emailOutputTo')).toThrow(
      'emailOutputTo() expects an email address or a non-empty array of them, got []',
    );
  });
});
