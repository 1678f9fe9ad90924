import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { taskEvent } from '../../../src/dispatch/Dispatcher.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { createTaskHandler } from '../../../src/runner/createTaskHandler.js';
import { createTickHandler } from '../../../src/runner/createTickHandler.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { captureJsonLines, lambdaContext } from '../metrics/emf.js';

const TICK = '2026-11-23T10:15:00.000Z';

/** The JSON lines a Powertools Logger prints on stdout while `work` runs (as CloudWatch Logs receives them). */
const logLines = (work: () => Promise<unknown>) => captureJsonLines(work);

const outcomes = (lines: Record<string, unknown>[]) => lines.filter((line) => typeof line.message === 'string' && line.message.startsWith('task ') && 'outcome' in line);

describe('one JSON log line per outcome', () => {
  it('the tick: task, slot, run id, attempt, lateness, outcome and reason', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('ok').everyMinute();
    schedule.call(() => { throw new Error('boom'); }).name('broken').everyMinute();
    schedule.call(() => {}).name('off').everyMinute().when(false);
    const store = new MemoryStore('prod');
    const handler = createTickHandler({ schedule, store, deployment: 'prod', stage: 'prod', logger: new Logger({ serviceName: 'test', logLevel: 'INFO' }), metrics: false, now: () => Date.parse(TICK) + 1_500 });

    const lines = outcomes(await logLines(() => handler({ scheduledTime: TICK }, lambdaContext('tick-req-1'))));

    const byTask = Object.fromEntries(lines.map((line) => [line.task, line]));
    expect(Object.keys(byTask).sort()).toEqual(['broken', 'off', 'ok']);
    expect(byTask.ok).toMatchObject({ level: 'INFO', message: 'task ran', task: 'ok', slot: TICK, runId: 'tick-req-1', attempt: 1, latenessMs: 1_500, outcome: 'ran' });
    expect(byTask.broken).toMatchObject({ message: 'task failed', slot: TICK, runId: 'tick-req-1', attempt: 1, latenessMs: 1_500, outcome: 'failed', error: 'Error: boom' });
    expect(byTask.off).toMatchObject({ message: 'task skipped', slot: TICK, runId: 'tick-req-1', attempt: 1, outcome: 'skipped', reason: 'when-false' });
    expect(lines).toHaveLength(3);
  });

  it('the worker: the run id is its own invocation, the attempt its start count', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('remote').everyMinute().onLambda({ timeout: 60 });
    const store = new MemoryStore('prod');
    const dispatcher = new MemoryDispatcher();
    const now = () => Date.parse(TICK) + 2_000;
    const quiet = new Logger({ logLevel: 'SILENT' });
    await createTickHandler({ schedule, store, dispatcher, deployment: 'prod', stage: 'prod', logger: quiet, metrics: false, now })({ scheduledTime: TICK }, lambdaContext('tick-req-2'));
    const worker = createTaskHandler({ schedule, store, deployment: 'prod', logger: new Logger({ serviceName: 'test', logLevel: 'INFO' }), metrics: false, now });

    const lines = outcomes(await logLines(() => worker(taskEvent(dispatcher.sent[0]!), lambdaContext('worker-req-1'))));

    expect(lines).toEqual([expect.objectContaining({ message: 'task ran', task: 'remote', slot: TICK, runId: 'worker-req-1', attempt: 1, latenessMs: 2_000, outcome: 'ran' })]);
  });
});
