import { describe, expect, it } from 'vitest';
import { queueMayBeDue, type Store } from '../../src/store/Store.js';

/**
 * What every Store must do, whatever it is built on. Run against MemoryStore (unit) and DynamoDbStore
 * on DynamoDB Local (integration), so the in-memory twin cannot drift from DynamoDB's conditions.
 *
 * `open(deployment)` returns a store on a fresh, empty backing for each test; called twice within a
 * test with different deployments, it must return stores on the same backing (one table).
 */
export function describeStoreContract(label: string, fresh: () => Promise<(deployment: string) => Store>): void {
  const slot = '2026-11-23T10:05:00.000Z';

  describe(`Store contract: ${label}`, () => {
    it('lets exactly one of many concurrent claims of a slot win, and tells the losers who holds it', async () => {
      const store = (await fresh())('blue');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimSlot({ task: 't', slot, owner: `o${i}`, claimedAt: i })));
      const winners = results.flatMap((r, i) => (r.claimed ? [`o${i}`] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (!r.claimed) expect(r.holder).toMatchObject({ owner: winners[0], status: 'running' });
    });

    it('records an outcome for the claim owner only, and reads the latest run in one go', async () => {
      const store = (await fresh())('blue');
      for (const s of ['2026-11-23T10:01:00.000Z', '2026-11-23T10:03:00.000Z', '2026-11-23T10:02:00.000Z']) {
        await store.claimSlot({ task: 't', slot: s, owner: 'o', claimedAt: 1 });
      }
      expect(await store.completeRun({ task: 't', slot: '2026-11-23T10:03:00.000Z', owner: 'intruder', status: 'succeeded', finishedAt: 2 })).toBe(false);
      expect(await store.completeRun({
        task: 't', slot: '2026-11-23T10:03:00.000Z', owner: 'o', status: 'failed', finishedAt: 9, durationMs: 4,
        startedAt: 5, latenessMs: 5, error: 'Error: x', output: 'tail\n',
      })).toBe(true);
      const expected = { task: 't', slot: '2026-11-23T10:03:00.000Z', owner: 'o', status: 'failed', claimedAt: 1, finishedAt: 9, durationMs: 4, startedAt: 5, latenessMs: 5, error: 'Error: x', output: 'tail\n' };
      expect(await store.getRun('t', '2026-11-23T10:03:00.000Z')).toEqual(expected);
      expect(await store.lastRun('t')).toEqual(expected);
      expect(await store.lastRun('other')).toBeUndefined();
      expect(await store.completeRun({ task: 't', slot: 'never-claimed', owner: 'o', status: 'succeeded', finishedAt: 3 })).toBe(false);
    });

    it('replaces an earlier outcome\'s fields, and records only from the expected status when asked', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'o', slot, owner: 'o1', claimedAt: 1, dispatch: true });
      // A tick giving up an unsent dispatch: only while the record still says dispatched.
      expect(await store.completeRun({ task: 'o', slot, owner: 'o1', status: 'skipped', reason: 'undispatched', finishedAt: 2, ifStatus: 'running' })).toBe(false);
      expect(await store.getRun('o', slot)).toMatchObject({ status: 'dispatched' });
      await store.startRun({ task: 'o', slot, owner: 'o1', worker: 'w', startedAt: 3, retries: 1 });
      expect(await store.completeRun({ task: 'o', slot, owner: 'o1', status: 'skipped', reason: 'undispatched', finishedAt: 4, ifStatus: 'dispatched' })).toBe(false);
      expect(await store.completeRun({ task: 'o', slot, owner: 'o1', status: 'failed', finishedAt: 5, durationMs: 2, error: 'Error: x', output: 'partial' })).toBe(true);
      await store.startRun({ task: 'o', slot, owner: 'o1', worker: 'w', startedAt: 6, retries: 1 });
      expect(await store.completeRun({ task: 'o', slot, owner: 'o1', status: 'succeeded', finishedAt: 9, durationMs: 3 })).toBe(true);
      const record = await store.getRun('o', slot);
      expect(record).toMatchObject({ status: 'succeeded', durationMs: 3, startedAt: 6 });
      expect(record).not.toHaveProperty('error');
      expect(record).not.toHaveProperty('output');
    });

    it('restarts a failed run only if a worker started it before', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'n', slot, owner: 'o1', claimedAt: 1, dispatch: true });
      await store.completeRun({ task: 'n', slot, owner: 'o1', status: 'failed', finishedAt: 2, error: 'Error: never sent' });
      expect(await store.startRun({ task: 'n', slot, owner: 'o1', worker: 'w', startedAt: 3, retries: 2 })).toEqual({ started: false, status: 'failed' });
    });

    it('holds a lease until its expiry — judged by the condition, not TTL — and refuses stale owners', async () => {
      const store = (await fresh())('blue');
      expect(await store.acquireLease({ task: 'l', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 })).toEqual({ acquired: true, fence: 1 });
      expect(await store.acquireLease({ task: 'l', owner: 'b', slot: 's2', now: 4_999, expiresAt: 9_000 }))
        .toEqual({ acquired: false, holder: { owner: 'a', slot: 's1', expiresAt: 5_000 } });
      expect(await store.extendLease({ task: 'l', owner: 'a', now: 4_000, expiresAt: 6_000 })).toEqual({ extended: true, pending: undefined }); // heartbeat
      expect(await store.acquireLease({ task: 'l', owner: 'b', slot: 's2', now: 5_500, expiresAt: 9_000 })).toMatchObject({ acquired: false });
      expect(await store.acquireLease({ task: 'l', owner: 'b', slot: 's2', now: 6_001, expiresAt: 9_000 })).toEqual({ acquired: true, fence: 2, lapsed: { slot: 's1', owner: 'a' } });
      // a, whose lease lapsed and passed to b, can neither extend nor release it
      expect(await store.extendLease({ task: 'l', owner: 'a', now: 6_002, expiresAt: 20_000 })).toEqual({ extended: false });
      expect(await store.releaseLease('l', 'a')).toBe(false);
      expect(await store.releaseLease('l', 'b')).toBe(true);
      expect(await store.releaseLease('l', 'b')).toBe(false);
      // an owner cannot extend a lease that already expired, even if no one took it
      expect(await store.acquireLease({ task: 'l', owner: 'c', slot: 's3', now: 7_000, expiresAt: 8_000 })).toEqual({ acquired: true, fence: 3 });
      expect(await store.extendLease({ task: 'l', owner: 'c', now: 8_001, expiresAt: 12_000 })).toEqual({ extended: false });
    });

    it('buffers one run behind a held lease, hands it back on release, and supersedes it after a lapse', async () => {
      const store = (await fresh())('blue');
      expect(await store.bufferBehindLease({ task: 'b', slot: 's0', owner: 'x', now: 1 })).toEqual({ buffered: false }); // nothing held
      await store.acquireLease({ task: 'b', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
      expect(await store.bufferBehindLease({ task: 'b', slot: 's2', owner: 'tick2', now: 2_000, payload: '{"customer":42}' })).toEqual({ buffered: true });
      expect(await store.bufferBehindLease({ task: 'b', slot: 's3', owner: 'tick3', now: 2_500 })).toEqual({ buffered: false, waiting: { slot: 's2', owner: 'tick2', payload: '{"customer":42}' } }); // one at most, and which
      // A read of the lease names the run waiting behind it (a tick's Lambda retry asks whether its own slot waits there).
      expect(await store.lease('b')).toEqual({ owner: 'a', slot: 's1', expiresAt: 5_000, pending: { slot: 's2', owner: 'tick2', payload: '{"customer":42}' } });
      // The holder's heartbeat learns what waits behind it (a `replace` run stops for it); a stranger learns nothing.
      expect(await store.extendLease({ task: 'b', owner: 'a', now: 3_000, expiresAt: 5_000 })).toEqual({ extended: true, pending: { slot: 's2', owner: 'tick2', payload: '{"customer":42}' } });
      expect(await store.extendLease({ task: 'b', owner: 'tick2', now: 3_000, expiresAt: 5_000 })).toEqual({ extended: false });
      expect(await store.releaseLeaseTakingPending('b', 'intruder')).toEqual({ released: false, pending: undefined });
      expect(await store.releaseLeaseTakingPending('b', 'a')).toEqual({ released: true, pending: { slot: 's2', owner: 'tick2', payload: '{"customer":42}' } });
      expect(await store.releaseLeaseTakingPending('b', 'a')).toEqual({ released: false, pending: undefined });
      expect(await store.lease('b')).toBeUndefined();

      await store.acquireLease({ task: 'b', owner: 'c', slot: 's4', now: 6_000, expiresAt: 7_000 });
      expect(await store.bufferBehindLease({ task: 'b', slot: 's5', owner: 'tick5', now: 6_500 })).toEqual({ buffered: true });
      expect(await store.bufferBehindLease({ task: 'b', slot: 's6', owner: 'tick6', now: 7_001 })).toEqual({ buffered: false, waiting: { slot: 's5', owner: 'tick5' } }); // c's lease lapsed
      // c died holding the lease; the next acquirer takes the buffered run off as superseded.
      const next = await store.acquireLease({ task: 'b', owner: 'd', slot: 's7', now: 7_500, expiresAt: 9_000 });
      expect(next).toMatchObject({ acquired: true, superseded: { slot: 's5', owner: 'tick5' } });
      expect(await store.releaseLeaseTakingPending('b', 'd')).toEqual({ released: true, pending: undefined });
    });

    it('keeps a released run on the lease until an acquire takes it: started for its own slot, superseded for any other', async () => {
      const store = (await fresh())('blue');
      await store.acquireLease({ task: 'w', owner: 'a', slot: 's1', now: 1_000, expiresAt: 5_000 });
      await store.bufferBehindLease({ task: 'w', slot: 's2', owner: 'tick2', now: 2_000 });
      expect(await store.releaseLeaseTakingPending('w', 'a')).toEqual({ released: true, pending: { slot: 's2', owner: 'tick2' } });
      // The releasing holder comes back for it: started, not superseded.
      expect(await store.acquireLease({ task: 'w', owner: 'a', slot: 's2', now: 3_000, expiresAt: 6_000 })).toEqual({ acquired: true, fence: 2 });
      expect(await store.releaseLeaseTakingPending('w', 'a')).toEqual({ released: true, pending: undefined });

      await store.acquireLease({ task: 'w', owner: 'b', slot: 's3', now: 7_000, expiresAt: 9_000 });
      await store.bufferBehindLease({ task: 'w', slot: 's4', owner: 'tick4', now: 7_500 });
      expect(await store.releaseLeaseTakingPending('w', 'b')).toEqual({ released: true, pending: { slot: 's4', owner: 'tick4' } });
      // b died before acquiring s4: the next acquire, for another slot, reports it.
      expect(await store.acquireLease({ task: 'w', owner: 'c', slot: 's5', now: 8_000, expiresAt: 9_500 })).toEqual({ acquired: true, fence: 4, superseded: { slot: 's4', owner: 'tick4' } });
      expect(await store.lease('w')).toEqual({ owner: 'c', slot: 's5', expiresAt: 9_500 });
      await store.releaseLease('w', 'c');
      expect(await store.lease('w')).toBeUndefined();
      expect(await store.lease('never-leased')).toBeUndefined();
    });

    it('names the previous holder when its lease lapsed unreleased, and nobody when it was released', async () => {
      const store = (await fresh())('blue');
      await store.acquireLease({ task: 'x', owner: 'a', slot: 's1', now: 1_000, expiresAt: 2_000 });
      // Read after its expiry, a lapsed lease still names its holder: `tickwork why` tells a slot buffered behind it so.
      expect(await store.lease('x')).toEqual({ owner: 'a', slot: 's1', expiresAt: 2_000 });
      expect(await store.acquireLease({ task: 'x', owner: 'b', slot: 's2', now: 3_000, expiresAt: 4_000 })).toEqual({ acquired: true, fence: 2, lapsed: { slot: 's1', owner: 'a' } });
      await store.releaseLease('x', 'b');
      expect(await store.acquireLease({ task: 'x', owner: 'c', slot: 's3', now: 5_000, expiresAt: 6_000 })).toEqual({ acquired: true, fence: 3 });
    });

    it('tells an acquire which run the previous acquire took off the lease, and only the next one', async () => {
      const store = (await fresh())('blue');
      await store.acquireLease({ task: 'h', owner: 'a', slot: 's1', now: 1_000, expiresAt: 2_000 });
      expect(await store.bufferBehindLease({ task: 'h', slot: 's2', owner: 't2', now: 1_500 })).toEqual({ buffered: true });
      // a's lease lapses; b's acquire takes the waiting run off the lease (superseded: not its slot).
      const taken = await store.acquireLease({ task: 'h', owner: 'b', slot: 's3', now: 3_000, expiresAt: 4_000 });
      expect(taken).toMatchObject({ acquired: true, superseded: { slot: 's2', owner: 't2' } });
      expect(taken).not.toHaveProperty('previouslyHanded');
      await store.releaseLease('h', 'b');
      expect(await store.acquireLease({ task: 'h', owner: 'c', slot: 's4', now: 5_000, expiresAt: 6_000 })).toEqual({ acquired: true, fence: 3, previouslyHanded: { slot: 's2', owner: 't2' } });
      await store.releaseLease('h', 'c');
      expect(await store.acquireLease({ task: 'h', owner: 'd', slot: 's5', now: 7_000, expiresAt: 8_000 })).toEqual({ acquired: true, fence: 4 });
    });

    it('hands out strictly increasing fences, one winner per round', async () => {
      const store = (await fresh())('blue');
      const fences: number[] = [];
      for (let round = 0; round < 5; round++) {
        const now = 10_000 + round * 1_000;
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquireLease({ task: 'f', owner: `r${round}-${i}`, slot: `s${round}`, now, expiresAt: now + 500 })));
        const won = results.filter((r) => r.acquired);
        expect(won).toHaveLength(1);
        fences.push(won[0]?.acquired ? won[0].fence : -1);
      }
      expect(fences).toEqual([1, 2, 3, 4, 5]);
    });

    it('keeps deployments apart, and shares the onOneServer key space between them', async () => {
      const open = await fresh();
      const [blue, green] = [open('blue'), open('green')];
      expect((await blue.claimSlot({ task: 't', slot, owner: 'b', claimedAt: 1 })).claimed).toBe(true);
      expect((await green.claimSlot({ task: 't', slot, owner: 'g', claimedAt: 1 })).claimed).toBe(true);
      expect((await blue.shared().claimSlot({ task: 't', slot, owner: 'b', claimedAt: 1 })).claimed).toBe(true);
      expect(await green.shared().claimSlot({ task: 't', slot, owner: 'g', claimedAt: 2 })).toEqual({ claimed: false, holder: { owner: 'b', claimedAt: 1, status: 'running' } });
      expect((await blue.shared().acquireLease({ task: 'x', owner: 'b', slot, now: 1, expiresAt: 100 })).acquired).toBe(true);
      expect((await green.shared().acquireLease({ task: 'x', owner: 'g', slot, now: 2, expiresAt: 100 })).acquired).toBe(false);
    });

    it('moves the last tick only forward, and tells each tick which minutes it decides', async () => {
      const store = (await fresh())('blue');
      const m = (minute: number) => minute * 60_000;
      expect(await store.lastTick()).toBeUndefined();
      expect(await store.advanceTick(m(10))).toEqual({ decides: true, from: undefined }); // the first tick ever
      expect(await store.advanceTick(m(10))).toEqual({ decides: true, from: undefined }); // its duplicate decides the same
      expect(await store.advanceTick(m(11))).toEqual({ decides: true, from: m(10) });
      expect(await store.advanceTick(m(15))).toEqual({ decides: true, from: m(11) }); // 12–14 missed: a catch-up range
      expect(await store.advanceTick(m(15))).toEqual({ decides: true, from: m(11) }); // a duplicate or Lambda retry of 15
      expect(await store.advanceTick(m(16))).toEqual({ decides: true, from: m(15) });
      // Late ticks for minutes already evaluated: 13 lies in 15's catch-up range, so it was decided;
      // 11 moved the state itself, so a late retry of it decides its own minute (claims stop repeats);
      // a retry of 15 after 16 still decides 15's whole range.
      expect(await store.advanceTick(m(13))).toEqual({ decides: false, lastTick: m(16) });
      expect(await store.advanceTick(m(11))).toEqual({ decides: true, from: m(10) });
      expect(await store.advanceTick(m(15))).toEqual({ decides: true, from: m(11) });
      expect(await store.lastTick()).toBe(m(16));
      await Promise.all([m(30), m(50), m(40)].map((minute) => store.advanceTick(minute)));
      expect(await store.lastTick()).toBe(m(50));
    });

    it('pauses and resumes the scheduler and single tasks, per deployment', async () => {
      const open = await fresh();
      const [blue, green] = [open('blue'), open('green')];
      expect(await blue.pauses()).toEqual({ all: undefined, tasks: new Map() });
      await blue.pause({ note: 'migrating', pausedAt: 1 });
      await blue.pause({ task: 'reports:daily', note: 'bad data', pausedAt: 2 });
      await blue.pause({ task: 'reports:daily', note: 'bad data, ticket 42', pausedAt: 3 });
      expect(await blue.pauses()).toEqual({ all: { note: 'migrating', pausedAt: 1 }, tasks: new Map([['reports:daily', { note: 'bad data, ticket 42', pausedAt: 3 }]]) });
      expect(await green.pauses()).toEqual({ all: undefined, tasks: new Map() });
      expect(await blue.resume()).toBe(true);
      expect(await blue.resume()).toBe(false);
      expect(await blue.resume('reports:daily')).toBe(true);
      expect(await blue.pauses()).toEqual({ all: undefined, tasks: new Map() });
    });

    it('records missed slots once, and says whether this call wrote them (a duplicate tick\'s does not)', async () => {
      const store = (await fresh())('blue');
      const missed = { task: 't', from: slot, to: slot, count: 1, reason: 'coalesced' as const, tick: slot };
      await expect(store.recordMissed(missed)).resolves.toBe(true);
      await expect(store.recordMissed(missed)).resolves.toBe(false);
    });
    it('starts a dispatched run once: a duplicate delivery, a stranger and a finished run are refused', async () => {
      const store = (await fresh())('blue');
      expect(await store.claimSlot({ task: 'f', slot, owner: 'tick-1', claimedAt: 1, dispatch: true })).toEqual({ claimed: true });
      expect(await store.getRun('f', slot)).toMatchObject({ status: 'dispatched', owner: 'tick-1' });
      const start = { task: 'f', slot, owner: 'tick-1', worker: 'w1', startedAt: 5, retries: 0 };
      expect(await store.startRun({ ...start, owner: 'forged' })).toEqual({ started: false, status: 'dispatched' });
      const starts = await Promise.all([store.startRun(start), store.startRun({ ...start, worker: 'w2' }), store.startRun({ ...start, worker: 'w3' })]);
      expect(starts.filter((r) => r.started)).toEqual([{ started: true, attempt: 1 }]);
      const winner = starts.findIndex((r) => r.started);
      expect(starts.filter((r) => !r.started)).toEqual([1, 2].map(() => ({ started: false, status: 'running', worker: `w${winner + 1}` })));
      expect(await store.getRun('f', slot)).toMatchObject({ status: 'running', startedAt: 5 });
      await store.completeRun({ task: 'f', slot, owner: 'tick-1', status: 'succeeded', finishedAt: 9 });
      expect(await store.startRun(start)).toMatchObject({ started: false, status: 'succeeded' });
      expect(await store.startRun({ ...start, slot: 'never-claimed' })).toEqual({ started: false, status: undefined });
      // an inline claim is never started by a worker
      await store.claimSlot({ task: 'i', slot, owner: 'tick-1', claimedAt: 1 });
      expect(await store.startRun({ ...start, task: 'i' })).toEqual({ started: false, status: 'running' });
    });

    it('takes over a dispatched claim its tick never sent, only when asked and only once it is old', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'd', slot, owner: 'dead-tick', claimedAt: 1_000, dispatch: true });
      expect(await store.claimSlot({ task: 'd', slot, owner: 'retry', claimedAt: 200_000, dispatch: true }))
        .toMatchObject({ claimed: false, holder: { owner: 'dead-tick', status: 'dispatched' } });
      expect(await store.claimSlot({ task: 'd', slot, owner: 'retry', claimedAt: 200_000, dispatch: true, takeOverDispatchedBefore: 1_000 }))
        .toMatchObject({ claimed: false });
      const takeovers = await Promise.all(['r1', 'r2', 'r3'].map((owner) =>
        store.claimSlot({ task: 'd', slot, owner, claimedAt: 200_000, dispatch: true, takeOverDispatchedBefore: 80_000 })));
      expect(takeovers.filter((r) => r.claimed)).toHaveLength(1);
      const winner = (await store.getRun('d', slot))!.owner;
      // The dead tick's event, should it arrive, no longer starts anything; the new owner's does.
      expect(await store.startRun({ task: 'd', slot, owner: 'dead-tick', worker: 'w', startedAt: 1, retries: 0 })).toMatchObject({ started: false });
      expect(await store.startRun({ task: 'd', slot, owner: winner, worker: 'w', startedAt: 1, retries: 0 })).toEqual({ started: true, attempt: 1 });
      // A started (or inline) claim is never taken over.
      expect(await store.claimSlot({ task: 'd', slot, owner: 'late', claimedAt: 900_000, dispatch: true, takeOverDispatchedBefore: 800_000 }))
        .toMatchObject({ claimed: false, holder: { status: 'running' } });
    });

    it('restarts a failed dispatched run only while it has retries left', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'r', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      const start = { task: 'r', slot, owner: 'tick-1', worker: 'w', startedAt: 5, retries: 1 };
      expect(await store.startRun(start)).toEqual({ started: true, attempt: 1 });
      await store.completeRun({ task: 'r', slot, owner: 'tick-1', status: 'failed', finishedAt: 6, error: 'Error: x' });
      expect(await store.startRun(start)).toEqual({ started: true, attempt: 2 });
      await store.completeRun({ task: 'r', slot, owner: 'tick-1', status: 'timed-out', finishedAt: 7, error: 'Error: y' });
      expect(await store.startRun(start)).toMatchObject({ started: false, status: 'timed-out' });
    });

    it('never restarts an abandoned run, whatever its retries allow', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'a', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      const start = { task: 'a', slot, owner: 'tick-1', worker: 'w-1', startedAt: 5, retries: 2 };
      expect(await store.startRun(start)).toEqual({ started: true, attempt: 1 });
      await store.completeRun({ task: 'a', slot, owner: 'tick-1', status: 'failed', reason: 'abandoned', finishedAt: 6, error: 'Abandoned', ifStatus: 'running' });
      expect(await store.startRun({ ...start, worker: 'w-2' })).toMatchObject({ started: false, status: 'failed' });
    });

    it('never starts a running run again, and tells a Lambda retry of its worker that the start was its own', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'w', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      const start = { task: 'w', slot, owner: 'tick-1', worker: 'req-1', startedAt: 5, retries: 1 };
      expect(await store.startRun(start)).toEqual({ started: true, attempt: 1 });
      // attempt 1 died with the record still running: neither a duplicate delivery nor Lambda's retry starts it again
      expect(await store.startRun({ ...start, worker: 'req-2' })).toEqual({ started: false, status: 'running', worker: 'req-1' });
      expect(await store.startRun({ ...start, startedAt: 70 })).toEqual({ started: false, status: 'running', worker: 'req-1' });
    });

    it('lets a Lambda retry of the tick take its own unsent dispatch over at once, and re-take its own lease for that slot', async () => {
      const store = (await fresh())('blue');
      await store.claimSlot({ task: 'o', slot, owner: 'req-1', claimedAt: 1_000, dispatch: true });
      expect(await store.claimSlot({ task: 'o', slot, owner: 'req-2', claimedAt: 2_000, dispatch: true, takeOverDispatchedBefore: 0 })).toMatchObject({ claimed: false });
      expect(await store.claimSlot({ task: 'o', slot, owner: 'req-1', claimedAt: 2_000, dispatch: true, takeOverDispatchedBefore: 0 })).toEqual({ claimed: true });
      // an inline claim of the same owner is not taken over: its run may have started
      await store.claimSlot({ task: 'i', slot, owner: 'req-1', claimedAt: 1_000 });
      expect(await store.claimSlot({ task: 'i', slot, owner: 'req-1', claimedAt: 2_000 })).toMatchObject({ claimed: false, holder: { owner: 'req-1', status: 'running' } });

      expect(await store.acquireLease({ task: 'o', owner: 'req-1', slot, now: 1_000, expiresAt: 90_000 })).toEqual({ acquired: true, fence: 1 });
      expect(await store.acquireLease({ task: 'o', owner: 'req-1', slot: 'another', now: 2_000, expiresAt: 90_000 })).toMatchObject({ acquired: false });
      expect(await store.acquireLease({ task: 'o', owner: 'req-2', slot, now: 2_000, expiresAt: 90_000 })).toMatchObject({ acquired: false });
      expect(await store.acquireLease({ task: 'o', owner: 'req-1', slot, now: 2_000, expiresAt: 90_000 })).toEqual({ acquired: true, fence: 2 });
    });

    it('claims a slot already decided, writing its outcome in the same step', async () => {
      const store = (await fresh())('blue');
      expect(await store.claimSlot({ task: 'p', slot, owner: 'tick-1', claimedAt: 7, decided: { status: 'skipped', reason: 'paused' } })).toEqual({ claimed: true });
      expect(await store.getRun('p', slot)).toEqual({ task: 'p', slot, owner: 'tick-1', status: 'skipped', reason: 'paused', claimedAt: 7, finishedAt: 7 });
      expect(await store.claimSlot({ task: 'p', slot, owner: 'tick-2', claimedAt: 8 })).toMatchObject({ claimed: false, holder: { status: 'skipped' } });
    });

    it('with displace, puts the newest run in place of the one waiting and hands that one back', async () => {
      const store = (await fresh())('blue');
      await store.acquireLease({ task: 'n', owner: 'a', slot: 's1', now: 1_000, expiresAt: 9_000 });
      expect(await store.bufferBehindLease({ task: 'n', slot: 's2', owner: 't2', now: 2_000, displace: true })).toEqual({ buffered: true });
      expect(await store.bufferBehindLease({ task: 'n', slot: 's3', owner: 't3', now: 3_000, payload: '{"n":3}', displace: true }))
        .toEqual({ buffered: true, displaced: { slot: 's2', owner: 't2' } });
      expect(await store.releaseLeaseTakingPending('n', 'a')).toEqual({ released: true, pending: { slot: 's3', owner: 't3', payload: '{"n":3}' } });
      expect(await store.bufferBehindLease({ task: 'n', slot: 's4', owner: 't4', now: 4_000, displace: true })).toEqual({ buffered: false, waiting: { slot: 's3', owner: 't3', payload: '{"n":3}' } }); // nothing held; s3 handed on, not yet taken
    });

    it('releases an unsent dispatch and queues its retry in one step, for the claim owner only', async () => {
      const open = await fresh();
      const store = open('blue');
      const retry = { id: 'f@s', task: 'f', slot, at: 1_000, attempt: 1, lastError: 'ThrottlingException: slow down', enqueuedAt: 1_000 };
      await store.claimSlot({ task: 'f', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      expect(await store.releaseDispatch({ task: 'f', slot, owner: 'tick-2', onOneServer: false, retry })).toBe(false);
      expect(await store.dueRuns(5_000, 10)).toEqual([]); // the refused release queued nothing
      expect(await store.releaseDispatch({ task: 'f', slot, owner: 'tick-1', onOneServer: false, retry })).toBe(true);
      expect(await store.getRun('f', slot)).toBeUndefined();
      expect(await store.dueRuns(5_000, 10)).toEqual([retry]);
      // released, the slot can be claimed again
      expect(await store.claimSlot({ task: 'f', slot, owner: 'tick-3', claimedAt: 2, dispatch: true })).toEqual({ claimed: true });
      // a started run is not released
      await store.startRun({ task: 'f', slot, owner: 'tick-3', worker: 'w', startedAt: 3, retries: 0 });
      expect(await store.releaseDispatch({ task: 'f', slot, owner: 'tick-3', onOneServer: false, retry: { ...retry, attempt: 2 } })).toBe(false);
      expect(await store.dueRuns(5_000, 10)).toEqual([retry]);
      // an onOneServer claim lives in the shared key space; its retry in this deployment's queue
      await store.shared().claimSlot({ task: 'g', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      const shared = { ...retry, id: 'g@s', task: 'g' };
      expect(await store.releaseDispatch({ task: 'g', slot, owner: 'tick-1', onOneServer: true, retry: shared })).toBe(true);
      expect(await store.shared().getRun('g', slot)).toBeUndefined();
      expect(await store.dueRuns(5_000, 10)).toEqual([retry, shared]);
      expect(await open('green').dueRuns(5_000, 10)).toEqual([]);
    });

    it('releases an unsent dispatch together with the lease its claim took; a lease no longer the owner\'s stays, and the dispatch is still released', async () => {
      const open = await fresh();
      const store = open('blue');
      const retry = { id: 'f@s', task: 'f', slot, at: 1_000, attempt: 1, lastError: 'InternalFailure', enqueuedAt: 1_000 };
      await store.claimSlot({ task: 'f', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      await store.acquireLease({ task: 'f', owner: 'tick-1', slot, now: 1_000, expiresAt: 400_000 });
      // a started run keeps its lease: nothing is released
      await store.startRun({ task: 'f', slot, owner: 'tick-1', worker: 'w', startedAt: 2_000, retries: 0 });
      expect(await store.releaseDispatch({ task: 'f', slot, owner: 'tick-1', onOneServer: false, retry, releaseLease: true })).toBe(false);
      expect(await store.lease('f')).toMatchObject({ owner: 'tick-1', slot });
      // an unsent one gives back the claim and the lease in one step
      const next = '2026-11-23T10:06:00.000Z';
      await store.claimSlot({ task: 'f', slot: next, owner: 'tick-2', claimedAt: 1, dispatch: true });
      await store.acquireLease({ task: 'f', owner: 'tick-2', slot: next, now: 500_000, expiresAt: 900_000 });
      expect(await store.releaseDispatch({ task: 'f', slot: next, owner: 'tick-2', onOneServer: false, retry: { ...retry, slot: next }, releaseLease: true })).toBe(true);
      expect(await store.getRun('f', next)).toBeUndefined();
      expect((await store.lease('f'))?.owner).toBeUndefined();
      // the lease taken by another run meanwhile is left alone; the dispatch is released all the same
      const third = '2026-11-23T10:07:00.000Z';
      await store.claimSlot({ task: 'f', slot: third, owner: 'tick-3', claimedAt: 1, dispatch: true });
      await store.acquireLease({ task: 'f', owner: 'other', slot: 'x', now: 600_000, expiresAt: 900_000 });
      expect(await store.releaseDispatch({ task: 'f', slot: third, owner: 'tick-3', onOneServer: false, retry: { ...retry, slot: third }, releaseLease: true })).toBe(true);
      expect(await store.getRun('f', third)).toBeUndefined();
      expect(await store.lease('f')).toMatchObject({ owner: 'other', slot: 'x' });
      // onOneServer: the claim and the lease both live in the shared key space
      await store.shared().claimSlot({ task: 'g', slot, owner: 'tick-1', claimedAt: 1, dispatch: true });
      await store.shared().acquireLease({ task: 'g', owner: 'tick-1', slot, now: 1_000, expiresAt: 400_000 });
      expect(await store.releaseDispatch({ task: 'g', slot, owner: 'tick-1', onOneServer: true, retry: { ...retry, id: 'g@s', task: 'g' }, releaseLease: true })).toBe(true);
      expect((await store.shared().lease('g'))?.owner).toBeUndefined();
    });

    it('queues runs by due time, per deployment, and dequeues only the attempt it read', async () => {
      const open = await fresh();
      const blue = open('blue');
      const run = (id: string, at: number, extra = {}) => ({ id, task: 't', slot: `${new Date(at).toISOString()}#${id}`, at, attempt: 0, enqueuedAt: 1, ...extra });
      expect(await blue.enqueue(run('c', 3_000))).toBe(true);
      expect(await blue.enqueue(run('a', 1_000, { payload: '{"to":"ops@example.com"}' }))).toBe(true);
      expect(await blue.enqueue(run('b', 2_000))).toBe(true);
      expect(await blue.enqueue(run('z', 60_000))).toBe(true);
      expect(await blue.enqueue(run('b', 2_000, { attempt: 5 }))).toBe(false); // same key: refused, unchanged
      expect(await open('green').enqueue(run('g', 1_000))).toBe(true);
      expect(await blue.dueRuns(3_000, 10)).toEqual([run('a', 1_000, { payload: '{"to":"ops@example.com"}' }), run('b', 2_000), run('c', 3_000)]);
      expect((await blue.dueRuns(3_000, 2)).map((r) => r.id)).toEqual(['a', 'b']);
      expect(await blue.dueRuns(999, 10)).toEqual([]);
      expect(await blue.dequeue({ id: 'b', at: 2_000, attempt: 1 })).toBe(false); // not the attempt queued
      expect(await blue.dequeue({ id: 'b', at: 2_000, attempt: 0 })).toBe(true);
      expect(await blue.dequeue({ id: 'b', at: 2_000, attempt: 0 })).toBe(true); // already gone: safe to repeat
      expect((await blue.dueRuns(100_000, 10)).map((r) => r.id)).toEqual(['a', 'c', 'z']);
    });

    it('begins a tick with the pauses and the queue\'s mark from the tick state, per deployment', async () => {
      const open = await fresh();
      const [blue, green] = [open('blue'), open('green')];
      const m = (minute: number) => minute * 60_000;
      // Pauses set before the first tick ever, and after.
      await blue.pause({ task: 'reports:daily', note: 'bad data', pausedAt: 1 });
      const first = await blue.beginTick(m(10));
      expect(first.advance).toEqual({ decides: true, from: undefined });
      expect(first.pauses).toEqual({ all: undefined, tasks: new Map([['reports:daily', { note: 'bad data', pausedAt: 1 }]]) });
      await blue.pause({ note: 'migrating', pausedAt: 2 });
      expect((await blue.beginTick(m(11))).pauses.all).toEqual({ note: 'migrating', pausedAt: 2 });
      expect(await blue.lastTick()).toBe(m(11)); // pausing never moves the tick state
      expect((await green.beginTick(m(11))).pauses).toEqual({ all: undefined, tasks: new Map() });
      await blue.resume();
      await blue.resume('reports:daily');
      // A duplicate of a tick gets the same range, and the pauses as they are now.
      expect(await blue.beginTick(m(11))).toMatchObject({ advance: { decides: true, from: m(10) }, pauses: { all: undefined, tasks: new Map() } });
    });

    it('says moved only for the write that moves the last tick (first, next, gap), never for a duplicate or a stale tick', async () => {
      const blue = (await fresh())('blue');
      const m = (minute: number) => minute * 60_000;
      const busy = (now: number) => ({ now, busy: () => true });
      const moved = async (minute: number, noting?: { now: number; busy: () => boolean }) => (await blue.beginTick(m(minute), noting)).moved;
      expect(await moved(10, busy(m(10)))).toBe(true); // the first tick ever
      expect(await moved(10, busy(m(10) + 5))).toBe(false); // its duplicate
      expect(await moved(11)).toBe(true);
      expect(await moved(15, busy(m(15)))).toBe(true); // a gap
      expect(await moved(15, busy(m(15) + 5))).toBe(false);
      expect(await moved(13)).toBe(false); // a late tick catch-up decided
      expect(await moved(12, busy(m(12)))).toBe(false);
      expect(await moved(16, busy(m(16)))).toBe(true);
    });

    it('notes a busy tick\'s range unsettled in the write that moves the last tick, stamps it begun again for a later attempt, per deployment', async () => {
      const open = await fresh();
      const [blue, green] = [open('blue'), open('green')];
      const m = (minute: number) => minute * 60_000;
      const busy = (now: number) => ({ now, busy: () => true });
      const idle = (now: number) => ({ now, busy: () => false });
      // An idle tick for a minute long past (or green's first) notes nothing, and reads the notes.
      const ranges = async (store: Store) => (await store.beginTick(m(1))).unsettled;
      expect((await blue.beginTick(m(10), busy(m(10) + 1))).unsettled).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }]); // the first tick ever
      expect((await blue.beginTick(m(11), idle(m(11) + 1))).unsettled).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }]);
      expect((await blue.beginTick(m(12), busy(m(12) + 1))).unsettled).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }, { from: m(11), to: m(12), begunAt: m(12) + 1 }]);
      expect(await blue.unsettled()).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }, { from: m(11), to: m(12), begunAt: m(12) + 1 }]);
      // A duplicate of 12 within a minute of its note moves nothing and writes nothing; a Lambda retry
      // two minutes on stamps it begun again; another tick's note is left alone.
      expect((await blue.beginTick(m(12), busy(m(12) + 30_000))).unsettled[1]).toEqual({ from: m(11), to: m(12), begunAt: m(12) + 1 });
      expect((await blue.beginTick(m(12), busy(m(14)))).unsettled).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }, { from: m(11), to: m(12), begunAt: m(14) }]);
      expect(await blue.unsettled()).toEqual([{ from: undefined, to: m(10), begunAt: m(10) + 1 }, { from: m(11), to: m(12), begunAt: m(14) }]);
      await blue.settleTick(m(10));
      await blue.settleTick(m(10)); // safe to repeat
      await blue.settleTick(m(12));
      expect(await ranges(blue)).toEqual([]);
      // A retry that comes after its note was settled (or recovered) notes nothing again.
      expect((await blue.beginTick(m(12), busy(m(20)))).unsettled).toEqual([]);
      // 13–15 missed: the move to 16 notes (12, 16] when that range is busy, asked with its `from`.
      const asked: (number | undefined)[] = [];
      const start = await blue.beginTick(m(16), { now: m(16) + 1, busy: (from) => (asked.push(from), from === m(12)) });
      expect(start.unsettled).toEqual([{ from: m(12), to: m(16), begunAt: m(16) + 1 }]);
      expect(asked).toContain(m(12));
      expect((await blue.beginTick(m(17), idle(m(17) + 1))).unsettled).toEqual([{ from: m(12), to: m(16), begunAt: m(16) + 1 }]);
      expect(await blue.beginTick(m(16))).toMatchObject({ advance: { decides: true, from: m(12) }, unsettled: [{ from: m(12), to: m(16) }] });
      // An idle range over missed minutes notes nothing.
      expect((await blue.beginTick(m(30), idle(m(30) + 1))).unsettled).toEqual([{ from: m(12), to: m(16), begunAt: m(16) + 1 }]);
      expect(await ranges(green)).toEqual([]);
      // Pausing and queueing, which write the same item, leave the notes alone.
      await blue.pause({ note: 'n', pausedAt: 1 });
      await blue.enqueue({ task: 't', slot: 's', id: 'i', at: m(40), attempt: 0, enqueuedAt: 1 });
      expect(await ranges(blue)).toEqual([{ from: m(12), to: m(16), begunAt: m(16) + 1 }]);
    });

    it('keeps the queue\'s mark a lower bound of every queued run, so a tick reads the queue only when one may be due', async () => {
      const open = await fresh();
      const blue = open('blue');
      const m = (minute: number) => minute * 60_000;
      const run = (id: string, at: number) => ({ id, task: 't', slot: `${new Date(at).toISOString()}#${id}`, at, attempt: 0, enqueuedAt: 1 });
      // Nothing known yet (a table from before the mark, or never queued): the tick reads, then settles.
      const unknown = (await blue.beginTick(m(10))).queue;
      expect(queueMayBeDue(unknown, m(10))).toBe(true);
      await blue.settleQueue(unknown);
      const empty = (await blue.beginTick(m(11))).queue;
      expect(empty.earliest).toBeUndefined();
      expect(queueMayBeDue(empty, m(11))).toBe(false);

      await blue.enqueue(run('later', m(20)));
      await blue.enqueue(run('sooner', m(15)));
      await blue.enqueue(run('latest', m(30)));
      const queued = (await blue.beginTick(m(12))).queue;
      expect(queued.earliest).toBe(m(15));
      expect(queueMayBeDue(queued, m(12))).toBe(false);

      // Tick 15 takes on 'sooner'; a run queued while it works keeps the mark where that run needs it.
      const at15 = (await blue.beginTick(m(15))).queue;
      expect(queueMayBeDue(at15, m(15))).toBe(true);
      expect(await blue.dequeue(run('sooner', m(15)))).toBe(true);
      await blue.enqueue(run('meanwhile', m(16)));
      await blue.settleQueue(at15);
      expect((await blue.beginTick(m(16))).queue.earliest).toBeLessThanOrEqual(m(16));

      // Settled with nothing queued since: the mark moves up to the earliest run left.
      const at16 = (await blue.beginTick(m(16))).queue;
      expect(await blue.dequeue(run('meanwhile', m(16)))).toBe(true);
      await blue.settleQueue(at16);
      expect((await blue.beginTick(m(17))).queue.earliest).toBe(m(20));
      await blue.settleQueue(at16); // a duplicate tick settling again changes nothing
      expect((await blue.beginTick(m(17))).queue.earliest).toBe(m(20));

      // A dispatch released for a retry lowers the mark too.
      await blue.claimSlot({ task: 'f', slot: new Date(m(17)).toISOString(), owner: 'tick', claimedAt: 1, dispatch: true });
      const retry = { id: 'r', task: 'f', slot: new Date(m(17)).toISOString(), at: m(18), attempt: 1, enqueuedAt: 1 };
      expect(await blue.releaseDispatch({ task: 'f', slot: retry.slot, owner: 'tick', onOneServer: false, retry })).toBe(true);
      expect((await blue.beginTick(m(17))).queue.earliest).toBe(m(18));
      expect((await open('green').beginTick(m(17))).queue.earliest).toBeUndefined();
      // Released again after the retry was taken on: rewritten in place under its key, next attempt.
      await blue.claimSlot({ task: 'f', slot: retry.slot, owner: 'tick-2', claimedAt: 2, dispatch: true });
      expect(await blue.releaseDispatch({ task: 'f', slot: retry.slot, owner: 'tick-2', onOneServer: false, retry: { ...retry, attempt: 2 } })).toBe(true);
      expect((await blue.dueRuns(m(18), 10)).filter((r) => r.id === 'r')).toEqual([{ ...retry, attempt: 2 }]);
    });

    it('reads a task\'s runs and missed summaries in a slot range, newest first, per deployment', async () => {
      const open = await fresh();
      const blue = open('blue');
      const at = (minute: number) => `2026-11-23T10:0${minute}:00.000Z`;
      for (const minute of [1, 2, 3, 4]) await blue.claimSlot({ task: 'h', slot: at(minute), owner: 'o', claimedAt: minute });
      await blue.claimSlot({ task: 'other', slot: at(2), owner: 'o', claimedAt: 2 });
      await open('green').claimSlot({ task: 'h', slot: at(2), owner: 'g', claimedAt: 2 });
      await blue.completeRun({ task: 'h', slot: at(3), owner: 'o', status: 'failed', finishedAt: 9, durationMs: 4, latenessMs: 5, error: 'Error: x' });
      await blue.claimSlot({ task: 'h', slot: at(5), owner: 'o', claimedAt: 5, dispatch: true });
      await blue.startRun({ task: 'h', slot: at(5), owner: 'o', worker: 'w', startedAt: 6, retries: 0 });

      const runs = await blue.runsBetween('h', { from: at(2), to: at(5), limit: 10 });
      expect(runs.map((r) => r.slot)).toEqual([at(5), at(4), at(3), at(2)]);
      expect(runs.map((r) => r.owner)).toEqual(['o', 'o', 'o', 'o']);
      expect(runs[0]).toMatchObject({ status: 'running', attempts: 1, startedAt: 6 });
      expect(runs[2]).toMatchObject({ status: 'failed', durationMs: 4, latenessMs: 5, error: 'Error: x' });
      expect((await blue.runsBetween('h', { from: at(1), to: at(5), limit: 2 })).map((r) => r.slot)).toEqual([at(5), at(4)]);
      expect(await blue.runsBetween('h', { from: at(6), to: at(9), limit: 10 })).toEqual([]);

      const missed = (from: number, to: number, reason: 'coalesced' | 'outside-catch-up-window') => ({ task: 'h', from: at(from), to: at(to), count: to - from + 1, reason, tick: at(9) });
      await blue.recordMissed(missed(1, 3, 'outside-catch-up-window'));
      await blue.recordMissed(missed(4, 7, 'coalesced'));
      await blue.recordMissed(missed(4, 8, 'outside-catch-up-window'));
      await open('green').recordMissed(missed(5, 6, 'coalesced'));
      expect(await blue.missedBetween('h', { from: at(2), to: at(4), limit: 10 })).toEqual([missed(4, 8, 'outside-catch-up-window'), missed(4, 7, 'coalesced')]);
      expect(await blue.missedBetween('h', { from: at(0), to: at(9), limit: 1 })).toEqual([missed(4, 8, 'outside-catch-up-window')]);
      expect(await blue.missedBetween('other', { from: at(0), to: at(9), limit: 10 })).toEqual([]);
    });
  });
}
