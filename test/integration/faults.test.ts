import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { taskEvent, type Dispatcher, type DispatchOutcome, type TaskEventDetail } from '../../src/dispatch/Dispatcher.js';
import { Schedule } from '../../src/kernel/Schedule.js';
import { createTaskHandler } from '../../src/runner/createTaskHandler.js';
import { createTickHandler, localSinks } from '../../src/runner/createTickHandler.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { keys } from '../../src/store/keys.js';
import { lambdaSettings } from '../../src/kernel/lambdaSettings.js';
import { STALE_RUN_MS } from '../../src/kernel/runBudget.js';
import { faultyClient, seeded, type FaultCounts } from './faults.js';
import { lambdaContext } from './lambdaContext.js';

/**
 * The fault suite (docs/design.md "Every write is safe to retry", "A decided slot stays decided", "Failures and retries").
 * Concurrent duplicate ticks run for several minutes while a fifth of the tick's and the workers'
 * DynamoDB requests are throttled, fail with a 500, lose their reply after the write was applied, or
 * answer late — in one storm minute, often enough that invocations fail past the SDK's retries — and
 * fan-out sends fail partly or lose their reply. Lambda's retries are played as Lambda
 * plays them: a failed invocation is invoked again with the same request id, at once and — for one that
 * gave up — once more two minutes later. The minutes cross a gap (no tick at all: the next one catches
 * up) and every minute also receives a late delivery of the minute before last (the Scheduler retrying).
 * Then a few fault-free minutes, and the table must show that nothing was lost and nothing doubled.
 *
 * Deterministic in its faults: every draw comes from one seeded stream (`SEED`); which request meets
 * which draw still follows the order concurrent requests reach the client.
 */
const SEED = 20_261_130;
/** The statuses of a run that started. */
const RUN_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'timed-out', 'replaced']);
const FAULTY_MINUTES = 6;
const CLEAN_MINUTES = 2;
const TICKS_PER_MINUTE = 4;
/** Lambda's async retries of a failed invocation (its default). */
const LAMBDA_RETRIES = 2;
/** Minutes whose tick never comes: the next tick decides them (catch-up). */
const GAP_MINUTES: ReadonlySet<number> = new Set([3]);
/** How late the late deliveries come, in minutes. */
const LATE_BY = 2;
const RATES = { throttle: 0.05, serverError: 0.05, lostReply: 0.07, slow: 0.03 } as const;
/** A storm: faults past the SDK's five attempts, so ticks and workers fail and Lambda retries them. */
const STORM_MINUTES: ReadonlySet<number> = new Set([4]);
const STORM_RATES = { throttle: 0.25, serverError: 0.2, lostReply: 0.15, slow: 0.05 } as const;
const FAN_OUT_FAULTS = { partialFailure: 0.1, lostReply: 0.1, duplicate: 0.1 } as const;

