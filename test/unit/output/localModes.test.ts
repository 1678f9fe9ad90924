import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidTaskError, OutputDeliveryError, TickworkError } from '../../../src/errors.js';
import { Mailer, validateAddresses } from '../../../src/output/Mailer.js';
import { OutputWriter } from '../../../src/output/OutputWriter.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickwork-output-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Anything that would reach this client fails: local mode must never call it. */
const unreachableS3 = () =>
  new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });

describe('OutputWriter in local mode', () => {
  it('writes a relative path under the root, creating folders, and overwrites on the next write', async () => {
    const writer = new OutputWriter({ mode: 'local', root });
    await writer.write('storage/logs/out.log', 'first\n', { append: false });
    expect(await readFile(join(root, 'storage/logs/out.log'), 'utf8')).toBe('first\n');
    await writer.write('storage/logs/out.log', 'second ✓\n', { append: false });
    expect(await readFile(join(root, 'storage/logs/out.log'), 'utf8')).toBe('second ✓\n');
  });

  it('appends, creating the file on the first append', async () => {
    const writer = new OutputWriter({ mode: 'local', root });
    await writer.write('a/b/run.log', 'one\n', { append: true });
    await writer.write('a/b/run.log', 'two\n', { append: true });
    expect(await readFile(join(root, 'a/b/run.log'), 'utf8')).toBe('one\ntwo\n');
  });

  it('writes an absolute path where it points, not under the root', async () => {
    const elsewhere = join(root, 'elsewhere', 'abs.log');
    await new OutputWriter({ mode: 'local', root: join(root, 'unused-root') }).write(elsewhere, 'abs', { append: false });
    expect(await readFile(elsewhere, 'utf8')).toBe('abs');
  });

  it('mirrors s3:// targets to <root>/s3/<bucket>/<key> without touching S3, even when given a client', async () => {
    const writer = new OutputWriter({ mode: 'local', root, s3: unreachableS3() });
    await writer.write('s3://reports/nightly/2026-11-23.log', 'one\n', { append: false });
    await writer.write('s3://reports/nightly/2026-11-23.log', 'two\n', { append: true });
    await writer.write('s3://reports/fresh.log', 'new\n', { append: true });
    expect(await readFile(join(root, 's3', 'reports', 'nightly', '2026-11-23.log'), 'utf8')).toBe('one\ntwo\n');
    expect(await readFile(join(root, 's3', 'reports', 'fresh.log'), 'utf8')).toBe('new\n');
  });

  it('reports a file-system failure as an OutputDeliveryError naming the target', async () => {
    await writeFile(join(root, 'blocker'), 'a file, not a folder');
    const error = await new OutputWriter({ mode: 'local', root }).write('blocker/out.log', 'x', { append: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ code: 'OUTPUT_DELIVERY_FAILED', target: 'blocker/out.log' });
    expect((error as Error).message).toMatch(/^Output to blocker\/out\.log: could not append output: .*(?:EEXIST|ENOTDIR)/);
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/EEXIST|ENOTDIR/) });
  });

  it('reports a target that does not parse as an OutputDeliveryError, keeping the parse error as cause', async () => {
    const error = await new OutputWriter({ mode: 'local', root }).write('s3://bucket', 'x', { append: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ target: 's3://bucket' });
    expect((error as Error).cause).toBeInstanceOf(InvalidTaskError);
  });

  it.each([
    [{ mode: 'aws', root: '/tmp' }, 'aws mode needs an s3 client'],
    [{ mode: 'cloud', root: '/tmp' }, 'expects mode "local" or "aws", got "cloud"'],
    [{ mode: 'local', root: '' }, 'expects a non-empty root folder, got ""'],
    [{ mode: 'local', root: '/tmp', rootDir: '/tmp' }, 'unknown option rootDir'],
  ])('rejects options %j', (options, message) => {
    const construct = () => new OutputWriter(options as never);
    expect(construct).toThrow(message);
    expect(construct).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as TickworkError);
  });
});

