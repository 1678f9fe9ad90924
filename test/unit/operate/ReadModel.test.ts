import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { ReadModel } from '../../../src/operate/ReadModel.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { operateSchedule, operateTimeline, tickAt } from './ticks.js';

const NOW = Date.parse('2026-11-30T00:00:00Z');

async function model(): Promise<{ model: ReadModel; store: MemoryStore }> {
  const schedule = operateSchedule();
  const store = new MemoryStore();
  await operateTimeline(schedule, store);
  return { model: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }), store };
}

describe('ReadModel.history', () => {
  it('lists one task\'s runs and missed slots newest first, with status, duration, lateness and reason', async () => {
    const { model: m } = await model();
    const entries = await m.history('beat', { since: new Date('2026-11-23T10:00:00Z'), until: new Date('2026-11-23T11:00:00Z'), limit: 10 });
    expect(entries.map((e) => [e.kind, e.slot])).toEqual([
      ['run', '2026-11-23T10:06:00.000Z'],
      ['run', '2026-11-23T10:05:00.000Z'],
      ['missed', '2026-11-23T10:04:00.000Z'],
      ['run', '2026-11-23T10:02:00.000Z'],
      ['run', '2026-11-23T10:01:00.000Z'],
      ['run', '2026-11-23T10:00:00.000Z'],
    ]);
    expect(entries[0]).toMatchObject({ status: 'succeeded', owner: 'tick@2026-11-23T10:06:00Z', latenessMs: expect.any(Number), durationMs: expect.any(Number) });
    expect(entries[2]).toMatchObject({ from: '2026-11-23T10:03:00.000Z', to: '2026-11-23T10:04:00.000Z', count: 2, reason: 'coalesced' });
  });

  it('merges every task, keeps the reasons of skipped and failed slots, and honours since and limit', async () => {
    const { model: m } = await model();
    const all = await m.history(undefined, { since: new Date('2026-11-23T10:06:00Z'), until: new Date('2026-11-23T11:00:00Z'), limit: 3 });
    expect(all.map((e) => `${e.task} ${e.kind === 'run' ? e.status : e.reason}`)).toEqual(['beat succeeded', 'flaky failed', 'quiet skipped']);
    expect(all[1]).toMatchObject({ error: 'Error: upstream down' });
    expect(all[2]).toMatchObject({ reason: 'paused' });
    await expect(m.history('nope', { since: new Date(0), until: new Date(NOW), limit: 1 })).rejects.toThrow('Task "nope": no task has this name');
  });

  it('says why a slot of an evaluated minute has no record: its tick is still deciding it, or failed before claiming it', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    const at = (iso: string) => Date.parse(iso);
    // 10:00 evaluated; 10:01–10:04 missed; the 10:05 tick, begun at 10:05:01, moved the last tick over
    // the gap and noted (10:00, 10:05]; then every claim failed (and every retry of it so far).
    await store.beginTick(at('2026-11-23T10:00:00Z'));
    await store.beginTick(at('2026-11-23T10:05:00Z'), { now: at('2026-11-23T10:05:01Z'), busy: () => true });
    const m = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });
    const verdict = async (slot: string, now: string) => (await m.why('beat', new Date(slot), at(now))).verdict;
    expect(await verdict('2026-11-23T10:03:00Z', '2026-11-23T10:05:30Z'))
      .toBe('not decided yet: the tick for 2026-11-23T10:05:00.000Z, begun at 2026-11-23T10:05:01.000Z, is still deciding its slots');
    // Recovery counts from when the range's tick began, for a slot of a missed minute too.
    expect(await verdict('2026-11-23T10:03:00Z', '2026-11-23T10:20:30Z'))
      .toBe("no record yet: the tick for 2026-11-23T10:05:00.000Z, begun at 2026-11-23T10:05:01.000Z, failed before claiming it (the tick's Errors alarm fired); a Lambda retry of it may still claim it, and if none does, the first tick from 2026-11-23T10:21:01.000Z on records it missed");
    expect(await verdict('2026-11-23T10:03:00Z', '2026-11-23T10:30:00Z'))
      .toBe("no record yet: the tick for 2026-11-23T10:05:00.000Z, begun at 2026-11-23T10:05:01.000Z, failed before claiming it (the tick's Errors alarm fired); the next tick records it missed (due since 2026-11-23T10:21:01.000Z: no tick has been able to yet)");
    // Outside any noted range, a minute the tick evaluated: nothing was due then.
    expect(await verdict('2026-11-23T10:00:00Z', '2026-11-23T10:40:00Z')).toBe('no record: the kernel deployed then had no such slot, or its record has expired');
    // What the first tick from 10:21:01 on records (recoverRange).
    await store.claimSlot({ task: 'beat', slot: '2026-11-23T10:05:00.000Z', owner: 'tick-10:22', claimedAt: at('2026-11-23T10:22:01Z'), decided: { status: 'skipped', reason: 'tick-failed' } });
    expect(await verdict('2026-11-23T10:05:00Z', '2026-11-23T10:40:00Z'))
      .toBe('missed: tick-failed (the tick that decided its minute failed before claiming it, and so did every Lambda retry of it)');
  });

  it('says a fan-out slot whose event could not be sent is queued to be sent again', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('fan').everyMinute().onLambda({});
    const store = new MemoryStore();
    await store.beginTick(Date.parse('2026-11-23T10:05:00Z'));
    // What `releaseDispatch` leaves: the claim given back, the slot queued with its attempt and error.
    await store.enqueue({ id: 'retry#fan', task: 'fan', slot: '2026-11-23T10:05:00.000Z', at: Date.parse('2026-11-23T10:06:00Z'), attempt: 2, lastError: 'ThrottlingException: Rate exceeded', enqueuedAt: Date.parse('2026-11-23T10:05:01Z') });
    const m = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });
    expect((await m.why('fan', new Date('2026-11-23T10:05:00Z'), Date.parse('2026-11-23T10:05:30Z'))).verdict)
      .toBe('not sent yet: its event could not be sent (attempt 2: ThrottlingException: Rate exceeded), and it is queued for the first tick from 2026-11-23T10:06:00.000Z on to send again');
    expect((await m.why('fan', new Date('2026-11-23T10:04:00Z'), Date.parse('2026-11-23T10:05:30Z'))).verdict).toMatch(/^no record/);
  });

  it('holds nothing for a range that ends before it begins', async () => {
    const { model: m } = await model();
    expect(await m.history(undefined, { since: new Date('2026-11-23T10:06:00Z'), until: new Date('2026-11-23T10:00:00Z'), limit: 10 })).toEqual([]);
  });
});

