import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidTickEventError } from '../../src/errors.js';
import { Schedule } from '../../src/kernel/Schedule.js';
import { createTickHandler, localSinks } from '../../src/runner/createTickHandler.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshTable, useLocalStore } from './dynamo.js';
import { clockAt, lambdaContext } from './lambdaContext.js';

const logger = new Logger({ logLevel: 'SILENT' });


describe('tick handler on DynamoDB Local', () => {
  const local = useLocalStore();

  it('runs every due slot exactly once when the same minute is delivered 20 times at once', async () => {
    const runs = new Map<string, number>();
    const schedule = new Schedule();
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      schedule.call(({ slot }) => void runs.set(`${name}@${slot}`, (runs.get(`${name}@${slot}`) ?? 0) + 1)).name(name).everyMinute();
    }
    schedule.call(() => void runs.set('never', 1)).name('hourly').cron('0 * * * *');
    const handler = createTickHandler({ schedule, store: local.store, logger, now: clockAt('2026-11-23T10:03:00Z') });

    for (const minute of ['2026-11-23T10:01:00Z', '2026-11-23T10:02:00Z']) {
      const reports = await Promise.all(
        Array.from({ length: 20 }, (_, i) => handler({ scheduledTime: minute }, lambdaContext(`${minute}-${i}`, 30_000))),
      );
      const ran = reports.flatMap((r) => r.ran).sort();
      expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
      const skipped = reports.flatMap((r) => r.skipped);
      expect(skipped).toHaveLength(5 * 19);
      expect(new Set(skipped.map((s) => s.reason))).toEqual(new Set(['already-claimed']));
    }
    expect([...runs.values()]).toEqual(Array(10).fill(1));
    expect(runs.has('never')).toBe(false);
    expect(await local.store.getRun('a', '2026-11-23T10:02:00.000Z')).toMatchObject({ status: 'succeeded' });
  });

  it('rejects an event that is not a schedule event and writes nothing', async () => {
    const { store: own, tableName } = await freshTable(local.client);
    const schedule = new Schedule();
    schedule.call(() => {}).name('any').everyMinute();
    const handler = createTickHandler({ schedule, store: own, logger });

    await expect(handler({ detail: 'no time here' }, lambdaContext('bad', 30_000))).rejects.toThrow(InvalidTickEventError);
    await expect(handler({ time: 'not-a-date' }, lambdaContext('bad-2', 30_000))).rejects.toThrow('"time" must be an ISO-8601 timestamp');

    const { Count } = await local.client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true }));
    expect(Count).toBe(0);
  });
});

describe('tick handler actions and output on DynamoDB Local', () => {
  const local = useLocalStore();

  it('runs an exec task and keeps the tail of its output on the run record', async () => {
    const schedule = new Schedule();
    schedule.exec('for i in $(seq 1 2000); do echo "line $i"; done').name('chatty');
    schedule.exec(['sh', '-c', 'echo "cannot connect" >&2; exit 2']).name('broken');
    const handler = createTickHandler({ schedule, store: local.store, logger, now: clockAt('2026-11-23T11:00:01Z'), sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-'))) });

    const report = await handler({ time: '2026-11-23T11:00:00Z' }, lambdaContext('exec', 30_000));

    expect(report.ran).toEqual(['chatty']);
    expect(report.failed).toEqual([{ name: 'broken', error: 'CommandFailedError: Command "sh -c echo "cannot connect" >&2; exit 2" exited with code 2: cannot connect' }]);
    const chatty = await local.store.getRun('chatty', '2026-11-23T11:00:00.000Z');
    expect(chatty?.output?.startsWith('…[')).toBe(true); // truncated: the head was dropped
    expect(chatty?.output?.endsWith('line 2000\n')).toBe(true);
    expect(Buffer.byteLength(chatty?.output ?? '')).toBeLessThan(4096 + 64);
    expect(await local.store.getRun('broken', '2026-11-23T11:00:00.000Z')).toMatchObject({ status: 'failed', output: 'cannot connect\n' });
  });
});

describe('a crashed lease holder on DynamoDB Local', () => {
  const local = useLocalStore();

  it('blocks its task only until the lease deadline; then the next slot runs', async () => {
    const runs: string[] = [];
    const schedule = new Schedule();
    schedule.call(({ slot }) => void runs.push(slot.slice(11, 16))).name('exclusive').everyMinute().withoutOverlapping();
    const at = (iso: string) => Date.parse(iso);
    // A run of 10:00 took the lease until 10:02:30 and then died without releasing it.
    await local.store.acquireLease({ task: 'exclusive', owner: 'crashed', slot: '2026-11-23T10:00:00.000Z', now: at('2026-11-23T10:00:00Z'), expiresAt: at('2026-11-23T10:02:30Z') });
    const tickAt = (iso: string) => createTickHandler({ schedule, store: local.store, logger, now: () => at(iso) + 500, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-'))) })({ time: iso }, lambdaContext(iso, 30_000));

    const blocked = [await tickAt('2026-11-23T10:01:00Z'), await tickAt('2026-11-23T10:02:00Z')];
    const freed = await tickAt('2026-11-23T10:03:00Z');

    expect(blocked.flatMap((r) => r.skipped)).toEqual([{ name: 'exclusive', reason: 'overlapping' }, { name: 'exclusive', reason: 'overlapping' }]);
    expect(freed.ran).toEqual(['exclusive']);
    expect(runs).toEqual(['10:03']);
    expect(await local.store.getRun('exclusive', '2026-11-23T10:01:00.000Z')).toMatchObject({ status: 'skipped', reason: 'overlapping' });
    // The stale owner's late release changes nothing.
    expect(await local.store.releaseLease('exclusive', 'crashed')).toBe(false);
  });
});
