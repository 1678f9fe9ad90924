import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskEvent } from '../../../src/dispatch/Dispatcher.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { buildSchedule } from '../../../src/kernel/buildSchedule.js';
import type { Schedule } from '../../../src/kernel/Schedule.js';
import { zonesCheckedAtPackage } from '../../../src/kernel/timeZones.js';
import { createTaskHandler } from '../../../src/runner/createTaskHandler.js';
import { runTick } from '../../../src/runner/runTick.js';
import { localSinks } from '../../../src/runner/sinks.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { lambdaContext } from '../../integration/lambdaContext.js';

const logger = new Logger({ logLevel: 'SILENT' });
const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tickwork-zone-')));
const at = (minute: number) => new Date(Date.parse('2026-11-30T10:00:00Z') + minute * 60_000);

/** A kernel that reads a task's zone from the environment, built as a Lambda builds it (zones as packaged). */
function lambdaSchedule(zone: string): Schedule {
  return zonesCheckedAtPackage(() =>
    buildSchedule((s) => {
      s.call(() => {}).name('every-minute').everyMinute();
      s.call(() => {}).name('report').everyMinute().timezone(zone).onLambda({}).withoutOverlapping();
    }),
  );
}

function tick(schedule: Schedule, store: MemoryStore, dispatcher: MemoryDispatcher, minute: number) {
  return runTick({
    tasks: schedule.compiled(), commands: schedule.commands, sinks, stage: 'test', store, dispatcher, deployment: 'blue',
    minute: at(minute), owner: `tick-${minute}`, deadline: at(minute).getTime() + 55_000, now: () => at(minute).getTime() + 500, logger,
  });
}

describe('a zone ICU refuses at run time, in a Lambda that took its kernel\'s zones as packaged (docs/design.md "Time zones")', () => {
  it('fails the tick before it writes anything, and the first tick that can evaluate the minute catches it up', async () => {
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(lambdaSchedule('Europe/Paris'), store, dispatcher, 0);
    await expect(tick(lambdaSchedule('Europe/Pariss'), store, dispatcher, 1)).rejects.toMatchObject({ code: 'INVALID_TIME_ZONE', message: expect.stringContaining('"Europe/Pariss"') });
    const report = await tick(lambdaSchedule('Europe/Paris'), store, dispatcher, 2);
    // 10:01 was left undecided, so 10:02's tick decided it: run, or summarised missed with a reason.
    const slot = at(1).toISOString();
    const missed = report.missed.some((m) => m.name === 'every-minute' && m.from <= slot && slot <= m.to);
    expect(missed || (await store.getRun('every-minute', slot)) !== undefined).toBe(true);
  });

  it('a task function records the slot failed with the error before starting it, frees its lease, and fails the event (for the dead-letter queue)', async () => {
    const store = new MemoryStore('blue');
    const dispatcher = new MemoryDispatcher();
    await tick(lambdaSchedule('Europe/Paris'), store, dispatcher, 0);
    const event = dispatcher.sent.find((e) => e.task === 'report')!;
    const handler = createTaskHandler({ schedule: lambdaSchedule('Mars/Olympus'), store, deployment: 'blue', sinks, logger, now: () => at(0).getTime() + 2_000 });
    await expect(handler(taskEvent(event), lambdaContext('worker-1'))).rejects.toMatchObject({ code: 'INVALID_TIME_ZONE' });
    expect(await store.getRun('report', event.slot)).toMatchObject({ status: 'failed', error: expect.stringContaining('"Mars/Olympus"') });
    // The tick's lease on the task is free: the next slot is not held back as overlapping.
    expect(await store.acquireLease({ task: 'report', owner: 'tick-1', slot: at(1).toISOString(), now: at(1).getTime(), expiresAt: at(1).getTime() + 60_000 })).toMatchObject({ acquired: true });
    // Lambda's retry of the event fails the same way and changes nothing.
    await expect(handler(taskEvent(event), lambdaContext('worker-1'))).rejects.toMatchObject({ code: 'INVALID_TIME_ZONE' });
    expect(await store.getRun('report', event.slot)).toMatchObject({ status: 'failed' });
  });
});