describe('ReadModel.monitor', () => {
  it('reports last start, finish and failure, flags failing tasks, and does not judge a task with no record', async () => {
    const { model: m } = await model();
    const report = await m.monitor(Date.parse('2026-11-23T10:06:30Z'));
    const byName = new Map(report.tasks.map((t) => [t.task, t]));
    expect(report.scheduler).toEqual({ lastTick: '2026-11-23T10:06:00.000Z', late: false });
    // The latest slot past beat's 2-minute grace is 10:04, coalesced by the 10:06 catch-up: not late.
    expect(byName.get('beat')).toMatchObject({ lastStart: { slot: '2026-11-23T10:06:00.000Z' }, lastFinish: { status: 'succeeded' }, failing: false, graceMs: 120_000 });
    expect(byName.get('beat')?.late).toBeUndefined();
    expect(byName.get('flaky')).toMatchObject({ failing: true, lastFailure: { slot: '2026-11-23T10:06:00.000Z', error: 'Error: upstream down' } });
    expect(byName.get('quiet')).toMatchObject({ failing: false, paused: { note: 'migrating', pausedAt: '2026-11-23T09:59:00.000Z', scope: 'task' } });
    expect(byName.get('quiet')?.late).toBeUndefined(); // paused slots are decided, not late
    expect(byName.get('beat')?.paused).toBeUndefined();
    expect(byName.get('nightly')).toMatchObject({ nextDue: '2026-11-24T07:30:00.000Z', failing: false });
    expect(byName.get('nightly')?.late).toBeUndefined();
    expect(report.ok).toBe(false);
  });

  it('shows the scheduler\'s pause, and on each task it holds back — not on one that runs evenWhenPaused()', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    schedule.call(() => {}).name('always').everyMinute().evenWhenPaused();
    const store = new MemoryStore();
    await store.pause({ note: 'deploy freeze', pausedAt: Date.parse('2026-11-23T09:00:00Z') });
    const report = await new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }).monitor(Date.parse('2026-11-23T10:00:00Z'));
    const pause = { note: 'deploy freeze', pausedAt: '2026-11-23T09:00:00.000Z', scope: 'scheduler' };
    expect(report.scheduler.paused).toEqual(pause);
    expect(report.tasks.map((t) => [t.task, t.paused])).toEqual([['beat', pause], ['always', undefined]]);
  });

  it('calls a task late when its latest slot past the grace has no record, and the scheduler late after 3 minutes without a tick', async () => {
    const { model: m } = await model();
    const report = await m.monitor(Date.parse('2026-11-23T10:10:00Z'));
    expect(report.scheduler.late).toBe(true);
    expect(report.tasks.find((t) => t.task === 'beat')?.late).toEqual({ slot: '2026-11-23T10:08:00.000Z', why: 'no record' });
    expect(report.ok).toBe(false);
  });
});

