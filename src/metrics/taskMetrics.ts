import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SlotResult } from '../runner/RunContext.js';
import { publishBlobs, type MetricBlob } from './MetricBlob.js';
import { DIMENSION, METRIC } from './names.js';

const { Count, Milliseconds } = MetricUnit;


/**
 * The EMF documents one fan-out run becomes: per task (dimension `task`), its duration and
 * `TaskFailed` 0/1; and the deployment-wide `TasksRun`/`TasksFailed`/`TasksSkipped` the tick also
 * counts for inline runs — the tick only knows a fan-out slot was dispatched, so its worker adds the
 * outcome, and one `TasksFailed` alarm covers both kinds of task. A run stopped for a newer slot
 * (`replaced`) is neither: only its duration is kept. A worker never dispatches: `dispatch` gives
 * nothing. Pure.
 *
 * @param durationMs how long the run took; omitted for a run that was found abandoned, not timed.
 * @param monitored the task is declared `monitor()`: a success also counts `TaskSucceeded` for its alarm.
 *
 * @example
 * taskRunBlobs({ kind: 'failed', name: 'invoices:export', error: 'boom' }, 812)
 * // [{ dimensions: { task: 'invoices:export' }, metrics: [TaskDurationMs 812, TaskFailed 1] },
 * //  { dimensions: {}, metrics: [TasksFailed 1] }]
 */
export function taskRunBlobs(result: SlotResult, durationMs?: number, monitored = false): MetricBlob[] {
  if (result.kind === 'dispatch') return [];
  if (result.kind === 'skipped') {
    return [{ dimensions: { [DIMENSION.reason]: result.reason }, metrics: [{ name: METRIC.tasksSkipped, unit: Count, value: 1 }] }];
  }
  const replaced = result.kind === 'failed' && result.replaced === true;
  const failed = result.kind === 'failed' && !replaced;
  const perTask: MetricBlob = {
    dimensions: { [DIMENSION.task]: result.name },
    metrics: [
      ...(durationMs === undefined ? [] : [{ name: METRIC.taskDurationMs, unit: Milliseconds, value: durationMs }]),
      ...(replaced ? [] : [{ name: METRIC.taskFailed, unit: Count, value: failed ? 1 : 0 }]),
      ...(monitored && result.kind === 'ran' ? [{ name: METRIC.taskSucceeded, unit: Count, value: 1 }] : []),
    ],
  };
  if (replaced) return [perTask];
  return [perTask, { dimensions: {}, metrics: [{ name: failed ? METRIC.tasksFailed : METRIC.tasksRun, unit: Count, value: 1 }] }];
}

/** Prints one fan-out run's metrics as EMF lines (see `taskRunBlobs`); nothing when `metrics` is undefined. */
export function publishTaskRun(metrics: Metrics | undefined, result: SlotResult, durationMs?: number, monitored = false): void {
  publishBlobs(metrics, taskRunBlobs(result, durationMs, monitored));
}