describe('Mailer in local mode', () => {
  const from = 'tickwork@example.com';

  it('writes one RFC 5322 message into the outbox, creating it, and returns the file path', async () => {
    const outboxDir = join(root, 'mail', 'outbox');
    const mailer = new Mailer({ mode: 'local', from, outboxDir });
    const before = Date.now();
    const { id } = await mailer.send({ to: ['ops@example.com', 'dev@example.org'], subject: 'reports:daily failed', text: 'line 1\nline 2\n' });

    expect(await readdir(outboxDir)).toEqual([id.slice(outboxDir.length + 1)]);
    expect(id).toMatch(/[/\\]\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{8}\.eml$/);
    const message = await readFile(id, 'utf8');
    const [head = '', body] = message.split('\r\n\r\n');
    const headers = Object.fromEntries(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
    expect(headers).toMatchObject({
      From: from,
      To: 'ops@example.com, dev@example.org',
      Subject: 'reports:daily failed',
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
    });
    expect(headers['Message-ID']).toMatch(/^<[0-9a-f-]{36}@example\.com>$/);
    expect(headers.Date).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
    const date = Date.parse(headers.Date!);
    expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(date).toBeLessThanOrEqual(Date.now());
    expect(body).toBe('line 1\r\nline 2\r\n');
  });

  it('encodes a non-ASCII subject as RFC 2047 words and flattens line breaks, so no header can be forged', async () => {
    const mailer = new Mailer({ mode: 'local', from, outboxDir: root });
    const subject = `Résumé of cache:prune ✓ — ${'日本語'.repeat(10)}`;
    const message = await readFile((await mailer.send({ to: ['a@b.co'], subject, text: 'x' })).id, 'utf8');
    const folded = /^Subject: ((?:=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=(?:\r\n )?)+)\r\n/m.exec(message)?.[1];
    expect(folded).toBeDefined();
    const words = folded!.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    const decoded = words.map((word) => Buffer.from(word.slice('=?UTF-8?B?'.length, -2), 'base64').toString('utf8')).join('');
    expect(decoded).toBe(subject);

    const injected = await readFile((await mailer.send({ to: ['a@b.co'], subject: 'hi\r\nBcc: evil@example.com', text: 'x' })).id, 'utf8');
    expect(injected).toContain('\r\nSubject: hi Bcc: evil@example.com\r\n');
    expect(injected).not.toMatch(/^Bcc:/m);
  });

  it('never overwrites: two sends give two files', async () => {
    const mailer = new Mailer({ mode: 'local', from, outboxDir: root });
    const sent = await Promise.all([1, 2, 3].map((n) => mailer.send({ to: ['a@b.co'], subject: `n${n}`, text: String(n) })));
    expect(new Set(sent.map((s) => s.id)).size).toBe(3);
    expect(await readdir(root)).toHaveLength(3);
  });

  it('reports failures as an OutputDeliveryError naming the recipients', async () => {
    await writeFile(join(root, 'blocker'), 'a file, not a folder');
    const blocked = new Mailer({ mode: 'local', from, outboxDir: join(root, 'blocker', 'outbox') });
    const error = await blocked.send({ to: ['a@b.co', 'c@d.co'], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ target: 'mail to a@b.co, c@d.co' });
    expect((error as Error).message).toMatch(/^Output to mail to a@b\.co, c@d\.co: could not send: /);

    const nobody = await new Mailer({ mode: 'local', from, outboxDir: root }).send({ to: [], subject: 's', text: 't' }).catch((e: unknown) => e);
    expect(nobody).toBeInstanceOf(OutputDeliveryError);
    expect((nobody as Error).message).toContain('no recipients');
  });

  it.each([
    [{ mode: 'aws', from, outboxDir: '/tmp' }, 'aws mode needs an ses client'],
    [{ mode: 'local', from: 'tickwork', outboxDir: '/tmp' }, 'expects from to be an email address, got "tickwork"'],
    [{ mode: 'local', from, outboxDir: '' }, 'expects a non-empty outboxDir'],
    [{ mode: 'local', from, outboxDir: '/tmp', to: 'x@y.z' }, 'unknown option to'],
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
