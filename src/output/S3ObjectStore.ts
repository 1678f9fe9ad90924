import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from './ObjectStore.js';

const CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * Objects in Amazon S3, written as UTF-8 plain text. Only a missing key reads as undefined: a missing
 * bucket fails both reads and writes with S3's `NoSuchBucket`, so a misspelt bucket is never hidden.
 *
 * @example
 * const objects = new S3ObjectStore(new S3Client({}));
 * await objects.write('reports', 'nightly.log', output);
 */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;

  constructor(client: S3Client) {
    this.#client = client;
  }

  async read(bucket: string, key: string): Promise<string | undefined> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async write(bucket: string, key: string, text: string): Promise<void> {
    // The length is given because the SDK sends no Content-Length for an empty string, then warns on
    // every such put that the body may be a stream of unknown length. Empty output is common.
    const put = { Bucket: bucket, Key: key, Body: text, ContentLength: Buffer.byteLength(text, 'utf8'), ContentType: CONTENT_TYPE };
    await this.#client.send(new PutObjectCommand(put));
  }
}
