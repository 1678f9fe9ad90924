import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../../src/runner/heartbeat.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

const logger = new Logger({ logLevel: 'SILENT' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startHeartbeat', () => {
  it('keeps extending a live lease, never past its limit', async () => {
    const store = new MemoryStore();
    const start = Date.now();
    await store.acquireLease({ task: 't', owner: 'me', slot: 's', now: start, expiresAt: start + 3_000 });
    let lost = false;
    const stop = startHeartbeat({ store, task: 't', owner: 'me', now: Date.now, length: 3_000, until: start + 4_000, logger, onLost: () => (lost = true) });
    await sleep(2_300); // two beats, at ~1 s and ~2 s
    stop();
    expect(lost).toBe(false);
    // Extended past its first expiry, but capped at `until`.
    expect(await store.acquireLease({ task: 't', owner: 'other', slot: 's2', now: start + 3_500, expiresAt: start + 9_000 })).toMatchObject({ acquired: false, holder: { expiresAt: start + 4_000 } });
  });

  it('reports a lost lease so the run can stop', async () => {
    const store = new MemoryStore();
    const now = Date.now();
    await store.acquireLease({ task: 't', owner: 'me', slot: 's', now, expiresAt: now + 10 });
    await sleep(20);
    await store.acquireLease({ task: 't', owner: 'thief', slot: 's2', now: Date.now(), expiresAt: Date.now() + 60_000 });
    let lost = false;
    const stop = startHeartbeat({ store, task: 't', owner: 'me', now: Date.now, length: 3_000, until: now + 60_000, logger, onLost: () => (lost = true) });
    await sleep(1_200);
    stop();
    expect(lost).toBe(true);
  });
});
