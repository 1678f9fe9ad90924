import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../../../src/errors.js';
import { parseOutputTarget } from '../../../src/output/parseOutputTarget.js';

describe('parseOutputTarget', () => {
  it.each([
    ['s3://reports/nightly.log', { kind: 's3', bucket: 'reports', key: 'nightly.log' }],
    ['s3://my.bucket-01/logs/2026/11/run.log', { kind: 's3', bucket: 'my.bucket-01', key: 'logs/2026/11/run.log' }],
    ['S3://abc/k', { kind: 's3', bucket: 'abc', key: 'k' }],
    [`s3://${'a'.repeat(63)}/k`, { kind: 's3', bucket: 'a'.repeat(63), key: 'k' }],
    ['s3://abc/ü ber/ä.log', { kind: 's3', bucket: 'abc', key: 'ü ber/ä.log' }],
    ['storage/logs/nightly.log', { kind: 'file', path: 'storage/logs/nightly.log' }],
    ['/var/log/tickwork.log', { kind: 'file', path: '/var/log/tickwork.log' }],
    ['./out.txt', { kind: 'file', path: './out.txt' }],
    ['C:\\logs\\out.txt', { kind: 'file', path: 'C:\\logs\\out.txt' }],
    ['weird:name.log', { kind: 'file', path: 'weird:name.log' }],
  ])('parses %s', (target, expected) => {
    expect(parseOutputTarget(target)).toEqual(expected);
  });

  it.each([
    [42, 'got 42'],
    [undefined, 'got undefined'],
    [['s3://a/b'], 'got ["s3://a/b"]'],
    ['', 'got ""'],
    ['   ', 'got "   "'],
    ['out\0.log', '(it contains a NUL character)'],
    ['s3://', '(no bucket)'],
    ['s3:///key', '(no bucket)'],
    ['s3://bucket', '(no key after the bucket)'],
    ['s3://bucket/', '(no key after the bucket)'],
    ['s3://bucket/logs/', 'names a folder'],
    ['s3://ab/k', '"ab" is not a valid bucket name'],
    [`s3://${'a'.repeat(64)}/k`, 'is not a valid bucket name'],
    ['s3://My-Bucket/k', '"My-Bucket" is not a valid bucket name'],
    ['s3://-bucket/k', 'is not a valid bucket name'],
    ['s3://bucket-/k', 'is not a valid bucket name'],
    ['s3://my_bucket/k', 'is not a valid bucket name'],
    ['s3://my..bucket/k', 'is not a valid bucket name'],
    ['s3://192.168.5.4/k', 'is not a valid bucket name'],
    ['s3://bucket/../../etc/passwd', '(the key has a "." or ".." segment)'],
    ['s3://bucket/a/./b', '(the key has a "." or ".." segment)'],
    [`s3://bucket/${'k'.repeat(1025)}`, '(the key is longer than 1024 bytes)'],
    ['http://example.com/out.log', '(http:// is not supported)'],
    ['file:///tmp/out.log', '(file:// is not supported)'],
  ])('rejects %j', (target, detail) => {
    expect(() => parseOutputTarget(target)).toThrow(detail);
  });

  it('says which task and method got the bad target, what was expected and what was received', () => {
    const error = catchError(() => parseOutputTarget('s3://bucket', 'reports:daily', 'appendOutputTo'));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect(error).toMatchObject({ code: 'INVALID_TASK', task: 'reports:daily' });
    expect((error as Error).message).toBe(
      'Task "reports:daily": appendOutputTo() expects a file path or an s3://bucket/key URI, got "s3://bucket" (no key after the bucket)',
    );
  });

  it('names sendOutputTo() when no method is given', () => {
    expect(() => parseOutputTarget('')).toThrow(/^sendOutputTo\(\) expects a file path or an s3:\/\/bucket\/key URI, got ""$/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
