import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TickReport } from '../runner/runTick.js';
import type { RecordedRun } from '../runner/RunContext.js';
import { MISS_REASON, SKIP_REASON } from '../vocabulary.js';
import { countBy, publishBlobs, type MetricBlob } from './MetricBlob.js';
import { DIMENSION, METRIC } from './names.js';

const { Count, Milliseconds } = MetricUnit;

/**
 * The EMF documents one tick's report becomes. The first carries the deployment-wide counts — every
 * one of them, zeros included, so graphs and the `SlotsMissed`/`TasksFailed` alarms always have a
 * data point a minute — and the tick's lateness; then one per skip reason and one per miss reason
 * present, each with dimension `reason` (bounded by `SKIP_REASON`/`MISS_REASON`). Pure.
 *
 * @param receivedAt when the tick Lambda received its event (epoch ms): lateness is measured from
 *   the scheduled minute to there, before any I/O, so a slow table does not read as a late tick.
 * @param monitored names of the tasks declared `monitor()`: each one that ran gets a `TaskSucceeded`
 *   document with dimension `task`.
 *
 * @example
 * tickMetricBlobs(report, Date.parse('2026-01-05T10:00:01.250Z'))[0]
 * // { dimensions: {}, metrics: [{ name: 'TasksDue', unit: 'Count', value: 3 }, …, { name: 'TickLatenessMs', unit: 'Milliseconds', value: 1250 }] }
 */
export function tickMetricBlobs(report: TickReport, receivedAt: number, monitored: ReadonlySet<string> = new Set(), inlineRuns: readonly RecordedRun[] = []): MetricBlob[] {
  const missed = report.missed.reduce((sum, m) => sum + m.count, 0);
  const totals: MetricBlob = {
    dimensions: {},
    metrics: [
      { name: METRIC.tasksDue, unit: Count, value: report.due.length },
      { name: METRIC.tasksRun, unit: Count, value: report.ran.length },
      { name: METRIC.tasksFailed, unit: Count, value: report.failed.length },
      { name: METRIC.tasksSkipped, unit: Count, value: report.skipped.length },
      { name: METRIC.tasksDispatched, unit: Count, value: report.dispatched.length },
      { name: METRIC.slotsMissed, unit: Count, value: missed },
      { name: METRIC.slotsLost, unit: Count, value: report.missed.filter((m) => m.reason !== MISS_REASON.coalesced).reduce((sum, m) => sum + m.count, 0) },
      { name: METRIC.undispatched, unit: Count, value: report.undispatched.length },
      { name: METRIC.claimConflicts, unit: Count, value: report.skipped.filter((s) => s.reason === SKIP_REASON.alreadyClaimed).length },
      { name: METRIC.tickLatenessMs, unit: Milliseconds, value: Math.max(0, receivedAt - Date.parse(report.tick)) },
    ],
  };
  const byReason = (name: typeof METRIC.tasksSkipped | typeof METRIC.slotsMissed, counts: Map<string, number>): MetricBlob[] =>
    [...counts].map(([reason, value]) => ({ dimensions: { [DIMENSION.reason]: reason }, metrics: [{ name, unit: Count, value }] }));
  return [
    totals,
    ...byReason(METRIC.tasksSkipped, countBy(report.skipped, (s) => s.reason)),
    ...byReason(METRIC.slotsMissed, countBy(report.missed, (m) => m.reason, (m) => m.count)),
    ...[...countBy(report.ran.filter((name) => monitored.has(name)), (name) => name)].map(([task, value]) => ({
      dimensions: { [DIMENSION.task]: task },
      metrics: [{ name: METRIC.taskSucceeded, unit: Count, value }],
    })),
    // Inline runs, per task, as a fan-out worker reports its own (`taskRunBlobs`): duration, and TaskFailed
    // 0/1 — not for a run stopped for a newer slot.
    ...inlineRuns.map((run) => ({
      dimensions: { [DIMENSION.task]: run.task },
      metrics: [
        { name: METRIC.taskDurationMs, unit: Milliseconds, value: run.durationMs },
        ...(run.status === 'replaced' ? [] : [{ name: METRIC.taskFailed, unit: Count, value: run.status === 'succeeded' ? 0 : 1 }]),
      ],
    })),
  ];
}

/** Prints one tick's metrics as EMF lines (see `tickMetricBlobs`); nothing when `metrics` is undefined. */
export function publishTickMetrics(metrics: Metrics | undefined, report: TickReport, receivedAt: number, monitored?: ReadonlySet<string>, inlineRuns?: readonly RecordedRun[]): void {
  publishBlobs(metrics, tickMetricBlobs(report, receivedAt, monitored, inlineRuns));
}
