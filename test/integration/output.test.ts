import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config as SesConfig } from 'aws-ses-v2-local';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputDeliveryError } from '../../src/errors.js';
import { freePort } from '../../src/local/dynamoDbLocal.js';
import { Mailer } from '../../src/output/Mailer.js';
import { SesMailTransport } from '../../src/output/SesMailTransport.js';
import { S3ObjectStore } from '../../src/output/S3ObjectStore.js';
import { OutputWriter } from '../../src/output/OutputWriter.js';
import { objectStoreContract } from '../unit/output/objectStoreContract.js';

/*
 * Both servers are CommonJS. s3rver 3.7 ships no types, and aws-ses-v2-local's `exports.default` is
 * the module object itself under Node's ESM interop, so both are loaded with require and typed here.
 */
const require = createRequire(import.meta.url);
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; directory: string; silent: boolean }) => S3rverInstance;
const S3rver = require('s3rver') as S3rverClass;
const startSes = (require('aws-ses-v2-local') as { default: (config: Partial<SesConfig>) => Promise<Server> }).default;

/** What aws-ses-v2-local's `GET /store` returns, as far as these tests read it. */
interface SesStore {
  emails: { messageId: string; from: string; destination: { to: string[] }; subject: string; body: { text?: string } }[];
}

/**
 * S3 is read-after-write consistent; s3rver 3.7 is not: its filesystem store answers a PUT once the body
 * has passed through its checksum, before the file stream has written it (lib/stores/filesystem.js,
 * `putObject` resolves on the transform's finish), so an immediate GET can read a short or empty file.
 * This waits, after each put, until the stub serves every byte that was sent — what S3 guarantees.
 */
function awaitFlushedPuts(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'PutObjectCommand') return result;
      const { Bucket, Key, ContentLength } = args.input as { Bucket: string; Key: string; ContentLength: number };
      for (let attempt = 0; attempt < 100; attempt++) {
        const object = await client.send(new GetObjectCommand({ Bucket, Key }));
        if ((await object.Body?.transformToByteArray())?.length === ContentLength) break;
        await sleep(10);
      }
      return result;
    },
    { step: 'initialize', name: 'awaitS3rverFlush' },
  );
}

const region = 'us-east-1';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const bucket = 'tickwork-output';
/** A second bucket, for the contract's check that objects are kept apart by bucket. */
const otherBucket = 'tickwork-output-other';

describe('output delivery against s3rver and aws-ses-v2-local', () => {
  let s3Dir: string | undefined;
  let s3rver: S3rverInstance | undefined;
  let ses: Server | undefined;
  let s3: S3Client;
  let sesClient: SESv2Client;
  let sesEndpoint: string;
  let objects: S3ObjectStore;
  let writer: OutputWriter;

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'tickwork-s3rver-'));
    // Port 0: the OS picks a free port and the servers report it, so parallel runs never collide.
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: s3Dir, silent: true });
    const { port: s3Port } = await s3rver.run();
    const sesHttp = await startSes({ host: '127.0.0.1', port: 0 });
    ses = sesHttp;
    sesEndpoint = `http://127.0.0.1:${(sesHttp.address() as AddressInfo).port}`;

    s3 = new S3Client({ endpoint: `http://127.0.0.1:${s3Port}`, region, credentials, forcePathStyle: true });
    awaitFlushedPuts(s3);
    sesClient = new SESv2Client({ endpoint: sesEndpoint, region, credentials });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: otherBucket }));
    objects = new S3ObjectStore(s3);
    writer = new OutputWriter({ root: s3Dir, objects });
  });

  afterAll(async () => {
    s3?.destroy();
    sesClient?.destroy();
    await Promise.allSettled([
      s3rver?.close(),
      new Promise<void>((resolve) => (ses === undefined ? resolve() : ses.close(() => resolve()))),
    ]);
    if (s3Dir !== undefined) await rm(s3Dir, { recursive: true, force: true });
  });

  const read = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: await object.Body?.transformToString('utf-8'), contentType: object.ContentType };
  };

  describe('S3ObjectStore keeps the ObjectStore contract', () => {
    objectStoreContract(() => ({ store: objects, buckets: [bucket, otherBucket] }));
  });

  it('S3ObjectStore fails on a missing bucket, where only a missing key reads as undefined', async () => {
    await expect(objects.read('no-such-bucket', 'out.log')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(objects.write('no-such-bucket', 'out.log', 'x')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('OutputWriter write puts the object with the text as UTF-8 plain text, replacing what was there', async () => {
    await writer.write(`s3://${bucket}/write/out.log`, 'old\n', { append: false });
    await writer.write(`s3://${bucket}/write/out.log`, 'nightly ✓ done\n', { append: false });
    expect(await read('write/out.log')).toEqual({ text: 'nightly ✓ done\n', contentType: 'text/plain; charset=utf-8' });
  });

  it('OutputWriter append to a missing key creates the object', async () => {
    await writer.write(`s3://${bucket}/append/fresh.log`, 'first run\n', { append: true });
    expect((await read('append/fresh.log')).text).toBe('first run\n');
  });

  it('OutputWriter append to an existing key puts back the old text followed by the new', async () => {
    await writer.write(`s3://${bucket}/append/grow.log`, 'run 1 — ü\n', { append: false });
    await writer.write(`s3://${bucket}/append/grow.log`, 'run 2 — 日本\n', { append: true });
    await writer.write(`s3://${bucket}/append/grow.log`, 'run 3\n', { append: true });
    expect((await read('append/grow.log')).text).toBe('run 1 — ü\nrun 2 — 日本\nrun 3\n');
  });

  it.each([false, true])('OutputWriter writing to a missing bucket (append: %s) raises OutputDeliveryError naming the target', async (append) => {
    const target = 's3://no-such-bucket/out.log';
    const error = await writer.write(target, 'x', { append }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputDeliveryError);
    expect(error).toMatchObject({ code: 'OUTPUT_DELIVERY_FAILED', target });
    expect((error as Error).message).toMatch(/^Output to s3:\/\/no-such-bucket\/out\.log: could not (write|append) output: NoSuchBucket/);
    expect((error as Error).cause).toMatchObject({ name: 'NoSuchBucket' });
  });

  it('Mailer over SesMailTransport delivers through SES v2 and returns its MessageId', async () => {
    const mailer = new Mailer({ from: 'tickwork@example.com', transport: new SesMailTransport(sesClient) });
    const subject = `reports:daily failed ✗ ${Date.now()}`;
    const { id } = await mailer.send({ to: ['ops@example.com', 'dev@example.org'], subject, text: 'Error: boom\n  at step 3\n' });
    expect(id).not.toBe('');

    const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as SesStore;
    const stored = store.emails.filter((email) => email.messageId === id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      from: 'tickwork@example.com',
      destination: { to: ['ops@example.com', 'dev@example.org'] },
      subject,
      body: { text: 'Error: boom\n  at step 3\n' },
    });
  });

  it('Mailer over SesMailTransport reports an unreachable SES as OutputDeliveryError naming the recipients', async () => {
    const nowhere = new SESv2Client({ endpoint: `http://127.0.0.1:${await freePort()}`, region, credentials, maxAttempts: 1 });
    try {
      const mailer = new Mailer({ from: 'tickwork@example.com', transport: new SesMailTransport(nowhere) });
      const error = await mailer.send({ to: ['ops@example.com'], subject: 's', text: 't' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputDeliveryError);
      expect(error).toMatchObject({ target: 'mail to ops@example.com' });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    } finally {
      nowhere.destroy();
    }
  });
});
