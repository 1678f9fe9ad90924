import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeValue, OutputDeliveryError, TickworkError } from '../errors.js';
import { assertKnownKeys, causeMessage } from './checks.js';
import type { ObjectStore } from './ObjectStore.js';
import { parseOutputTarget } from './parseOutputTarget.js';

export interface OutputWriterOptions {
  /** Relative file paths, and the local S3 folder, resolve against it. Resolved once, at construction. */
  readonly root: string;
  /**
   * Where `s3://` targets go: `S3ObjectStore` when deployed, `MemoryObjectStore` in tests.
   * @default none: S3 targets are mirrored as files under `<root>/s3/<bucket>/<key>`, so nothing leaves the machine
   */
  readonly objects?: ObjectStore;
}

const OPTION_KEYS = ['root', 'objects'] as const;

/**
 * Delivers task output to a file or an S3 object, overwriting it or appending to it. Every failure,
 * including a target that does not parse, comes back as an `OutputDeliveryError` naming the target,
 * so the runner can log it without failing the task whose output it was.
 *
 * @example
 * const writer = new OutputWriter({ root: '/tmp', objects: new S3ObjectStore(new S3Client({})) });
 * await writer.write('s3://reports/nightly.log', output, { append: true });
 */
export class OutputWriter {
  /** Undefined when S3 targets are mirrored to the local folder instead. */
  readonly #objects: ObjectStore | undefined;
  readonly #root: string;

  constructor(options: OutputWriterOptions) {
    assertKnownKeys('OutputWriter', options, OPTION_KEYS);
    if (typeof options.root !== 'string' || options.root === '') {
      throw new TickworkError('INVALID_OPTIONS', `OutputWriter expects a non-empty root folder, got ${describeValue(options.root)}`);
    }
    const objects = options.objects;
    if (objects !== undefined && (typeof objects?.read !== 'function' || typeof objects.write !== 'function')) {
      throw new TickworkError('INVALID_OPTIONS', `OutputWriter expects objects to be an ObjectStore with read() and write(), got ${typeof objects}`);
    }
    this.#objects = objects;
    this.#root = resolve(options.root);
  }

  /** Writes `text` to `target`, replacing what is there, or after it when `append` is set. */
  async write(target: string, text: string, options: { append: boolean }): Promise<void> {
    try {
      const parsed = parseOutputTarget(target);
      if (parsed.kind === 'file') {
        await writeLocalFile(resolve(this.#root, parsed.path), text, options.append);
      } else if (this.#objects === undefined) {
        await writeLocalFile(join(this.#root, 's3', parsed.bucket, ...parsed.key.split('/')), text, options.append);
      } else {
        await writeObject(this.#objects, parsed.bucket, parsed.key, text, options.append);
      }
    } catch (error) {
      throw new OutputDeliveryError(target, `could not ${options.append ? 'append' : 'write'} output: ${causeMessage(error)}`, { cause: error });
    }
  }
}

async function writeLocalFile(path: string, text: string, append: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await (append ? appendFile(path, text, 'utf8') : writeFile(path, text, 'utf8'));
}

/**
 * S3 has no append, so appending reads the object and writes back the concatenation; the first append
 * to a missing object creates it. That is not atomic: two writers appending at once can both read the
 * old object and one addition is lost. Acceptable here, since a task that appends should also use
 * `withoutOverlapping()`, which keeps its runs sequential. Each append also downloads the whole object,
 * so an ever-growing log costs more on every run.
 */
async function writeObject(objects: ObjectStore, bucket: string, key: string, text: string, append: boolean): Promise<void> {
  const existing = append ? ((await objects.read(bucket, key)) ?? '') : '';
  await objects.write(bucket, key, existing + text);
}
