import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../../src/output/ObjectStore.js';
import { objectStoreContract } from './objectStoreContract.js';

describe('MemoryObjectStore', () => {
  // No bucket is created first: the twin accepts any bucket, where S3 would answer NoSuchBucket.
  describe('the ObjectStore contract', () => {
    const store = new MemoryObjectStore();
    objectStoreContract(() => ({ store, buckets: ['reports', 'archive'] }));
  });

  it('lists every object keyed "bucket/key"', async () => {
    const store = new MemoryObjectStore();
    expect(store.objects().size).toBe(0);
    await store.write('reports', 'nightly/2026-11-23.log', 'one');
    await store.write('archive', 'nightly/2026-11-23.log', 'two');
    expect([...store.objects()]).toEqual([
      ['reports/nightly/2026-11-23.log', 'one'],
      ['archive/nightly/2026-11-23.log', 'two'],
    ]);
  });

  it('hands out a snapshot: later writes do not show in it, and changing it does not change the store', async () => {
    const store = new MemoryObjectStore();
    await store.write('reports', 'a.log', 'before');
    const snapshot = store.objects();
    await store.write('reports', 'a.log', 'after');
    (snapshot as Map<string, string>).set('reports/b.log', 'forged');
    expect(snapshot.get('reports/a.log')).toBe('before');
    expect(await store.read('reports', 'a.log')).toBe('after');
    expect(await store.read('reports', 'b.log')).toBeUndefined();
  });
});