describe('ReadModel.monitor right after a first deployment', () => {
  it('does not call a task late for slots before its first record, and does once a slot after it has none', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    await tickAt(schedule, store, '2026-11-23T10:02:00Z'); // the deployment's first tick
    const m = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });
    // Due by 10:01:30 (2 min of grace): 10:01, a minute before anything ran here.
    expect((await m.monitor(Date.parse('2026-11-23T10:03:30Z'))).tasks[0]?.late).toBeUndefined();
    // Due by 10:03:30: 10:03 has no record.
    expect((await m.monitor(Date.parse('2026-11-23T10:05:30Z'))).tasks[0]?.late).toEqual({ slot: '2026-11-23T10:03:00.000Z', why: 'no record' });
  });
});

describe('ReadModel.monitor on sub-minute slots decided on their own records', () => {
  it('calls a task late for a slot decided misfire-skip, as for a summary with that reason, and not for a coalesced one', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('skipping').everyThirtySeconds().catchUp({ policy: 'skip' });
    schedule.call(() => {}).name('coalescing').everyThirtySeconds();
    const store = new MemoryStore();
    const slot = '2026-11-23T10:00:30.000Z';
    for (const [task, reason] of [['skipping', 'misfire-skip'], ['coalescing', 'coalesced']] as const) {
      await store.claimSlot({ task, slot, owner: 'tick', claimedAt: Date.parse(slot) + 10_000, decided: { status: 'skipped', reason } });
    }
    await store.advanceTick(Date.parse('2026-11-23T10:01:00Z'));
    const report = await new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }).monitor(Date.parse('2026-11-23T10:02:50Z'));
    const late = new Map(report.tasks.map((t) => [t.task, t.late]));
    expect(late.get('skipping')).toEqual({ slot, why: 'missed (misfire-skip)' });
    expect(late.get('coalescing')).toBeUndefined();
  });
});

