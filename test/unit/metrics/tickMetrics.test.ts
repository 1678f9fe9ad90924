import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { createMetrics } from '../../../src/metrics/createMetrics.js';
import { publishTickMetrics, tickMetricBlobs } from '../../../src/metrics/tickMetrics.js';
import { createTickHandler } from '../../../src/runner/createTickHandler.js';
import type { TickReport } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import { MISS_REASON, SKIP_REASON } from '../../../src/vocabulary.js';
import { captureEmf, emittingMetrics, lambdaContext, valuesOf } from './emf.js';

const TICK = '2026-11-23T10:15:00.000Z';

const report: TickReport = {
  tick: TICK,
  evaluated: true,
  due: ['a', 'b', 'c', 'd', 'e', 'f'],
  ran: ['a'],
  failed: [{ name: 'b', error: 'boom' }],
  skipped: [
    { name: 'c', reason: SKIP_REASON.alreadyClaimed },
    { name: 'd', reason: SKIP_REASON.paused },
    { name: 'e', reason: SKIP_REASON.alreadyClaimed },
  ],
  dispatched: ['f'],
  undispatched: [{ name: 'g', slot: TICK, attempt: 1, error: 'throttled', requeued: true }],
  missed: [
    { name: 'h', from: '2026-11-23T10:10:00.000Z', to: '2026-11-23T10:13:00.000Z', count: 4, reason: MISS_REASON.coalesced },
    { name: '*', from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T00:01:00.000Z', count: 2, reason: MISS_REASON.notEvaluated },
    { name: 'i', from: '2026-11-23T10:12:00.000Z', to: '2026-11-23T10:12:00.000Z', count: 1, reason: MISS_REASON.coalesced },
  ],
  queued: 0,
  retried: 0,
};

describe('tick metrics', () => {
  it('a monitor() task that ran gets a TaskSucceeded document with its name; others do not', () => {
    const ran = { tick: TICK, evaluated: true, due: ['a', 'b', 'a'], missed: [], ran: ['a', 'b', 'a'], failed: [], skipped: [], dispatched: [], undispatched: [], queued: 0, retried: 0 };
    const blobs = tickMetricBlobs(ran, Date.parse(TICK), new Set(['a']));
    expect(blobs.filter((b) => b.metrics.some((m) => m.name === 'TaskSucceeded'))).toEqual([
      { dimensions: { task: 'a' }, metrics: [{ name: 'TaskSucceeded', unit: 'Count', value: 2 }] },
    ]);
  });

  it('maps a report to totals (zeros included), then one blob per skip reason and per miss reason', () => {
    const [totals, ...byReason] = tickMetricBlobs(report, Date.parse(TICK) + 1_250);
    expect(totals!.dimensions).toEqual({});
    expect(Object.fromEntries(totals!.metrics.map((m) => [m.name, [m.unit, m.value]]))).toEqual({
      TasksDue: ['Count', 6], TasksRun: ['Count', 1], TasksFailed: ['Count', 1], TasksSkipped: ['Count', 3], TasksDispatched: ['Count', 1],
      SlotsMissed: ['Count', 7], SlotsLost: ['Count', 2], Undispatched: ['Count', 1], ClaimConflicts: ['Count', 2], TickLatenessMs: ['Milliseconds', 1_250],
    });
    expect(byReason.map((b) => [b.dimensions, b.metrics.map((m) => [m.name, m.value])])).toEqual([
      [{ reason: 'already-claimed' }, [['TasksSkipped', 2]]],
      [{ reason: 'paused' }, [['TasksSkipped', 1]]],
      [{ reason: 'coalesced' }, [['SlotsMissed', 5]]],
      [{ reason: 'not-evaluated' }, [['SlotsMissed', 2]]],
    ]);
  });

  it('reports zeros for a quiet tick, so graphs and alarms get a data point every minute', () => {
    const quiet: TickReport = { ...report, due: [], ran: [], failed: [], skipped: [], dispatched: [], undispatched: [], missed: [] };
    const blobs = tickMetricBlobs(quiet, Date.parse(TICK) + 80);
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!.metrics.filter((m) => m.unit === 'Count').every((m) => m.value === 0)).toBe(true);
  });

  it('prints real EMF: namespace Tickwork, dimension service = the deployment, reasons as their own dimension', async () => {
    const docs = await captureEmf(() => publishTickMetrics(emittingMetrics('prod'), report, Date.parse(TICK) + 1_250));
    expect(docs).toHaveLength(5);
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('Tickwork');
      expect(doc.service).toBe('prod');
      expect(typeof doc._aws.Timestamp).toBe('number');
    }
    const [totals, claimed, paused, coalesced, notEvaluated] = docs;
    expect(totals!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(valuesOf(totals!)).toMatchObject({ TasksDue: ['Count', 6], SlotsMissed: ['Count', 7], ClaimConflicts: ['Count', 2], TickLatenessMs: ['Milliseconds', 1_250] });
    expect(claimed!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'reason']]);
    expect(claimed).toMatchObject({ service: 'prod', reason: 'already-claimed', TasksSkipped: 2 });
    // Dimensions are per document: one reason's value never leaks into the next document.
    expect(paused).toMatchObject({ reason: 'paused', TasksSkipped: 1 });
    expect(coalesced).toMatchObject({ reason: 'coalesced', SlotsMissed: 5 });
    expect(notEvaluated).toMatchObject({ reason: 'not-evaluated', SlotsMissed: 2 });
    expect(notEvaluated).not.toHaveProperty('TasksSkipped');
  });

  it('prints nothing when metrics are off', async () => {
    expect(await captureEmf(() => publishTickMetrics(undefined, report, Date.parse(TICK)))).toEqual([]);
    expect(createMetrics('prod', { IS_OFFLINE: 'true' })).toBeUndefined();
    expect(createMetrics('prod', { IS_OFFLINE: 'true', POWERTOOLS_METRICS_DISABLED: 'false' })).toBeDefined();
  });

  it('is what a real tick prints: lateness from receipt, failures and skips from its runs', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('ok').everyMinute();
    schedule.call(() => { throw new Error('boom'); }).name('broken').everyMinute();
    schedule.call(() => {}).name('off').everyMinute().when(false);
    const received = Date.parse(TICK) + 2_500;
    const handler = createTickHandler({
      schedule,
      store: new MemoryStore('prod'),
      deployment: 'prod',
      stage: 'prod',
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: emittingMetrics('prod'),
      now: () => received,
    });
    const docs = await captureEmf(() => handler({ scheduledTime: TICK }, lambdaContext()));
    expect(valuesOf(docs[0]!)).toMatchObject({
      TasksDue: ['Count', 3], TasksRun: ['Count', 1], TasksFailed: ['Count', 1], TasksSkipped: ['Count', 1], TickLatenessMs: ['Milliseconds', 2_500],
    });
    expect(docs[1]).toMatchObject({ service: 'prod', reason: 'when-false', TasksSkipped: 1 });
    // Each inline run, per task, as a fan-out worker reports its own: its duration, and whether it failed.
    const perTask = new Map(docs.filter((doc) => typeof doc.task === 'string').map((doc) => [doc.task, doc]));
    expect(perTask.get('ok')).toMatchObject({ service: 'prod', TaskDurationMs: expect.any(Number), TaskFailed: 0 });
    expect(perTask.get('broken')).toMatchObject({ service: 'prod', TaskDurationMs: expect.any(Number), TaskFailed: 1 });
    expect(perTask.has('off')).toBe(false);
  });
});
