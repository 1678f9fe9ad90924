import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineEnv, run, serverlessBin, type Finished } from './cli.js';

type Resource = { Type: string; Properties: Record<string, any> };

/**
 * The alarms, topic and dashboard `serverless package` adds with the default `custom.tickwork.alarms`,
 * for the tests' app kernel (which has a fan-out task, so a dead-letter queue). `alarms: false` and a
 * topic of the user's own are covered by test/unit/metrics/alarms.test.ts.
 */
describe('serverless package: alarms and dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-alarms-'));
  let packaged: Finished;
  let resources: Record<string, Resource>;
  const topic = [{ Ref: 'TickworkAlarmTopic' }];
  const alarm = (id: string) => {
    expect(resources[id]?.Type).toBe('AWS::CloudWatch::Alarm');
    return resources[id]!.Properties;
  };

  beforeAll(async () => {
    packaged = await run(process.execPath, [serverlessBin, 'package', '--stage', 'pkgtest', '--package', dir], offlineEnv());
    if (packaged.code === 0) resources = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packages, with an SNS topic for the alarms', () => {
    expect(packaged.code, packaged.output).toBe(0);
    expect(resources.TickworkAlarmTopic).toEqual({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'tickwork-pkgtest-tickwork-alarms', DisplayName: 'Tickwork alarms' } });
  });

  it('alarms on any tick error within a minute', () => {
    expect(alarm('TickworkTickErrorsAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'tickwork-pkgtest-tick' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching', AlarmActions: topic, OKActions: topic,
    });
  });

  it('alarms when the tick is not invoked for 3 minutes, counting missing data as breaching', () => {
    expect(alarm('TickworkTickSilentAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'tickwork-pkgtest-tick' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching', AlarmActions: topic,
    });
    // The alarm watches the function the plugin generates, under the name it gives it.
    expect(resources.TickLambdaFunction?.Properties.FunctionName).toBe('tickwork-pkgtest-tick');
  });

  it('alarms when the dead-letter queue holds a message', () => {
    expect(alarm('TickworkDeadLettersAlarm')).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['TickworkDeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: topic,
    });
    expect(resources.TickworkDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
  });

  it.each([
    ['TickworkTaskFailuresAlarm', 'TasksFailed', 1],
    ['TickworkMissedSlotsAlarm', 'SlotsLost', 1],
    ['TickworkUndispatchedAlarm', 'Undispatched', 3],
  ])('%s: Tickwork %s ≥ 1 for this deployment, in each of %i minute(s)', (id, metric, minutes) => {
    expect(alarm(id)).toMatchObject({
      Namespace: 'Tickwork', MetricName: metric, Dimensions: [{ Name: 'service', Value: 'pkgtest' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: minutes, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching', AlarmActions: topic,
    });
    // The same deployment id the functions publish under (their `service` dimension).
    expect(resources.TickLambdaFunction?.Properties.Environment.Variables.TICKWORK_DEPLOYMENT).toBe('pkgtest');
  });

  it('alarms per monitor() task when it has not succeeded within its interval + grace, on the same topic', () => {
    const alarms = Object.entries(resources).filter(([id]) => id.startsWith('TickworkNotSucceeded'));
    // reports:daily is monitor()ed too, but environments('prod') keeps it out of this stage: an alarm on a
    // task that never runs here would only ever be in ALARM (its hour periods are in the alarms unit test).
    expect(alarms.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^TickworkNotSucceededDiskReport[0-9a-f]{8}Alarm$/)]);
    const byTask = (task: string) => alarms.map(([, r]) => r.Properties).find((p) => p.Dimensions.some((d: { Name: string; Value: string }) => d.Name === 'task' && d.Value === task))!;
    const common = {
      Namespace: 'Tickwork', MetricName: 'TaskSucceeded', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching', AlarmActions: topic, OKActions: topic,
    };
    // Hourly + 5 min: 65 minutes, plus one minute for the clock-aligned periods.
    expect(byTask('disk:report')).toMatchObject({
      ...common, AlarmName: 'tickwork-pkgtest-tickwork-disk-report-not-succeeded',
      Dimensions: [{ Name: 'service', Value: 'pkgtest' }, { Name: 'task', Value: 'disk:report' }],
      Period: 60, EvaluationPeriods: 66, DatapointsToAlarm: 66,
    });
    for (const [, { Properties: p }] of alarms) {
      expect(p.Period % 60).toBe(0);
      expect(p.Period * p.EvaluationPeriods).toBeLessThanOrEqual(p.Period < 3600 ? 86_400 : 604_800);
    }
    // Tasks not declared monitor() get none.
    expect(Object.keys(resources).filter((id) => id.includes('Heartbeat') && id.endsWith('Alarm'))).toEqual([]);
  });

  it('adds a dashboard of the tick, the runs, the queue and the alarms', () => {
    const dashboard = resources.TickworkDashboard!;
    expect(dashboard.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardName).toBe('tickwork-pkgtest-tickwork');
    const body: string = dashboard.Properties.DashboardBody['Fn::Sub'];
    const { widgets } = JSON.parse(body);
    const perTask = Object.keys(resources).filter((id) => id.startsWith('TickworkNotSucceeded'));
    expect(perTask).toHaveLength(1);
    expect(widgets[0].properties.alarms).toEqual(
      [...['TickErrors', 'TickSilent', 'DeadLetters', 'TaskFailures', 'MissedSlots', 'Undispatched'].map((name) => `Tickwork${name}Alarm`), ...perTask].map((id) => `\${${id}.Arn}`),
    );
    const metrics = JSON.stringify(widgets.filter((w: any) => w.type === 'metric').map((w: any) => w.properties.metrics));
    for (const name of ['TasksDue', 'TasksRun', 'TasksFailed', 'TasksDispatched', 'Undispatched', 'ClaimConflicts', 'SlotsMissed', 'SlotsLost', 'TasksSkipped', 'TickLatenessMs', 'TaskDurationMs', 'TaskFailed', 'TaskSucceeded']) {
      // A metric line, or a SEARCH over its per-reason / per-task series.
      expect(metrics).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(metrics).toContain('ApproximateNumberOfMessagesVisible');
    expect(metrics).toContain('tickwork-pkgtest-tick');
    expect(widgets.every((w: any) => w.type !== 'metric' || w.properties.region === '${AWS::Region}')).toBe(true);
  });
});
