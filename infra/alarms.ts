/**
 * The CloudWatch side of a Tickwork stack: alarms on the tick and the runs, the SNS topic they
 * notify, and a dashboard of Tickwork's metrics (`src/metrics/names.ts`). The plugin merges these
 * resources into the service's stack; `custom.tickwork.alarms: false` leaves all of them out.
 *
 * | alarm (logical id)              | metric                                          | fires when                     |
 * |---------------------------------|-------------------------------------------------|--------------------------------|
 * | `TickworkTickErrorsAlarm`       | AWS/Lambda `Errors` of the tick                 | ≥ 1 in a minute                |
 * | `TickworkTickSilentAlarm`       | AWS/Lambda `Invocations` of the tick            | < 1 in each of 3 minutes; no data counts |
 * | `TickworkDeadLettersAlarm`      | AWS/SQS `ApproximateNumberOfMessagesVisible`    | ≥ 1 (only with fan-out tasks)  |
 * | `TickworkTaskFailuresAlarm`     | Tickwork `TasksFailed`                          | ≥ 1 in a minute                |
 * | `TickworkMissedSlotsAlarm`      | Tickwork `SlotsLost` (missed, not coalesced)    | ≥ 1 in a minute                |
 * | `TickworkUndispatchedAlarm`     | Tickwork `Undispatched`                         | ≥ 1 in each of 3 minutes (only with fan-out tasks) |
 * | `TickworkNotSucceeded<Task><hash>Alarm`, per `monitor()` task | Tickwork `TaskSucceeded` (`task`) | < 1 in its interval + grace; no data counts |
 */
import { createHash } from 'node:crypto';
import { DEAD_LETTER_QUEUE_ID } from '../src/infra/fanOutInfrastructure.js';
import type { MonitoredTask } from '../src/infra/monitoredTasks.js';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../src/metrics/names.js';
import type { TickworkOptions } from './options.js';

/** CloudFormation logical ids of the resources `alarmResources` returns. */
export const ALARM_IDS = {
  topic: 'TickworkAlarmTopic',
  tickErrors: 'TickworkTickErrorsAlarm',
  tickSilent: 'TickworkTickSilentAlarm',
  deadLetters: 'TickworkDeadLettersAlarm',
  taskFailures: 'TickworkTaskFailuresAlarm',
  missedSlots: 'TickworkMissedSlotsAlarm',
  undispatched: 'TickworkUndispatchedAlarm',
  dashboard: 'TickworkDashboard',
} as const;

/** One minute: the tick's own period, and the finest standard CloudWatch resolution. */
const PERIOD_SECONDS = 60;

/**
 * How many minutes in a row with fan-out events that could not be sent make an alarm: one is a blip the
 * next tick's retry absorbs; a wrong IAM policy or bus fails every minute.
 */
const UNDISPATCHED_MINUTES = 3;

/** How many silent minutes make the tick "not invoked": one skipped Scheduler invocation is noise, three are an outage. */
const SILENT_MINUTES = 3;

export interface AlarmsInput {
  /** `custom.tickwork.alarms`, as `tickworkOptions` read it. */
  readonly alarms: TickworkOptions['alarms'];
  /** `<service>-<stage>-`: the prefix of the stack's function names, and of the alarms' and dashboard's. */
  readonly prefix: string;
  /** The tick's deployed function name. */
  readonly tickFunctionName: string;
  /** The deployment id: the `service` dimension of Tickwork's metrics. */
  readonly deployment: string;
  /** Whether the stack has the fan-out dead-letter queue (`DEAD_LETTER_QUEUE_ID`): only kernels with fan-out tasks do. */
  readonly deadLetterQueue: boolean;
  /** Tasks declared `monitor({ grace })`, each with its interval (see `monitoredTasks`). @default none */
  readonly monitored?: readonly MonitoredTask[];
}


/**
 * CloudWatch's limits on an alarm's evaluation range (PutMetricAlarm): a period of 60 s or a multiple
 * of it; period × evaluation periods at most one day for periods under an hour, at most seven days
 * otherwise.
 */
const ALARM_RANGE = { shortPeriod: 60, shortMax: 86_400, longPeriod: 3_600, longMax: 604_800 } as const;