describe('ReadModel.why', () => {
  it('explains a fixed-time slot inside the spring-forward gap: 02:30 does not exist in New York on 2026-03-08', async () => {
    const schedule = operateSchedule();
    const store = new MemoryStore();
    await tickAt(schedule, store, '2026-03-08T07:00:00Z');
    const m = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });

    const ran = await m.why('nightly', new Date('2026-03-08T07:00:00Z'), NOW);
    expect(ran.match).toMatchObject({ isSlot: true, zone: 'America/New_York', wallTime: 'Sun 2026-03-08 03:00', dst: { kind: 'gap', skipped: '02:00–02:59' } });
    expect(ran.match.rule).toBe('"30 2 * * *" names 02:30, which does not exist that day; it runs once, at the first instant after the gap: Sun 2026-03-08 03:00 in America/New_York');
    expect(ran.verdict).toMatch(/^ran: succeeded in /);
    expect(ran.findings.find((f) => f.step === 'claim')?.finding).toMatch(/^claimed by tick@2026-03-08T07:00:00Z at /);

    const notSlot = await m.why('nightly', new Date('2026-03-08T07:30:00Z'), NOW);
    expect(notSlot).toMatchObject({ verdict: 'not a slot of nightly', match: { isSlot: false, previous: '2026-03-08T07:00:00.000Z', next: '2026-03-09T06:30:00.000Z' } });

    const future = await m.why('nightly', new Date('2027-03-14T07:00:00Z'), NOW);
    expect(future).toMatchObject({ future: true, verdict: 'would run at 2027-03-14T07:00:00.000Z', match: { dst: { kind: 'gap' } } });
  });

  it('explains the repeated hour: a fixed-time expression runs on the first pass only', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('early').dailyAt('01:30').timezone('America/New_York');
    const m = new ReadModel({ tasks: schedule.compiled(), store: new MemoryStore(), stage: 'test' });
    // 2026-11-01: New York falls back at 02:00 EDT, so 01:30 happens at 05:30Z and again at 06:30Z.
    const first = await m.why('early', new Date('2026-11-01T05:30:00Z'), NOW);
    expect(first.match).toMatchObject({ isSlot: true, wallTime: 'Sun 2026-11-01 01:30' });
    expect(first.verdict).toBe('not decided: no tick has run in this deployment');
    const second = await m.why('early', new Date('2026-11-01T06:30:00Z'), NOW);
    expect(second.match).toMatchObject({ isSlot: false, dst: { kind: 'repeated' }, previous: '2026-11-01T05:30:00.000Z' });
    expect(second.match.rule).toBe('"30 1 * * *" matches Sun 2026-11-01 01:30 in America/New_York, but this is the repeated hour\'s second pass: a fixed-time expression runs on the first pass only');
  });

  it('explains a paused slot, a claimed and failed one, and a coalesced one', async () => {
    const { model: m } = await model();

    const paused = await m.why('quiet', new Date('2026-11-23T10:01:00Z'), NOW);
    expect(paused.verdict).toBe('skipped: paused');
    expect(paused.findings.find((f) => f.step === 'pause')?.finding).toBe('paused when the tick decided it (recorded on the slot)');

    const failed = await m.why('flaky', new Date('2026-11-23T10:02:00Z'), NOW);
    expect(failed.verdict).toBe('ran and failed: Error: upstream down');
    expect(failed.record).toMatchObject({ owner: 'tick@2026-11-23T10:02:00Z', status: 'failed' });

    const coalesced = await m.why('beat', new Date('2026-11-23T10:03:00Z'), NOW);
    expect(coalesced.verdict).toBe('missed: coalesced (the same catch-up kept a later slot of the task to run: see that slot)');
    expect(coalesced.findings.find((f) => f.step === 'catch-up')?.finding).toBe(
      'missed (coalesced) with 1 other slot(s) from 2026-11-23T10:03:00.000Z to 2026-11-23T10:04:00.000Z, found by the tick of 2026-11-23T10:06:00.000Z',
    );

    const future = await m.why('quiet', new Date('2026-11-23T10:30:00Z'), Date.parse('2026-11-23T10:06:30Z'));
    expect(future.verdict).toBe('would be skipped: paused (migrating), unless resumed first');
  });
});

describe('ReadModel.overview', () => {
  it('gives every task its schedule in words, next run, last record, pause and the monitor\'s verdicts', async () => {
    const { model: m } = await model();
    const overview = await m.overview(Date.parse('2026-11-23T10:06:30Z'));
    const byName = new Map(overview.tasks.map((t) => [t.task, t]));
    expect(overview.tasks.map((t) => t.task)).toEqual(['beat', 'flaky', 'quiet', 'nightly']);
    expect(overview.scheduler).toEqual({ lastTick: '2026-11-23T10:06:00.000Z', late: false });
    expect(byName.get('beat')).toMatchObject({
      schedule: 'Every minute, UTC',
      expression: '* * * * *',
      description: 'Succeeds every minute',
      nextRun: '2026-11-23T10:07:00.000Z',
      lastRun: { slot: '2026-11-23T10:06:00.000Z', status: 'succeeded' },
      failing: false,
      lambda: false,
    });
    expect(byName.get('flaky')).toMatchObject({ failing: true, lastRun: { status: 'failed', error: 'Error: upstream down' } });
    expect(byName.get('quiet')).toMatchObject({ lastRun: { status: 'skipped', reason: 'paused' }, paused: { note: 'migrating', scope: 'task', pausedAt: '2026-11-23T09:59:00.000Z' } });
    expect(byName.get('nightly')).toMatchObject({ schedule: 'At 02:30, America/New_York', nextRun: '2026-11-24T07:30:00.000Z' });
    expect(byName.get('nightly')?.lastRun).toBeUndefined();
    expect(overview.ok).toBe(false);
  });

  it('shows the whole scheduler\'s pause on the scheduler and on every task without one of its own', async () => {
    const { model: m, store } = await model();
    await store.pause({ note: 'deploying', pausedAt: Date.parse('2026-11-23T10:06:10Z') });
    const overview = await m.overview(Date.parse('2026-11-23T10:06:30Z'));
    expect(overview.scheduler.paused).toEqual({ note: 'deploying', pausedAt: '2026-11-23T10:06:10.000Z', scope: 'scheduler' });
    expect(overview.tasks.find((t) => t.task === 'beat')?.paused).toMatchObject({ note: 'deploying', scope: 'scheduler' });
    expect(overview.tasks.find((t) => t.task === 'quiet')?.paused).toMatchObject({ note: 'migrating', scope: 'task' });
  });
});

