import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Where `s3://` output targets are kept. A store reads and writes whole objects as text; appending,
 * target parsing and error reporting stay in `OutputWriter`, so every store behaves the same there.
 */
export interface ObjectStore {
  /** The object's text, or undefined when it does not exist. */
  read(bucket: string, key: string): Promise<string | undefined>;
  write(bucket: string, key: string, text: string): Promise<void>;
}

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

/**
 * Objects in a `Map`, for unit tests. State lives in this object only.
 *
 * @example
 * const objects = new MemoryObjectStore();
 * await new OutputWriter({ root: '/tmp', objects }).write('s3://reports/a.log', 'ok', { append: false });
 * objects.objects().get('reports/a.log'); // 'ok'
 */
export class MemoryObjectStore implements ObjectStore {
  // Unlike S3, no bucket has to be created first: writing to any bucket creates the object.
  readonly #objects = new Map<string, string>();

  async read(bucket: string, key: string): Promise<string | undefined> {
    return this.#objects.get(objectId(bucket, key));
  }

  async write(bucket: string, key: string, text: string): Promise<void> {
    this.#objects.set(objectId(bucket, key), text);
  }

  /** A snapshot of every object, keyed `bucket/key`. */
  objects(): ReadonlyMap<string, string> {
    return new Map(this.#objects);
  }
}

/** `bucket/key` is unambiguous: bucket names never contain `/`. */
function objectId(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}