describe('fault suite: duplicate ticks under DynamoDB and dispatch faults, on DynamoDB Local', () => {
  const random = seeded(SEED);
  const counts: FaultCounts = { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 };
  let faulty = true;
  const rates = { ...RATES };
  const client = faultyClient({ rates, random, active: () => faulty, counts });
  afterAll(() => client.destroy());

  it('starts no slot twice, leaves no slot without a start or a record, no claim running and no lease held', async () => {
    const tableName = `faults-${randomUUID()}`;
    const store = new DynamoDbStore({ tableName, client });
    faulty = false;
    await store.ensureTable();
    faulty = true;

    const starts = new Map<string, number>();
    const start = ({ name, slot }: { name: string; slot: string }) => void starts.set(`${name}@${slot}`, (starts.get(`${name}@${slot}`) ?? 0) + 1);
    const schedule = new Schedule();
    for (let i = 0; i < 4; i++) schedule.call(start).name(`every-${i}`).everyMinute();
    schedule.call(start).name('two').everyTwoMinutes();
    schedule.call(start).name('exclusive').everyMinute().withoutOverlapping();
    schedule.call(start).name('buffered').everyMinute().withoutOverlapping({ policy: 'bufferOne' });
    schedule.call(start).name('one-server').everyMinute().onOneServer();
    schedule.call(start).name('fan').everyMinute().onLambda({ retries: 2 });
    schedule.call(start).name('fan-once').everyMinute().onLambda({});
    schedule.call(start).name('fan-exclusive').everyMinute().withoutOverlapping().onLambda({ retries: 1 });
    // Sub-minute slots (at :00, :01 and :02, so the minute's on-time ticks reach each at its second):
    // the late deliveries and Lambda's late retries find them all past, and decide them by claim.
    schedule.call(start).name('seconds').cron('0,1,2 * * * * *');

    // The dispatcher hands events to the workers after the tick, as Lambda's async queue would: some
    // fail to send, some are sent but reported failed (a lost reply), some are delivered twice.
    const inbox: TaskEventDetail[] = [];
    const dispatcher: Dispatcher = {
      dispatch: async (events): Promise<DispatchOutcome[]> => events.map((event) => {
        const r = faulty ? random() : 1;
        if (r < FAN_OUT_FAULTS.partialFailure) return { id: event.id, dispatched: false, attempts: 4, error: 'InternalFailure: injected' };
        inbox.push(event);
        if (r < FAN_OUT_FAULTS.partialFailure + FAN_OUT_FAULTS.lostReply) return { id: event.id, dispatched: false, attempts: 4, error: 'TimeoutError: injected lost reply' };
        if (r < FAN_OUT_FAULTS.partialFailure + FAN_OUT_FAULTS.lostReply + FAN_OUT_FAULTS.duplicate) inbox.push(event);
        return { id: event.id, dispatched: true, attempts: 1 };
      }),
    };

    let clock = 0;
    const now = () => clock + (Date.now() - clockSetAt);
    let clockSetAt = Date.now();
    const logger = new Logger({ logLevel: 'SILENT' });
    const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tw-faults-')));
    const tick = createTickHandler({ schedule, store, dispatcher, logger, now, sinks });
    const worker = createTaskHandler({ schedule, store, logger, now, sinks });
    const failures = { ticks: 0, ticksGivenUp: 0, workers: 0 };
    /** Invocations that failed at least once, so that Lambda retried them. */
    const retried = new Set<string>();
    /** Tick invocations that failed every attempt, by minute: Lambda tries each once more, late. */
    const givenUp = new Map<string, string[]>();
    const asLambda = async (invoke: (requestId: string) => Promise<unknown>, kind: 'ticks' | 'workers', requestId: string = randomUUID(), attempts = LAMBDA_RETRIES + 1) => {
      for (let attempt = 0; attempt < attempts; attempt++) {
        try {
          await invoke(requestId);
          return true;
        } catch {
          failures[kind]++;
          retried.add(requestId);
        }
      }
      return false;
    };
    const tickAsLambda = async (minute: string, requestId?: string, attempts?: number) => {
      const id = requestId ?? randomUUID();
      if (await asLambda((rid) => tick({ scheduledTime: minute }, lambdaContext(rid)), 'ticks', id, attempts)) return;
      failures.ticksGivenUp++;
      givenUp.set(minute, [...(givenUp.get(minute) ?? []), id]);
    };

    /** Worker invocations that failed and have Lambda retries left: tried again in the next minute. */
    const workerRetries: { detail: TaskEventDetail; id: string; attemptsLeft: number }[] = [];
    const workerAttempt = async (invocation: { detail: TaskEventDetail; id: string; attemptsLeft: number }) => {
      if (await asLambda((id) => worker(taskEvent(invocation.detail), lambdaContext(id)), 'workers', invocation.id, 1)) return;
      if (invocation.attemptsLeft > 1) workerRetries.push({ ...invocation, attemptsLeft: invocation.attemptsLeft - 1 });
    };
    const first = Date.parse('2026-11-23T10:00:00Z');
    for (let m = 0; m < FAULTY_MINUTES + CLEAN_MINUTES; m++) {
      faulty = m < FAULTY_MINUTES;
      Object.assign(rates, STORM_MINUTES.has(m) ? STORM_RATES : RATES);
      const minute = new Date(first + m * 60_000).toISOString();
      clock = first + m * 60_000 + 1_000;
      clockSetAt = Date.now();
      const copies = GAP_MINUTES.has(m) ? 0 : faulty ? TICKS_PER_MINUTE : 2;
      const late = m >= LATE_BY ? new Date(first + (m - LATE_BY) * 60_000).toISOString() : undefined;
      await Promise.all([
        ...Array.from({ length: copies }, () => tickAsLambda(minute)),
        // Late: the Scheduler's retry of the minute before last, and Lambda's last retry of its ticks that gave up.
        ...(late === undefined ? [] : [tickAsLambda(late), ...(givenUp.get(late) ?? []).map((id) => tickAsLambda(late, id, 1))]),
      ]);
      // Workers: each delivered event's first attempt now; Lambda's retries of a failed one (max(1,
      // retries), as its function is deployed) a minute apart, as Lambda spaces them.
      const due = [...workerRetries.splice(0), ...inbox.splice(0).map((detail) => ({ detail, id: randomUUID(), attemptsLeft: 1 + Math.max(1, lambdaSettings(schedule.tasks().find((t) => t.name === detail.task)!)?.retries ?? 0) }))];
      await Promise.all(due.map(workerAttempt));
    }
    // Lambda's remaining worker retries come after the faults have passed.
    while (workerRetries.length > 0) await Promise.all(workerRetries.splice(0).map(workerAttempt));
    faulty = false;
    // Sixteen minutes on, one more tick decides whatever a tick that failed for good left undecided
    // (README "Under faults"): no range stays noted unsettled.
    const after = first + (FAULTY_MINUTES + CLEAN_MINUTES) * 60_000;
    clock = after + STALE_RUN_MS;
    clockSetAt = Date.now();
    await tickAsLambda(new Date(after).toISOString());
    await Promise.all(inbox.splice(0).map((detail) => workerAttempt({ detail, id: randomUUID(), attemptsLeft: 1 })));
    const state = (await scanAll(client, tableName)).find((item) => item.sk?.S === keys.tickState) ?? {};
    expect(Object.keys(state).filter((name) => /^(unsettled|begun)_/.test(name))).toEqual([]);
    const end = now();

    // The faults really happened, and the tick still got through most minutes.
    expect(counts.lostReply).toBeGreaterThan(20);
    expect(counts.throttle + counts.serverError).toBeGreaterThan(20);
    expect(failures.ticksGivenUp).toBeLessThan(FAULTY_MINUTES * TICKS_PER_MINUTE);
    // The storm made Lambda retry ticks.
    expect(failures.ticks).toBeGreaterThan(0);

    // Zero double starts.
    const doubled = [...starts].filter(([, n]) => n > 1);
    expect(doubled).toEqual([]);

    // Zero slots without a start or a record: every slot of the range ran, or its record says why not,
    // or a missed-slots record covers it.
    const items = await scanAll(client, tableName);
    const records = new Map<string, Record<string, AttributeValue>>();
    const missed: { task: string; from: string; to: string }[] = [];
    for (const item of items) {
      const sk = item.sk?.S ?? '';
      if (sk.startsWith('run#')) records.set(`${item.task?.S}@${item.slot?.S}`, item);
      if (sk.startsWith('missed#')) missed.push({ task: item.task?.S ?? '', from: item.from?.S ?? '', to: item.to?.S ?? '' });
    }
    const expected = schedule.occurrences(new Date(first), new Date(first + (FAULTY_MINUTES + CLEAN_MINUTES) * 60_000));
    const unaccounted = expected.map((o) => `${o.name}@${o.at.toISOString()}`).filter((key) => {
      const [task, slot] = key.split('@') as [string, string];
      // A slot that started must say how its run ended (a start recorded as skipped, or with no record, is lost).
      if (starts.has(key)) return !RUN_OUTCOMES.has(records.get(key)?.status?.S ?? '');
      // `buffered` promises a run later: as a final record it means the run was lost.
      if (records.has(key)) return records.get(key)?.reason?.S === 'buffered';
      return !missed.some((r) => (r.task === task || r.task === '*') && r.from <= slot && slot <= r.to);
    });
    const describeSlot = (key: string) => {
      const record = records.get(key);
      return `${key}: started ${starts.get(key) ?? 0}×, record ${record === undefined ? 'none' : `${record.status?.S}/${record.reason?.S ?? '-'} owner ${record.owner?.S} worker ${record.worker?.S ?? '-'}`}`;
    };
    expect(unaccounted.map(describeSlot), 'slots without a start or a record').toEqual([]);
    // A slot is decided once: none that was claimed (run, skipped or decided on its record) is also
    // summarised as missed by a tick that saw the minute differently.
    const decidedTwice = [...records.keys()].filter((key) => {
      const [task, slot] = key.split('@') as [string, string];
      return missed.some((r) => r.task === task && r.from <= slot && slot <= r.to);
    });
    expect(decidedTwice.map(describeSlot), 'slots both claimed and summarised missed').toEqual([]);

    // No claim left running (or dispatched) without a run: every record reached an outcome, with a
    // reason wherever the task did not run to its end.
    const open = [...records].filter(([, item]) => ['running', 'dispatched'].includes(item.status?.S ?? '')).map(([key, item]) => `${key} ${item.status?.S}`);
    expect(open).toEqual([]);
    for (const [key, item] of records) {
      const status = item.status?.S;
      if (status === 'succeeded') expect(starts.get(key), key).toBe(1);
      else expect(item.reason?.S ?? item.error?.S, `${key} ${status}`).toBeDefined();
    }
    // A run is recorded abandoned only when the invocation that claimed (or started) it really failed
    // and Lambda retried it — never because a write's reply was lost and its retry mistook the write
    // for someone else's.
    const wronglyAbandoned = [...records]
      .filter(([, item]) => item.reason?.S === 'abandoned' && !retried.has(item.worker?.S ?? item.owner?.S ?? ''))
      .map(([key]) => key);
    expect(wronglyAbandoned).toEqual([]);

    // Every lease ended by its deadline: released, or lapsed before the end of the run.
    const leases = items.filter((item) => item.sk?.S === keys.lease);
    expect(leases.length).toBeGreaterThan(0);
    for (const lease of leases) {
      const heldFor = `${lease.pk?.S?.split('#').at(-1)}@${lease.slot?.S}`;
      const why = `${lease.pk?.S} held by ${lease.owner?.S} for ${lease.slot?.S} (record: ${JSON.stringify(records.get(heldFor))})`;
      if (lease.owner?.S !== undefined) expect(Number(lease.expiresAt?.N), why).toBeLessThanOrEqual(end);
    }
  });
});

