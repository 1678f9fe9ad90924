import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describeValue, OutputDeliveryError, TickworkError } from '../errors.js';
import { assertKnownKeys, causeMessage } from './checks.js';
import { parseOutputTarget } from './parseOutputTarget.js';

export interface OutputWriterOptions {
  /** `aws` sends S3 targets to S3; `local` writes them under `<root>/s3/<bucket>/<key>`. */
  readonly mode: 'local' | 'aws';
  /** The client S3 targets are written with. Required in `aws` mode, unused in `local` mode. */
  readonly s3?: S3Client;
  /** Relative file paths, and the local S3 folder, resolve against it. Resolved once, at construction. */
  readonly root: string;
}

const OPTION_KEYS = ['mode', 's3', 'root'] as const;
const CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * Delivers task output to a file or an S3 object, overwriting it or appending to it. Every failure,
 * including a target that does not parse, comes back as an `OutputDeliveryError` naming the target,
 * so the runner can log it without failing the task whose output it was.
 *
 * @example
 * const writer = new OutputWriter({ mode: 'aws', s3: new S3Client({}), root: process.cwd() });
 * await writer.write('s3://reports/nightly.log', output, { append: true });
 */
export class OutputWriter {
  /** Undefined in local mode, which sends S3 targets to the local folder instead. */
  readonly #s3: S3Client | undefined;
  readonly #root: string;

  constructor(options: OutputWriterOptions) {
    assertKnownKeys('OutputWriter', options, OPTION_KEYS);
    if (options.mode !== 'local' && options.mode !== 'aws') {
      throw new TickworkError('INVALID_OPTIONS', `OutputWriter expects mode "local" or "aws", got ${describeValue(options.mode)}`);
    }
    if (options.mode === 'aws' && options.s3 === undefined) {
      throw new TickworkError('INVALID_OPTIONS', 'OutputWriter in aws mode needs an s3 client to write s3:// targets');
    }
    if (typeof options.root !== 'string' || options.root === '') {
      throw new TickworkError('INVALID_OPTIONS', `OutputWriter expects a non-empty root folder, got ${describeValue(options.root)}`);
    }
    this.#s3 = options.mode === 'aws' ? options.s3 : undefined;
    this.#root = resolve(options.root);
  }

  /** Writes `text` to `target`, replacing what is there, or after it when `append` is set. */
  async write(target: string, text: string, options: { append: boolean }): Promise<void> {
    try {
      const parsed = parseOutputTarget(target);
      if (parsed.kind === 'file') {
        await writeLocalFile(resolve(this.#root, parsed.path), text, options.append);
      } else if (this.#s3 === undefined) {
        await writeLocalFile(join(this.#root, 's3', parsed.bucket, ...parsed.key.split('/')), text, options.append);
      } else {
        await writeS3Object(this.#s3, parsed.bucket, parsed.key, text, options.append);
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
 * S3 has no append, so appending reads the object and puts back the concatenation. That is not atomic:
 * two writers appending at once can both read the old object and one addition is lost. Acceptable here,
 * since a task that appends should also use `withoutOverlapping()`, which keeps its runs sequential.
 * Each append also downloads the whole object, so an ever-growing log costs more on every run.
 */
async function writeS3Object(s3: S3Client, bucket: string, key: string, text: string, append: boolean): Promise<void> {
  const existing = append ? await readS3Text(s3, bucket, key) : '';
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: existing + text, ContentType: CONTENT_TYPE }));
}

async function readS3Text(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    // The first append creates the object. A missing bucket is still an error.
    if (error instanceof NoSuchKey) return '';
    throw error;
  }
}
