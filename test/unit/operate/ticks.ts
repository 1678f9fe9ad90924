import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchedule } from '../../../src/kernel/buildSchedule.js';
import type { Schedule } from '../../../src/kernel/Schedule.js';
import { localSinks } from '../../../src/runner/createTickHandler.js';
import { runTick, type TickReport } from '../../../src/runner/runTick.js';
import type { Store } from '../../../src/store/Store.js';
import kernel from '../../fixtures/operate-kernel.js';

const logger = new Logger({ logLevel: 'SILENT' });
const outputRoot = mkdtempSync(join(tmpdir(), 'tickwork-operate-'));

/** The operate fixture kernel, built in this process. */
export function operateSchedule(): Schedule {
  return buildSchedule(kernel as unknown as (schedule: Schedule) => void);
}

/** One tick for `minute`, in this process, as the request `tick@<minute>`; the clock reads the minute plus 100 ms. */
export function tickAt(schedule: Schedule, store: Store, minute: string): Promise<TickReport> {
  const at = new Date(minute);
  return runTick({
    tasks: schedule.compiled(),
    commands: schedule.commands,
    sinks: localSinks(outputRoot),
    stage: 'test',
    store,
    minute: at,
    owner: `tick@${minute}`,
    deadline: at.getTime() + 55_000,
    now: () => at.getTime() + 100,
    logger,
  });
}

/**
 * The timeline the operate tests share: `quiet` paused, ticks at 10:00–10:02, none at 10:03–10:05,
 * then 10:06 catches up (10:05 runs, 10:03–10:04 are coalesced).
 */
export async function operateTimeline(schedule: Schedule, store: Store): Promise<void> {
  await store.pause({ task: 'quiet', note: 'migrating', pausedAt: Date.parse('2026-11-23T09:59:00Z') });
  for (const minute of ['2026-11-23T10:00:00Z', '2026-11-23T10:01:00Z', '2026-11-23T10:02:00Z', '2026-11-23T10:06:00Z']) await tickAt(schedule, store, minute);
}
