import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TickworkError } from '../../../src/errors.js';
import { MemoryMailTransport, OutboxMailTransport, type OutgoingMail } from '../../../src/output/MailTransport.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickwork-mail-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const from = 'tickwork@example.com';

describe('OutboxMailTransport', () => {
  it('writes one RFC 5322 message into the outbox, creating it, and returns the file path', async () => {
    const outboxDir = join(root, 'mail', 'outbox');
    const transport = new OutboxMailTransport(outboxDir);
    const before = Date.now();
    const { id } = await transport.send({ from, to: ['ops@example.com', 'dev@example.org'], subject: 'reports:daily failed', text: 'line 1\nline 2\n' });

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
    const transport = new OutboxMailTransport(root);
    const subject = `Résumé of cache:prune ✓ — ${'日本語'.repeat(10)}`;
    const message = await readFile((await transport.send({ from, to: ['a@b.co'], subject, text: 'x' })).id, 'utf8');
    const folded = /^Subject: ((?:=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=(?:\r\n )?)+)\r\n/m.exec(message)?.[1];
    expect(folded).toBeDefined();
    const words = folded!.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    const decoded = words.map((word) => Buffer.from(word.slice('=?UTF-8?B?'.length, -2), 'base64').toString('utf8')).join('');
    expect(decoded).toBe(subject);

    const injected = await readFile((await transport.send({ from, to: ['a@b.co'], subject: 'hi\r\nBcc: evil@example.com', text: 'x' })).id, 'utf8');
    expect(injected).toContain('\r\nSubject: hi Bcc: evil@example.com\r\n');
    expect(injected).not.toMatch(/^Bcc:/m);
  });

  it('never overwrites: two sends give two files', async () => {
    const transport = new OutboxMailTransport(root);
    const sent = await Promise.all([1, 2, 3].map((n) => transport.send({ from, to: ['a@b.co'], subject: `n${n}`, text: String(n) })));
    expect(new Set(sent.map((s) => s.id)).size).toBe(3);
    expect(await readdir(root)).toHaveLength(3);
  });

  it('fails with the file-system error when the outbox cannot be created', async () => {
    await writeFile(join(root, 'blocker'), 'a file, not a folder');
    const transport = new OutboxMailTransport(join(root, 'blocker', 'outbox'));
    await expect(transport.send({ from, to: ['a@b.co'], subject: 's', text: 't' })).rejects.toMatchObject({ code: expect.stringMatching(/EEXIST|ENOTDIR/) });
  });

  it.each(['', undefined])('rejects the outbox folder %j', (outboxDir) => {
    const construct = () => new OutboxMailTransport(outboxDir as never);
    expect(construct).toThrow(`OutboxMailTransport expects a non-empty outbox folder, got ${outboxDir === undefined ? 'undefined' : '""'}`);
    expect(construct).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }) as TickworkError);
  });
});

describe('MemoryMailTransport', () => {
  it('records each message in sending order and answers with ids memory-1, memory-2, …', async () => {
    const transport = new MemoryMailTransport();
    const first: OutgoingMail = { from, to: ['ops@example.com'], subject: 'one', text: 'first\n' };
    const second: OutgoingMail = { from, to: ['a@b.co', 'c@d.co'], subject: 'two ✓', text: '' };
    expect(await transport.send(first)).toEqual({ id: 'memory-1' });
    expect(await transport.send(second)).toEqual({ id: 'memory-2' });
    expect(transport.sent).toEqual([first, second]);
  });

  it('keeps its own copy, so a caller reusing its recipient array cannot rewrite what was sent', async () => {
    const transport = new MemoryMailTransport();
    const to = ['ops@example.com'];
    await transport.send({ from, to, subject: 's', text: 't' });
    to.push('late@example.com');
    expect(transport.sent[0]?.to).toEqual(['ops@example.com']);
  });
});