describe('ReadModel.taskDetail', () => {
  it('splits a task\'s history into failures (with error and output) and slots that did not run', async () => {
    const { model: m } = await model();
    const now = Date.parse('2026-11-23T10:06:30Z');
    const flaky = await m.taskDetail('flaky', now, { since: new Date('2026-11-23T10:00:00Z'), limit: 50, next: 2 });
    expect(flaky.failures.map((f) => f.slot)).toEqual(['2026-11-23T10:06:00.000Z', '2026-11-23T10:05:00.000Z', '2026-11-23T10:02:00.000Z', '2026-11-23T10:01:00.000Z', '2026-11-23T10:00:00.000Z']);
    expect(flaky.failures[0]).toMatchObject({ status: 'failed', error: 'Error: upstream down' });
    expect(flaky.nextRuns).toEqual([
      { at: '2026-11-23T10:07:00.000Z', wallTime: 'Mon 2026-11-23 10:07' },
      { at: '2026-11-23T10:08:00.000Z', wallTime: 'Mon 2026-11-23 10:08' },
    ]);
    const quiet = await m.taskDetail('quiet', now, { since: new Date('2026-11-23T10:00:00Z'), limit: 50, next: 1 });
    expect(quiet.notRun.map((e) => [e.kind, e.kind === 'run' ? e.reason : e.reason])).toContainEqual(['run', 'paused']);
    const beat = await m.taskDetail('beat', now, { since: new Date('2026-11-23T10:00:00Z'), limit: 50, next: 1 });
    expect(beat.notRun).toEqual([expect.objectContaining({ kind: 'missed', reason: 'coalesced', count: 2 })]);
    expect(beat.failures).toEqual([]);
  });

  it('notes the DST change on the days of the next runs, and why a run sits where it does', async () => {
    const { model: m } = await model();
    const detail = await m.taskDetail('nightly', Date.parse('2026-03-06T12:00:00Z'), { since: new Date('2026-03-06T00:00:00Z'), limit: 10, next: 3 });
    expect(detail.nextRuns).toEqual([
      { at: '2026-03-07T07:30:00.000Z', wallTime: 'Sat 2026-03-07 02:30' },
      {
        at: '2026-03-08T07:00:00.000Z',
        wallTime: 'Sun 2026-03-08 03:00',
        dstDay: 'clocks in America/New_York go forward from 02:00 to 03:00 (02:00–02:59 does not exist)',
        dstRule: 'clocks in America/New_York jumped from 02:00 to 03:00: 02:00–02:59 did not exist; a fixed-time occurrence in the gap runs once, now',
      },
      { at: '2026-03-09T06:30:00.000Z', wallTime: 'Mon 2026-03-09 02:30' },
    ]);
  });
});