describe('fault suite: a tick that dies mid-minute on sub-minute slots, retried by Lambda a minute later, on DynamoDB Local', () => {
  const client = faultyClient({ rates: RATES, random: seeded(SEED), active: () => false, counts: { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 } });
  afterAll(() => client.destroy());

  it('settles what the first attempt left running, decides the rest by claim, and records no slot that ran as missed', async () => {
    const tableName = `sub-minute-retry-${randomUUID()}`;
    const store = new DynamoDbStore({ tableName, client });
    await store.ensureTable();
    const minute = '2026-11-23T10:05:00.000Z';
    const slotAt = (second: number) => new Date(Date.parse(minute) + second * 1000).toISOString();
    const starts: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void starts.push(slot)).name('quarter').everyFifteenSeconds();
    // The first attempt arrives 50 s late (:00 and :15 coalesced, :30 runs for them, :45 on time) and
    // cannot write :30's outcome: the table fails it past the SDK's retries, so the invocation fails.
    let down = true;
    const failing: typeof store = Object.create(store, {
      completeRun: { value: async (outcome: Parameters<typeof store.completeRun>[0]) => {
        if (down && outcome.slot === slotAt(30)) throw new Error('ServiceUnavailable: injected past the retries');
        return store.completeRun(outcome);
      } },
    });
    let clock = Date.parse(minute) + 50_000;
    const logger = new Logger({ logLevel: 'SILENT' });
    const tick = createTickHandler({ schedule, store: failing, logger, now: () => clock, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-sub-'))) });
    await expect(tick({ scheduledTime: minute }, lambdaContext('tick-request'))).rejects.toThrow();
    expect(await store.getRun('quarter', slotAt(30))).toMatchObject({ status: 'running' });

    // Lambda retries the invocation, same request id, a minute later: every slot of the minute is past.
    down = false;
    clock += 60_000;
    await tick({ scheduledTime: minute }, lambdaContext('tick-request'));

    const records = await Promise.all([0, 15, 30, 45].map((second) => store.getRun('quarter', slotAt(second))));
    expect(records.map((record) => [record?.status, record?.reason])).toEqual([
      ['skipped', 'coalesced'], ['skipped', 'coalesced'], ['failed', 'abandoned'], ['succeeded', undefined],
    ]);
    const items = await scanAll(client, tableName);
    expect(items.filter((item) => item.sk?.S?.startsWith('missed#'))).toEqual([]);
    expect(starts).toEqual([slotAt(30), slotAt(45)]);
  });
});

describe('fault suite: a tick whose every attempt fails after it moved the last tick, on DynamoDB Local', () => {
  // Every request that writes a run record fails while `down`, past the SDK's retries; the tick-state
  // item (the move, its note) is reached as usual.
  let down = false;
  const client = faultyClient({
    rates: RATES, random: seeded(SEED), active: () => false, counts: { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 },
    beforeSend: async (_command, input) => {
      if (down && JSON.stringify(input).includes('"run#')) throw new Error('ProvisionedThroughputExceededException: injected past the retries');
    },
  });
  afterAll(() => client.destroy());

  it('keeps its range noted until a tick 16 minutes on records each slot it left tick-failed; a late retry then runs nothing', async () => {
    const tableName = `tick-failed-${randomUUID()}`;
    const store = new DynamoDbStore({ tableName, client });
    await store.ensureTable();
    const minute = '2026-11-23T10:05:00.000Z';
    const starts: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ name, slot }) => void starts.push(`${name}@${slot}`)).name('report').everyFiveMinutes();
    schedule.call(({ name, slot }) => void starts.push(`${name}@${slot}`)).name('beat').everyMinute();
    let clock = Date.parse(minute) + 1_000;
    const tick = createTickHandler({ schedule, store, logger: new Logger({ logLevel: 'SILENT' }), now: () => clock, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-tick-failed-'))) });
    const notes = async () => {
      const state = (await scanAll(client, tableName)).find((item) => item.sk?.S === keys.tickState) ?? {};
      return Object.keys(state).filter((name) => /^(unsettled|begun)_/.test(name)).sort();
    };

    // The tick and Lambda's two retries of it (same request id), a minute and two apart, move nothing
    // more and claim nothing; the last retry stamps the note begun again.
    down = true;
    for (const begun of [1_000, 61_000, 181_000]) {
      clock = Date.parse(minute) + begun;
      await expect(tick({ scheduledTime: minute }, lambdaContext('request-x'))).rejects.toThrow();
    }
    const lastAttempt = clock;
    down = false;
    expect(await notes()).toEqual([`begun_${Date.parse(minute)}`, `unsettled_${Date.parse(minute)}`]);
    expect(await store.unsettled()).toEqual([{ from: undefined, to: Date.parse(minute), begunAt: lastAttempt }]);

    // The next ticks go on from 10:05, and settle their own minutes.
    clock = Date.parse('2026-11-23T10:06:01Z');
    await tick({ scheduledTime: '2026-11-23T10:06:00Z' }, lambdaContext('request-6'));
    expect(await notes()).toEqual([`begun_${Date.parse(minute)}`, `unsettled_${Date.parse(minute)}`]);
    expect(await store.getRun('report', minute)).toBeUndefined();

    // Sixteen minutes after its last attempt began, no attempt of 10:05's tick can still be running:
    // the next tick decides its slots.
    clock = lastAttempt + STALE_RUN_MS + 1_000;
    const report = await tick({ scheduledTime: '2026-11-23T10:07:00Z' }, lambdaContext('request-7'));
    expect(report.missed).toEqual(expect.arrayContaining([
      { name: 'report', from: minute, to: minute, count: 1, reason: 'tick-failed' },
      { name: 'beat', from: minute, to: minute, count: 1, reason: 'tick-failed' },
    ]));
    expect(await store.getRun('report', minute)).toMatchObject({ status: 'skipped', reason: 'tick-failed', owner: 'request-7' });
    expect(await notes()).toEqual([]);

    // Lambda's retry of 10:05 that still comes (its queue was throttled) finds the slots decided.
    const late = await tick({ scheduledTime: minute }, lambdaContext('request-x'));
    expect(late.ran).toEqual([]);
    expect(starts.filter((start) => start.endsWith(minute))).toEqual([]);
    expect(starts).toEqual(['beat@2026-11-23T10:06:00.000Z', 'beat@2026-11-23T10:07:00.000Z']);
  });
});