/**
 * The period and number of periods of a "has not succeeded within `windowSeconds`" alarm, or undefined
 * when no alarm can look back that far. The alarm fires when all N periods hold no success; periods are
 * aligned to the clock, so the N periods reach back between (N − 1) and N periods from now — N is
 * one more than the window needs, so the alarm never fires while the last success is within the
 * window, and fires at most one period after it is not. Minutes while that fits in a day, else hours.
 *
 * @example
 * successWindow(86_400 + 600); // { period: 3600, evaluationPeriods: 26 } — a daily task with a 10-minute grace
 */
export function successWindow(windowSeconds: number): { readonly period: number; readonly evaluationPeriods: number } | undefined {
  for (const [period, max] of [[ALARM_RANGE.shortPeriod, ALARM_RANGE.shortMax], [ALARM_RANGE.longPeriod, ALARM_RANGE.longMax]] as const) {
    const evaluationPeriods = Math.ceil(windowSeconds / period) + 1;
    if (evaluationPeriods * period <= max) return { period, evaluationPeriods };
  }
  return undefined;
}

/** The logical id of a monitored task's alarm: its name in camel case plus a hash, so two names never share one. */
export function notSucceededAlarmId(task: string): string {
  const words = task.split(/[^A-Za-z0-9]+/).filter((w) => w !== '').map((w) => w[0]!.toUpperCase() + w.slice(1));
  const hash = createHash('sha256').update(task).digest('hex').slice(0, 8);
  return `TickworkNotSucceeded${words.join('').slice(0, 150)}${hash}Alarm`;
}

/** Monitored tasks no alarm can watch (they run less than weekly, or their window exceeds seven days). */
export function unalarmedTasks(monitored: readonly MonitoredTask[]): MonitoredTask[] {
  return monitored.filter((task) => task.intervalSeconds === undefined || successWindow(task.intervalSeconds + task.graceSeconds) === undefined);
}

type Resource = Record<string, unknown>;

interface AlarmSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Readonly<Record<string, unknown>>;
  readonly statistic: 'Sum' | 'Maximum';
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly evaluationPeriods: number;
  readonly treatMissingData: 'breaching' | 'notBreaching';
  /** Seconds per period. @default PERIOD_SECONDS */
  readonly period?: number;
}

/**
 * The alarm, topic and dashboard resources for a stack, by logical id; none when `alarms` is false.
 * With `alarms.topicArn`, the alarms notify that topic and no topic is created.
 *
 * @example
 * alarmResources({ alarms: { topicArn: undefined }, prefix: 'shop-prod-', tickFunctionName: 'shop-prod-tick', deployment: 'prod', deadLetterQueue: true })
 * // { TickworkAlarmTopic: { Type: 'AWS::SNS::Topic', … }, TickworkTickErrorsAlarm: { Type: 'AWS::CloudWatch::Alarm', … }, …, TickworkDashboard: … }
 */