describe('a run left running when every invocation that could record its outcome has ended', () => {
  const CLAIMED_AT = Date.parse('2026-11-23T10:01:00.100Z');
  /** `beat` ran at 10:00; the tick of 10:01 claimed its slot and died, and no Lambda retry settled it. */
  async function stranded(): Promise<{ m: ReadModel; store: MemoryStore; schedule: Schedule }> {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    await tickAt(schedule, store, '2026-11-23T10:00:00Z');
    const claim = await store.claimSlot({ task: 'beat', slot: '2026-11-23T10:01:00.000Z', owner: 'tick@dead', claimedAt: CLAIMED_AT });
    expect(claim.claimed).toBe(true);
    return { m: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }), store, schedule };
  }
  const slot = new Date('2026-11-23T10:01:00Z');
  /** The longest a Lambda invocation lasts (15 minutes), and the minute of clock skew `STALE_RUN_MS` allows. */
  const edge = CLAIMED_AT + 16 * 60_000;

  it('reads as running while an invocation could still be behind it', async () => {
    const { m } = await stranded();
    const [entry] = await m.history('beat', { since: slot, until: new Date(edge), limit: 1 });
    expect(entry).toMatchObject({ kind: 'run', status: 'running' });
    expect(entry).not.toHaveProperty('stranded');
    expect(entry).not.toHaveProperty('error');
    expect((await m.why('beat', slot, edge)).verdict).toBe('running (no outcome recorded yet)');
    const health = (await m.monitor(edge)).tasks[0];
    expect(health).toMatchObject({ lastStart: { slot: '2026-11-23T10:01:00.000Z' }, lastFinish: { slot: '2026-11-23T10:00:00.000Z', status: 'succeeded' }, failing: false });
    expect(health?.lastFailure).toBeUndefined();
  });

  it('then reads as having no outcome: history and why say so, the monitor calls the task failing, the task page lists it with the failures', async () => {
    const { m } = await stranded();
    const now = edge + 1;
    const noOutcome = 'no outcome: started 2026-11-23T10:01:00.100Z, longer ago than any Lambda invocation lasts (15 minutes)';
    const [entry] = await m.history('beat', { since: slot, until: new Date(now), limit: 1 });
    expect(entry).toMatchObject({ kind: 'run', status: 'running', stranded: true, error: expect.stringContaining(noOutcome) });
    const why = await m.why('beat', slot, now);
    expect(why.verdict).toContain(noOutcome);
    expect(why.record).toMatchObject({ stranded: true });
    expect(why.findings.find((f) => f.step === 'outcome')?.finding).toContain(noOutcome);
    const report = await m.monitor(now);
    expect(report.tasks[0]).toMatchObject({ failing: true, lastFailure: { slot: '2026-11-23T10:01:00.000Z', at: '2026-11-23T10:01:00.100Z', stranded: true, error: expect.stringContaining(noOutcome) } });
    expect(report.ok).toBe(false);
    const detail = await m.taskDetail('beat', now, { since: new Date('2026-11-23T10:00:00Z'), limit: 10, next: 1 });
    expect(detail.failures.map((f) => f.slot)).toEqual(['2026-11-23T10:01:00.000Z']);
    expect(detail.overview).toMatchObject({ failing: true, lastRun: { slot: '2026-11-23T10:01:00.000Z', stranded: true } });
  });

  it('stops the task failing once a later run finishes, and stays its last failure', async () => {
    const { m, store, schedule } = await stranded();
    await tickAt(schedule, store, '2026-11-23T10:02:00Z');
    const health = (await m.monitor(edge + 1)).tasks[0];
    expect(health).toMatchObject({ failing: false, lastFinish: { slot: '2026-11-23T10:02:00.000Z', status: 'succeeded' }, lastFailure: { slot: '2026-11-23T10:01:00.000Z' } });
  });

  it('keeps the task failing while a newer run is still going, and not once it has finished', async () => {
    const { m, store } = await stranded();
    await store.claimSlot({ task: 'beat', slot: '2026-11-23T10:20:00.000Z', owner: 'tick@10:20', claimedAt: Date.parse('2026-11-23T10:20:00.100Z') });
    const now = Date.parse('2026-11-23T10:20:30Z');
    expect((await m.monitor(now)).tasks[0]).toMatchObject({ failing: true, lastStart: { slot: '2026-11-23T10:20:00.000Z' }, lastFailure: { slot: '2026-11-23T10:01:00.000Z' } });
    await store.completeRun({ task: 'beat', slot: '2026-11-23T10:20:00.000Z', owner: 'tick@10:20', status: 'succeeded', finishedAt: now, durationMs: 400 });
    expect((await m.monitor(now)).tasks[0]).toMatchObject({ failing: false, lastFinish: { slot: '2026-11-23T10:20:00.000Z', status: 'succeeded' } });
  });

  it('is never read so once an outcome is recorded, however old', async () => {
    const { m, store } = await stranded();
    // A Lambda retry of the dead tick settles its own claim (docs/design.md "Failures and retries").
    await store.completeRun({ task: 'beat', slot: '2026-11-23T10:01:00.000Z', owner: 'tick@dead', status: 'failed', reason: 'abandoned', error: 'abandoned', finishedAt: edge + 60_000, ifStatus: 'running' });
    const now = edge + 3_600_000;
    const [entry] = await m.history('beat', { since: slot, until: new Date(now), limit: 1 });
    expect(entry).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect(entry).not.toHaveProperty('stranded');
    expect((await m.why('beat', slot, now)).verdict).toBe('ran and failed: abandoned');
  });
});