describe('fault suite: bad tick and task events, on DynamoDB Local', () => {
  const random = seeded(SEED);
  const client = faultyClient({ rates: RATES, random, active: () => false, counts: { requests: 0, throttle: 0, serverError: 0, lostReply: 0, slow: 0 } });
  afterAll(() => client.destroy());

  it('refuses each with a typed error naming the field, and leaves the table as it was', async () => {
    const tableName = `bad-input-${randomUUID()}`;
    const store = new DynamoDbStore({ tableName, client });
    await store.ensureTable();
    const schedule = new Schedule();
    schedule.call(() => {}).name('inline').everyMinute();
    schedule.call(() => {}).name('fan').everyMinute().onLambda({});
    const logger = new Logger({ logLevel: 'SILENT' });
    const clock = Date.parse('2026-11-23T10:05:10Z');
    const dispatcher: Dispatcher = { dispatch: async (events) => events.map((e) => ({ id: e.id, dispatched: true, attempts: 1 })) };
    const tick = createTickHandler({ schedule, store, dispatcher, logger, now: () => clock });
    const worker = createTaskHandler({ schedule, store, logger, now: () => clock });
    // One good tick and one good run first, so "unchanged" means more than "empty".
    const minute = '2026-11-23T10:05:00.000Z';
    await tick({ scheduledTime: minute }, lambdaContext('good-tick'));
    const sent = (await store.getRun('fan', minute))!;
    const detail: TaskEventDetail = { version: 1, id: `default/fan/${minute}`, deployment: 'default', task: 'fan', slot: minute, at: minute, owner: sent.owner, fence: null, attempt: 1 };
    const before = await scanAll(client, tableName);

    const badTicks: [string, unknown, string | undefined][] = [
      ['malformed', { detail: 'no time here' }, undefined],
      ['not a JSON object', 'tick', undefined],
      ['non-ISO', { time: '12' }, 'time'],
      ['without a zone', { scheduledTime: '2026-11-23T10:05:00' }, 'scheduledTime'],
      ['a date that does not exist', { time: '2026-02-30T10:05:00Z' }, 'time'],
      ['far future', { time: '2099-01-01T00:00:00Z' }, 'time'],
      ['too old for any AWS retry', { scheduledTime: '2026-11-21T10:05:00Z' }, 'scheduledTime'],
      ['oversized', { time: 'x'.repeat(300_000) }, 'time'],
    ];
    for (const [label, event, field] of badTicks) {
      const error = await tick(event, lambdaContext(`bad-${label}`)).then(() => undefined, (e: unknown) => e);
      expect(error, label).toMatchObject({ name: 'InvalidTickEventError', code: 'INVALID_TICK_EVENT', field });
    }
    const badTaskEvents: [string, unknown, string | undefined][] = [
      ['malformed', { source: 'tickwork', 'detail-type': 'Tickwork Task Due', detail: { task: 'fan' } }, 'detail.version'],
      ['not Tickwork\'s', { ...taskEvent(detail), source: 'someone.else' }, 'source'],
      ['non-ISO time', taskEvent({ ...detail, at: '12' }), 'detail.at'],
      ['forged id', taskEvent({ ...detail, id: 'default/fan/2026-11-23T10:06:00.000Z' }), 'detail.id'],
      ['another deployment', taskEvent({ ...detail, deployment: 'prod', id: `prod/fan/${minute}` }), 'detail.deployment'],
      ['an inline task', taskEvent({ ...detail, task: 'inline', id: `default/inline/${minute}` }), 'detail.task'],
      ['oversized', taskEvent({ ...detail, payload: 'x'.repeat(300_000) }), 'detail'],
    ];
    for (const [label, event, field] of badTaskEvents) {
      const error = await worker(event, lambdaContext(`bad-${label}`)).then(() => undefined, (e: unknown) => e);
      expect(error, label).toMatchObject({ name: 'InvalidTaskEventError', code: 'INVALID_TASK_EVENT', field });
    }
    // A forged owner is refused by the start's condition: nothing runs, nothing changes.
    expect(await worker(taskEvent({ ...detail, owner: 'forged' }), lambdaContext('forged-owner'))).toMatchObject({ outcome: 'not-started' });

    expect(await scanAll(client, tableName)).toEqual(before);
  });
});

async function scanAll(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

