/**
 * The names Tickwork's CloudWatch metrics are published and alarmed under. One table for the emitter
 * (`tickMetrics.ts`, `taskMetrics.ts`) and the stack (`infra/alarms.ts`): an alarm on a name the code
 * never emits would sit in INSUFFICIENT_DATA forever, silently. No AWS SDK or Powertools import here,
 * so the Serverless plugin can load it.
 */

/** The CloudWatch namespace of every Tickwork metric. */
export const METRICS_NAMESPACE = 'Tickwork';

/**
 * Metric names. `Tasks*`, `SlotsMissed`, `SlotsLost`, `Undispatched`, `ClaimConflicts` are deployment-wide
 * counts (dimension `service` only, plus `reason` for the per-reason breakdowns); `Task*` are per
 * task (dimension `task`, whose values the kernel bounds).
 */
export const METRIC = {
  /** Slots due this tick: the minute's own, caught-up and queued ones. */
  tasksDue: 'TasksDue',
  /** Runs that succeeded: inline ones from the tick, fan-out ones from their worker. */
  tasksRun: 'TasksRun',
  /** Runs that failed or timed out, wherever they ran. The `task failures` alarm watches this. */
  tasksFailed: 'TasksFailed',
  /** Due slots not started; with dimension `reason` (a `SKIP_REASON`) and as a total. */
  tasksSkipped: 'TasksSkipped',
  /** Fan-out slots whose event was sent to their Lambda. */
  tasksDispatched: 'TasksDispatched',
  /** Slots that will never run (catch-up policy, window); with dimension `reason` (a `MISS_REASON`) and as a total. */
  slotsMissed: 'SlotsMissed',
  /**
   * Slots missed with nothing run in their place: `SlotsMissed` less the `coalesced` ones (a later slot
   * of the same catch-up ran for those). The missed-slots alarm watches this, so a catch-up under the
   * default policy does not page anyone.
   */
  slotsLost: 'SlotsLost',
  /** Fan-out slots whose event could not be sent after every retry. */
  undispatched: 'Undispatched',
  /** Slots another invocation had already claimed (duplicate or retried deliveries of the tick). */
  claimConflicts: 'ClaimConflicts',
  /** When the tick Lambda received its event, minus the scheduled minute it evaluates. */
  tickLatenessMs: 'TickLatenessMs',
  /** How long a run took, per task: an inline one in the tick, a fan-out one in its worker. */
  taskDurationMs: 'TaskDurationMs',
  /** 1 for a failed run, 0 for a successful one, per task (inline or fan-out): its average is the failure rate. */
  taskFailed: 'TaskFailed',
  /**
   * Successful runs of a task declared `monitor({ grace })`, per task, inline or fan-out: its stack
   * alarm fires when there are none for the task's interval plus its grace. Only monitored tasks emit
   * it, so a kernel pays for one custom metric per task it asked to watch.
   */
  taskSucceeded: 'TaskSucceeded',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimension names. `service` carries the deployment id (`custom.tickwork.deployment`, default the stage). */
export const DIMENSION = {
  service: 'service',
  reason: 'reason',
  task: 'task',
} as const;