describe('a fan-out run left running by its worker', () => {
  const SLOT = '2026-11-23T10:00:00.000Z';
  const CLAIMED_AT = Date.parse('2026-11-23T10:00:00.100Z');
  async function dispatched(): Promise<{ m: ReadModel; store: MemoryStore }> {
    const schedule = new Schedule();
    schedule.call(() => {}).name('export').everyMinute().onLambda({ timeout: 900 });
    const store = new MemoryStore();
    expect((await store.claimSlot({ task: 'export', slot: SLOT, owner: 'tick', claimedAt: CLAIMED_AT, dispatch: true })).claimed).toBe(true);
    return { m: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }), store };
  }

  it('counts from when its worker started it, not from the tick\'s claim', async () => {
    const { m, store } = await dispatched();
    // The event waited 40 minutes (a throttled Lambda queue) before a worker started it.
    const startedAt = CLAIMED_AT + 40 * 60_000;
    expect(await store.startRun({ task: 'export', slot: SLOT, owner: 'tick', worker: 'worker-1', startedAt, retries: 1 })).toMatchObject({ started: true });
    const going = startedAt + 16 * 60_000;
    const [entry] = await m.history('export', { since: new Date(SLOT), until: new Date(going), limit: 1 });
    expect(entry).toMatchObject({ status: 'running' });
    expect(entry).not.toHaveProperty('stranded');
    expect((await m.monitor(going)).tasks[0]?.failing).toBe(false);
    const [later] = await m.history('export', { since: new Date(SLOT), until: new Date(going + 1), limit: 1 });
    expect(later).toMatchObject({ stranded: true, error: expect.stringContaining(`no outcome: started ${new Date(startedAt).toISOString()}`) });
    expect((await m.monitor(going + 1)).tasks[0]).toMatchObject({ failing: true, lastFailure: { at: new Date(startedAt).toISOString(), stranded: true } });
  });

  it('shows none of an earlier attempt\'s outcome on a run started again', async () => {
    const { m, store } = await dispatched();
    const first = CLAIMED_AT + 1_000;
    await store.startRun({ task: 'export', slot: SLOT, owner: 'tick', worker: 'worker-1', startedAt: first, retries: 1 });
    await store.completeRun({ task: 'export', slot: SLOT, owner: 'tick', status: 'failed', error: 'Error: boom', output: 'partial output of attempt 1', durationMs: 5_000, latenessMs: 1_100, startedAt: first, finishedAt: first + 5_000 });
    const second = first + 60_000;
    expect(await store.startRun({ task: 'export', slot: SLOT, owner: 'tick', worker: 'worker-2', startedAt: second, retries: 1 })).toMatchObject({ started: true, attempt: 2 });

    const [running] = await m.history('export', { since: new Date(SLOT), until: new Date(second + 1_000), limit: 1 });
    expect(running).toMatchObject({ status: 'running', attempt: 2, startedAt: new Date(second).toISOString() });
    for (const field of ['durationMs', 'latenessMs', 'error', 'output', 'finishedAt', 'stranded']) expect(running).not.toHaveProperty(field);

    const now = second + 16 * 60_000 + 1;
    const [entry] = await m.history('export', { since: new Date(SLOT), until: new Date(now), limit: 1 });
    expect(entry).toMatchObject({ stranded: true, attempt: 2, error: expect.stringContaining(`no outcome: started ${new Date(second).toISOString()}`) });
    for (const field of ['durationMs', 'latenessMs', 'output', 'finishedAt']) expect(entry).not.toHaveProperty(field);
    const outcome = (await m.why('export', new Date(SLOT), now)).findings.find((f) => f.step === 'outcome')?.finding;
    expect(outcome).toContain('no outcome');
    expect(outcome).not.toContain('boom');
    expect(outcome).not.toContain('took');
    expect(outcome).not.toContain('after its slot');
    expect((await m.monitor(now)).tasks[0]?.lastFailure).toMatchObject({ at: new Date(second).toISOString(), stranded: true });
  });
});

