import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { taskEvent } from '../../../src/dispatch/Dispatcher.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { publishTaskRun, taskRunBlobs } from '../../../src/metrics/taskMetrics.js';
import { createTaskHandler } from '../../../src/runner/createTaskHandler.js';
import { createTickHandler } from '../../../src/runner/createTickHandler.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { SKIP_REASON } from '../../../src/vocabulary.js';
import { captureEmf, emittingMetrics, lambdaContext, valuesOf } from './emf.js';

const TICK = '2026-11-23T10:15:00.000Z';
const logger = new Logger({ logLevel: 'SILENT' });

describe('task worker metrics', () => {
  it.each([
    ['ran', { kind: 'ran', name: 'export' } as const, 40, [{ task: 'export' }, { TaskDurationMs: 40, TaskFailed: 0 }], { TasksRun: 1 }],
    ['failed', { kind: 'failed', name: 'export', error: 'boom' } as const, 40, [{ task: 'export' }, { TaskDurationMs: 40, TaskFailed: 1 }], { TasksFailed: 1 }],
    ['abandoned (not timed)', { kind: 'failed', name: 'export', error: 'gone', abandoned: true } as const, undefined, [{ task: 'export' }, { TaskFailed: 1 }], { TasksFailed: 1 }],
  ])('%s: per task duration and TaskFailed, and the deployment-wide outcome count', (_label, result, duration, [dimensions, perTask], total) => {
    const blobs = taskRunBlobs(result, duration);
    expect(blobs.map((b) => [b.dimensions, Object.fromEntries(b.metrics.map((m) => [m.name, m.value]))])).toEqual([[dimensions, perTask], [{}, total]]);
  });

  it('a monitor() task\'s success also counts TaskSucceeded for its alarm; a failure does not', () => {
    const perTask = (result: Parameters<typeof taskRunBlobs>[0], monitored: boolean) => taskRunBlobs(result, 5, monitored)[0]!.metrics.map((m) => m.name);
    expect(perTask({ kind: 'ran', name: 'export' }, true)).toEqual(['TaskDurationMs', 'TaskFailed', 'TaskSucceeded']);
    expect(perTask({ kind: 'ran', name: 'export' }, false)).toEqual(['TaskDurationMs', 'TaskFailed']);
    expect(perTask({ kind: 'failed', name: 'export', error: 'boom' }, true)).toEqual(['TaskDurationMs', 'TaskFailed']);
  });

  it('a replaced run is neither a success nor a failure; a skipped one counts under its reason', () => {
    expect(taskRunBlobs({ kind: 'failed', name: 'feed', error: 'replaced', replaced: true }, 12)).toEqual([
      { dimensions: { task: 'feed' }, metrics: [{ name: 'TaskDurationMs', unit: 'Milliseconds', value: 12 }] },
    ]);
    expect(taskRunBlobs({ kind: 'skipped', name: 'feed', reason: SKIP_REASON.overlapping })).toEqual([
      { dimensions: { reason: 'overlapping' }, metrics: [{ name: 'TasksSkipped', unit: 'Count', value: 1 }] },
    ]);
  });

  it('prints EMF with the task as a dimension beside service', async () => {
    const docs = await captureEmf(() => publishTaskRun(emittingMetrics('prod'), { kind: 'failed', name: 'invoices:export', error: 'boom' }, 812));
    expect(docs).toHaveLength(2);
    const [perTask, total] = docs;
    expect(perTask!._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'Tickwork',
      Dimensions: [['service', 'task']],
      Metrics: [{ Name: 'TaskDurationMs', Unit: 'Milliseconds' }, { Name: 'TaskFailed', Unit: 'Count' }],
    }]);
    expect(perTask).toMatchObject({ service: 'prod', task: 'invoices:export', TaskDurationMs: 812, TaskFailed: 1 });
    expect(total!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(valuesOf(total!)).toEqual({ TasksFailed: ['Count', 1] });
    expect(total).not.toHaveProperty('task');
  });

  it('is what a real worker prints for the run the tick dispatched to it', async () => {
    const schedule = new Schedule();
    schedule.call(() => { throw new Error('boom'); }).name('invoices:export').everyMinute().onLambda({ timeout: 60 });
    const store = new MemoryStore('prod');
    const dispatcher = new MemoryDispatcher();
    const now = () => Date.parse(TICK) + 1_000;
    const tick = createTickHandler({ schedule, store, dispatcher, deployment: 'prod', stage: 'prod', logger, metrics: false, now });
    await tick({ scheduledTime: TICK }, lambdaContext('tick-1'));
    const worker = createTaskHandler({ schedule, store, deployment: 'prod', logger, metrics: emittingMetrics('prod'), now });

    const docs = await captureEmf(() => worker(taskEvent(dispatcher.sent[0]!), lambdaContext('worker-1')).catch(() => undefined));
    expect(docs.map((doc) => doc._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([[['service', 'task']], [['service']]]);
    expect(docs[0]).toMatchObject({ service: 'prod', task: 'invoices:export', TaskFailed: 1, TaskDurationMs: 0 });
    expect(docs[1]).toMatchObject({ service: 'prod', TasksFailed: 1 });
  });
});
