import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Schedule } from '../../src/kernel/Schedule.js';
import { createTickHandler, localSinks } from '../../src/runner/createTickHandler.js';
import { useLocalStore } from './dynamo.js';
import { clockAt, lambdaContext } from './lambdaContext.js';

const TICKS_PER_MINUTE = 50;
const MINUTES = 10;

/**
 * docs/design.md "A slot never starts twice": EventBridge may deliver a tick many times, and every copy
 * races the others through real DynamoDB conditional writes.
 */
describe('50 concurrent ticks per minute, 30 tasks, 10 minutes, on DynamoDB Local', () => {
  const local = useLocalStore();

  it('starts every due slot exactly once', async () => {
    const starts = new Map<string, number>();
    const schedule = new Schedule();
    for (let i = 0; i < 30; i++) {
      const task = schedule.call(({ name, slot }) => void starts.set(`${name}@${slot}`, (starts.get(`${name}@${slot}`) ?? 0) + 1)).name(`task-${i}`);
      if (i % 3 === 1) task.everyTwoMinutes();
      if (i % 3 === 2) task.everyFiveMinutes().withoutOverlapping();
    }
    const first = Date.parse('2026-11-23T10:00:00Z');
    const now = clockAt(new Date(first + MINUTES * 60_000).toISOString());
    const handler = createTickHandler({ schedule, store: local.store, logger: new Logger({ logLevel: 'SILENT' }), now, sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-'))) });

    for (let m = 0; m < MINUTES; m++) {
      const time = new Date(first + m * 60_000).toISOString();
      const reports = await Promise.all(
        Array.from({ length: TICKS_PER_MINUTE }, (_, i) => handler({ scheduledTime: time }, lambdaContext(`${time}-${i}`))),
      );
      // Across all copies of the tick, each due task ran once and was skipped as already claimed 49 times.
      const due = new Set(reports.flatMap((r) => r.due)).size;
      expect(reports.flatMap((r) => r.ran)).toHaveLength(due);
      expect(reports.flatMap((r) => r.skipped).every((s) => s.reason === 'already-claimed')).toBe(true);
    }

    const expected = schedule.occurrences(new Date(first), new Date(first + MINUTES * 60_000));
    expect(expected).toHaveLength(10 * 10 + 10 * 5 + 10 * 2);
    expect(new Set(starts.keys())).toEqual(new Set(expected.map((o) => `${o.name}@${o.at.toISOString()}`)));
    expect([...starts.values()].every((n) => n === 1)).toBe(true);
    const records = await Promise.all(expected.map((o) => local.store.getRun(o.name, o.at.toISOString())));
    expect(records.every((r) => r?.status === 'succeeded')).toBe(true);
  });
});