export function alarmResources(input: AlarmsInput): Record<string, Resource> {
  if (input.alarms === false) return {};
  const topicArn = input.alarms.topicArn;
  const topic: unknown = topicArn ?? { Ref: ALARM_IDS.topic };
  const specs = alarmSpecs(input);
  const resources: Record<string, Resource> = {};
  if (topicArn === undefined) {
    resources[ALARM_IDS.topic] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${input.prefix}tickwork-alarms`, DisplayName: 'Tickwork alarms' } };
  }
  for (const spec of specs) resources[spec.id] = alarm(spec, topic);
  resources[ALARM_IDS.dashboard] = dashboard(input, specs);
  return resources;
}

/** What each alarm watches; the dead-letter one only where the queue exists. */
function alarmSpecs(input: AlarmsInput): AlarmSpec[] {
  const tick = { FunctionName: input.tickFunctionName };
  const service = { [DIMENSION.service]: input.deployment };
  const specs: (AlarmSpec | undefined)[] = [
    {
      id: ALARM_IDS.tickErrors,
      name: `${input.prefix}tickwork-tick-errors`,
      description: 'The Tickwork tick failed (a store fault or a crash); Lambda retries it, and catch-up decides the minute later',
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: tick,
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    },
    {
      // A heartbeat: no data at all is exactly the failure it looks for (schedule deleted or disabled,
      // function throttled to nothing), so missing data breaches.
      id: ALARM_IDS.tickSilent,
      name: `${input.prefix}tickwork-tick-not-invoked`,
      description: `The Tickwork tick was not invoked for ${SILENT_MINUTES} minutes: nothing is being scheduled`,
      namespace: 'AWS/Lambda',
      metric: 'Invocations',
      dimensions: tick,
      statistic: 'Sum',
      comparison: 'LessThanThreshold',
      evaluationPeriods: SILENT_MINUTES,
      treatMissingData: 'breaching',
    },
    input.deadLetterQueue
      ? {
          id: ALARM_IDS.deadLetters,
          name: `${input.prefix}tickwork-dead-letters`,
          description: 'Fan-out task events that could not be delivered or failed after their retries are waiting in the Tickwork dead-letter queue',
          namespace: 'AWS/SQS',
          metric: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: { 'Fn::GetAtt': [DEAD_LETTER_QUEUE_ID, 'QueueName'] } },
          // A queue depth, not a count of events: its highest value in the minute.
          statistic: 'Maximum',
          comparison: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 1,
          treatMissingData: 'notBreaching',
        }
      : undefined,
    {
      id: ALARM_IDS.taskFailures,
      name: `${input.prefix}tickwork-task-failures`,
      description: 'A Tickwork task failed or timed out (inline in the tick, or in its own Lambda)',
      namespace: METRICS_NAMESPACE,
      metric: METRIC.tasksFailed,
      dimensions: service,
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    },
    {
      id: ALARM_IDS.missedSlots,
      name: `${input.prefix}tickwork-missed-slots`,
      description: 'Tickwork slots were missed and nothing ran in their place (outside the catch-up window, skipped by policy, over the catch-up limit, never evaluated); coalesced slots, which a later slot ran for, do not count',
      namespace: METRICS_NAMESPACE,
      metric: METRIC.slotsLost,
      dimensions: service,
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    },
    input.deadLetterQueue
      ? {
          id: ALARM_IDS.undispatched,
          name: `${input.prefix}tickwork-undispatched`,
          description: `Tickwork could not send fan-out task events for ${UNDISPATCHED_MINUTES} minutes in a row (an IAM, bus or dispatcher fault): those tasks are not running`,
          namespace: METRICS_NAMESPACE,
          metric: METRIC.undispatched,
          dimensions: service,
          statistic: 'Sum',
          comparison: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: UNDISPATCHED_MINUTES,
          treatMissingData: 'notBreaching',
        }
      : undefined,
    ...(input.monitored ?? []).map((task) => notSucceededSpec(input, task)),
  ];
  return specs.filter((spec): spec is AlarmSpec => spec !== undefined);
}

/**
 * A monitored task's alarm: no `TaskSucceeded` for its interval plus its grace. Missing data breaches —
 * a task that never succeeds emits nothing at all. Undefined when no alarm can look back that far
 * (see `unalarmedTasks`).
 */
function notSucceededSpec(input: AlarmsInput, task: MonitoredTask): AlarmSpec | undefined {
  if (task.intervalSeconds === undefined) return undefined;
  const window = successWindow(task.intervalSeconds + task.graceSeconds);
  if (window === undefined) return undefined;
  return {
    id: notSucceededAlarmId(task.name),
    name: `${input.prefix}tickwork-${task.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-not-succeeded`,
    description: `Tickwork task "${task.name}" has not succeeded within its interval (${task.intervalSeconds} s) plus its grace (${task.graceSeconds} s)`,
    namespace: METRICS_NAMESPACE,
    metric: METRIC.taskSucceeded,
    dimensions: { [DIMENSION.service]: input.deployment, [DIMENSION.task]: task.name },
    statistic: 'Sum',
    comparison: 'LessThanThreshold',
    evaluationPeriods: window.evaluationPeriods,
    treatMissingData: 'breaching',
    period: window.period,
  };
}

/** One `AWS::CloudWatch::Alarm` at threshold 1, notifying `topic` when it fires and when it clears. */
function alarm(spec: AlarmSpec, topic: unknown): Resource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: spec.name,
      AlarmDescription: spec.description,
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Statistic: spec.statistic,
      Period: spec.period ?? PERIOD_SECONDS,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.evaluationPeriods,
      Threshold: 1,
      ComparisonOperator: spec.comparison,
      TreatMissingData: spec.treatMissingData,
      AlarmActions: [topic],
      OKActions: [topic],
    },
  };
}

/**
 * A dashboard of the tick, the runs and the alarms. Its body is a JSON string with the region, the
 * queue's name and the alarms' ARNs left to `Fn::Sub`; nothing else in it may contain `${`.
 */
function dashboard(input: AlarmsInput, specs: readonly AlarmSpec[]): Resource {
  const body = { widgets: dashboardWidgets(input, specs) };
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: { DashboardName: `${input.prefix}tickwork`, DashboardBody: { 'Fn::Sub': JSON.stringify(body) } },
  };
}

const REGION = '${AWS::Region}';

/** The dashboard's widgets: the alarms' states across the top, then graphs two to a row (24 columns wide). */
function dashboardWidgets(input: AlarmsInput, specs: readonly AlarmSpec[]): Resource[] {
  const service = [DIMENSION.service, input.deployment];
  const tickworkMetric = (name: string, stat: string, label?: string) => [METRICS_NAMESPACE, name, ...service, { stat, ...(label === undefined ? {} : { label }) }];
  // SEARCH finds one line per reason or task without the dashboard listing them: the reasons come from
  // the vocabulary, the tasks from the kernel, and both change without a redeploy of this dashboard.
  const search = (name: string, by: string, stat: string) => [{
    expression: `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service},${by}} MetricName="${name}" ${DIMENSION.service}="${input.deployment}"', '${stat}', ${PERIOD_SECONDS})`,
    // Metric-math ids start with a lower-case letter.
    id: `${by}${name}`.replace(/[^A-Za-z0-9]/g, ''),
  }];
  const graphs: [title: string, metrics: unknown[][]][] = [
    ['Tick invocations and errors', [
      ['AWS/Lambda', 'Invocations', 'FunctionName', input.tickFunctionName, { stat: 'Sum' }],
      ['AWS/Lambda', 'Errors', 'FunctionName', input.tickFunctionName, { stat: 'Sum' }],
    ]],
    ['Tick lateness (ms after the scheduled minute)', [
      tickworkMetric(METRIC.tickLatenessMs, 'Average', 'average'),
      tickworkMetric(METRIC.tickLatenessMs, 'Maximum', 'maximum'),
    ]],
    ['Tasks', [METRIC.tasksDue, METRIC.tasksRun, METRIC.tasksFailed, METRIC.tasksDispatched, METRIC.undispatched, METRIC.claimConflicts].map((name) => tickworkMetric(name, 'Sum'))],
    ['Slots missed and skipped', [tickworkMetric(METRIC.slotsMissed, 'Sum'), tickworkMetric(METRIC.slotsLost, 'Sum'), tickworkMetric(METRIC.tasksSkipped, 'Sum')]],
    ['Skipped by reason', [search(METRIC.tasksSkipped, DIMENSION.reason, 'Sum')]],
    ['Missed by reason', [search(METRIC.slotsMissed, DIMENSION.reason, 'Sum')]],
    ['Fan-out run duration by task (ms)', [search(METRIC.taskDurationMs, DIMENSION.task, 'Average')]],
    ['Fan-out failures by task', [search(METRIC.taskFailed, DIMENSION.task, 'Sum')]],
  ];
  if ((input.monitored ?? []).length > 0) graphs.push(['Successes of monitor() tasks', [search(METRIC.taskSucceeded, DIMENSION.task, 'Sum')]]);
  if (input.deadLetterQueue) {
    graphs.push(['Dead-letter queue', [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${DEAD_LETTER_QUEUE_ID}.QueueName}`, { stat: 'Maximum' }]]]);
  }
  const alarms: Resource = {
    type: 'alarm',
    x: 0,
    y: 0,
    width: 24,
    height: 3,
    properties: { title: 'Tickwork alarms', alarms: specs.map((spec) => `\${${spec.id}.Arn}`) },
  };
  return [
    alarms,
    ...graphs.map(([title, metrics], i) => ({
      type: 'metric',
      x: (i % 2) * 12,
      y: 3 + Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: { title, region: REGION, view: 'timeSeries', period: PERIOD_SECONDS, metrics },
    })),
  ];
}
