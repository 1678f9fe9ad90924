/**
 * Where `s3://` output targets are kept. A store reads and writes whole objects as text; appending,
 * target parsing and error reporting stay in `OutputWriter`, so every store behaves the same there.
 */
export interface ObjectStore {
  /** The object's text, or undefined when it does not exist. */
  read(bucket: string, key: string): Promise<string | undefined>;
  write(bucket: string, key: string, text: string): Promise<void>;
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
