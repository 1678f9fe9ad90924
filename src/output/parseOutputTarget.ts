import { describeValue, InvalidTaskError } from '../errors.js';

/** Where a task's output goes: an S3 object, or a file path (relative paths resolve later, against a root). */
export type OutputTarget =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'file'; readonly path: string };

/** `scheme://` at the start of a target; a Windows drive path (`C:\logs`) has no `//` and stays a path. */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** S3 general purpose bucket names: 3–63 of a–z, 0–9, `.`, `-`, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/**
 * Parses a `sendOutputTo()` / `appendOutputTo()` target into a file path or an S3 location. Only the
 * syntax is checked: whether the bucket exists or the folder is writable is found out when output is
 * delivered.
 *
 * `file://` URIs are rejected rather than read as paths: a plain path says the same thing without the
 * percent-decoding and host rules a URI brings, and one spelling per target keeps log lines greppable.
 * S3 keys may not contain `.` or `..` segments, because in local mode the key becomes a path under the
 * local S3 folder and must not climb out of it.
 *
 * @param task the task name, for the error message
 * @param method the builder method the target was given to, for the error message. @default 'sendOutputTo'
 * @throws {InvalidTaskError} when the target is not a non-empty string, a well-formed `s3://bucket/key`
 *   or a path
 *
 * @example
 * parseOutputTarget('s3://reports/nightly.log'); // { kind: 's3', bucket: 'reports', key: 'nightly.log' }
 * parseOutputTarget('storage/logs/nightly.log'); // { kind: 'file', path: 'storage/logs/nightly.log' }
 */
export function parseOutputTarget(target: unknown, task?: string, method = 'sendOutputTo'): OutputTarget {
  const reject = (reason?: string): never => {
    const why = reason === undefined ? '' : ` (${reason})`;
    throw new InvalidTaskError(task, `${method}() expects a file path or an s3://bucket/key URI, got ${describeValue(target)}${why}`);
  };
  if (typeof target !== 'string' || target.trim() === '') return reject();
  if (target.includes('\0')) return reject('it contains a NUL character');

  const scheme = SCHEME.exec(target)?.[1];
  if (scheme === undefined) return { kind: 'file', path: target };
  if (scheme.toLowerCase() !== 's3') return reject(`${scheme}:// is not supported`);

  const rest = target.slice(scheme.length + 3);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') return reject('no bucket');
  if (!BUCKET.test(bucket) || bucket.includes('..') || IPV4.test(bucket)) {
    return reject(`"${bucket}" is not a valid bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`);
  }
  if (key === '') return reject('no key after the bucket');
  if (key.endsWith('/')) return reject('the key ends with "/", which names a folder, not an object');
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) return reject('the key has a "." or ".." segment');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return reject(`the key is longer than ${MAX_KEY_BYTES} bytes`);
  return { kind: 's3', bucket, key };
}