describe('a slot buffered behind a lease whose holder ended without releasing it', () => {
  const HELD = '2026-11-23T10:00:00.000Z';
  const WAITING = '2026-11-23T10:01:00.000Z';
  const waitingAt = Date.parse(WAITING) + 100;
  /** What `leaseRefused` leaves (src/runner/overlap.ts): `tick@dead` holds the lease for 10:00 until 10:01:30.1, and 10:01 waits behind it. */
  async function buffered(): Promise<{ m: ReadModel; store: MemoryStore; schedule: Schedule }> {
    const schedule = new Schedule();
    schedule.call(() => {}).name('b').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    const store = new MemoryStore();
    const heldAt = Date.parse(HELD) + 100;
    await store.claimSlot({ task: 'b', slot: HELD, owner: 'tick@dead', claimedAt: heldAt });
    expect((await store.acquireLease({ task: 'b', owner: 'tick@dead', slot: HELD, now: heldAt, expiresAt: heldAt + 90_000 })).acquired).toBe(true);
    await store.claimSlot({ task: 'b', slot: WAITING, owner: 'tick@10:01', claimedAt: waitingAt });
    expect((await store.bufferBehindLease({ task: 'b', slot: WAITING, owner: 'tick@10:01', now: waitingAt })).buffered).toBe(true);
    await store.completeRun({ task: 'b', slot: WAITING, owner: 'tick@10:01', status: 'skipped', reason: 'buffered', finishedAt: waitingAt, ifStatus: 'running' });
    return { m: new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' }), store, schedule };
  }
  const slot = new Date(WAITING);

  it('waits behind the holder while its lease lasts', async () => {
    const { m } = await buffered();
    const why = await m.why('b', slot, Date.parse('2026-11-23T10:01:20Z'));
    expect(why.verdict).toBe(`buffered: waiting behind tick@dead's run of ${HELD}, to run when it releases the lease`);
    expect(why.findings.map((f) => f.finding)).toContain(`lease held now by tick@dead for ${HELD}, until 2026-11-23T10:01:30.100Z`);
  });

  it('once the lease lapsed, says the slot will not run and the next run records it superseded, which it does', async () => {
    const { m, store, schedule } = await buffered();
    const now = Date.parse('2026-11-23T10:04:30Z');
    const why = await m.why('b', slot, now);
    expect(why.verdict).toBe(`buffered behind tick@dead's run of ${HELD}, and the lease lapsed at 2026-11-23T10:01:30.100Z without tick@dead releasing it: this slot will not run, and the task's next run records it superseded`);
    expect(why.findings.find((f) => f.step === 'outcome')?.finding).toBe(why.verdict);
    expect(why.findings.map((f) => f.finding)).toContain(`lease lapsed at 2026-11-23T10:01:30.100Z, never released by tick@dead (for ${HELD}): the task's next run takes it over`);
    expect(why).not.toHaveProperty('lease');
    await tickAt(schedule, store, '2026-11-23T10:05:00Z');
    expect(await store.getRun('b', WAITING)).toMatchObject({ status: 'skipped', reason: 'superseded' });
    expect(await store.getRun('b', HELD)).toMatchObject({ status: 'failed', reason: 'abandoned' });
    expect((await m.why('b', slot, now + 60_000)).verdict).toBe('skipped: superseded');
  });

  it('taken off the lease by another run\'s acquire (whose record of it failed), is not told to be waiting', async () => {
    const { m, store } = await buffered();
    // tick@dead's lease lapses; 10:03's acquire takes 10:01 off it as superseded, and that write fails.
    const at = Date.parse('2026-11-23T10:03:00.100Z');
    expect(await store.acquireLease({ task: 'b', owner: 'tick@10:03', slot: '2026-11-23T10:03:00.000Z', now: at, expiresAt: at + 90_000 })).toMatchObject({ acquired: true, superseded: { slot: WAITING } });
    expect((await m.why('b', slot, at + 1_000)).verdict).toBe("buffered, and no longer waiting on the lease: if no run of it has started, it will not run, and the task's next run records it superseded");
  });

  it('handed on and then lapsed, says it may have started and the next run records it abandoned, which it does', async () => {
    const { m, store, schedule } = await buffered();
    // The holder finishes 10:00, takes 10:01 off the lease as it releases it, takes the lease for 10:01, and dies.
    const at = Date.parse('2026-11-23T10:01:10Z');
    await store.completeRun({ task: 'b', slot: HELD, owner: 'tick@dead', status: 'succeeded', finishedAt: at, durationMs: 70_000 });
    expect((await store.releaseLeaseTakingPending('b', 'tick@dead')).pending).toMatchObject({ slot: WAITING });
    expect((await store.acquireLease({ task: 'b', owner: 'tick@dead', slot: WAITING, now: at, expiresAt: at + 90_000 })).acquired).toBe(true);
    expect((await m.why('b', slot, at + 1_000)).verdict).toBe("buffered, and handed on: tick@dead holds the lease to run it next");
    const now = Date.parse('2026-11-23T10:04:30Z');
    expect((await m.why('b', slot, now)).verdict).toBe("buffered, then handed to tick@dead to run, and the lease lapsed at 2026-11-23T10:02:40.000Z without tick@dead releasing it: it may have started, and the task's next run records it abandoned");
    await tickAt(schedule, store, '2026-11-23T10:05:00Z');
    expect(await store.getRun('b', WAITING)).toMatchObject({ status: 'failed', reason: 'abandoned' });
  });
});
