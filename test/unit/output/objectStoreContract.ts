import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { ObjectStore } from '../../../src/output/ObjectStore.js';

/** What a test suite hands the contract: a store, and two buckets in it that already exist. */
export interface ObjectStoreSubject {
  readonly store: ObjectStore;
  readonly buckets: readonly [string, string];
}

/**
 * The behaviour every `ObjectStore` must share, so the in-memory twin cannot drift from S3: run by
 * the unit tests against `MemoryObjectStore` and by the integration tests against `S3ObjectStore`
 * on s3rver. `subject` is called inside each test, after the suite's `beforeAll` has run. Keys get a
 * fresh prefix per test, so a store that outlives one test does not leak into the next.
 */
export function objectStoreContract(subject: () => ObjectStoreSubject): void {
  const fresh = (name: string) => `contract-${randomUUID()}/${name}`;

  it('reads a key that was never written as undefined', async () => {
    const { store, buckets } = subject();
    expect(await store.read(buckets[0], fresh('missing.log'))).toBeUndefined();
  });

  it('reads back exactly the text written, multi-byte characters and CRLF included', async () => {
    const { store, buckets } = subject();
    const key = fresh('nested/deeper/out.log');
    const text = 'run ✓ — ünïcödé, 日本語, 😀\r\nsecond line\n';
    await store.write(buckets[0], key, text);
    expect(await store.read(buckets[0], key)).toBe(text);
  });

  it('replaces an object on the next write', async () => {
    const { store, buckets } = subject();
    const key = fresh('out.log');
    await store.write(buckets[0], key, 'a much longer first version\n');
    await store.write(buckets[0], key, 'short\n');
    expect(await store.read(buckets[0], key)).toBe('short\n');
  });

  it('reads an object written empty as "", not as missing', async () => {
    const { store, buckets } = subject();
    const key = fresh('empty.log');
    await store.write(buckets[0], key, '');
    expect(await store.read(buckets[0], key)).toBe('');
  });

  it('keeps objects apart by bucket and by key', async () => {
    const { store, buckets } = subject();
    const key = fresh('same.log');
    const sibling = key.replace(/same\.log$/, 'other.log');
    await store.write(buckets[0], key, 'first bucket');
    await store.write(buckets[1], key, 'second bucket');
    expect(await store.read(buckets[0], key)).toBe('first bucket');
    expect(await store.read(buckets[1], key)).toBe('second bucket');
    expect(await store.read(buckets[0], sibling)).toBeUndefined();
  });
}
