import { describe, expect, it } from 'vitest';
import { ALARM_IDS, alarmResources, notSucceededAlarmId, successWindow, unalarmedTasks, type AlarmsInput } from '../../../infra/alarms.js';
import { tickworkOptions } from '../../../infra/options.js';

// infra/alarms.ts lives here, beside the metric names it alarms on (src/metrics/names.ts).
const base: AlarmsInput = { alarms: { topicArn: undefined }, prefix: 'shop-prod-', tickFunctionName: 'shop-prod-tick', deployment: 'prod', deadLetterQueue: true };
const props = (resources: Record<string, Record<string, any>>, id: string) => resources[id]!.Properties;

describe('alarmResources', () => {
  it('creates a topic and points every alarm at it, on firing and on recovery', () => {
    const resources = alarmResources(base);
    expect(resources[ALARM_IDS.topic]).toEqual({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'shop-prod-tickwork-alarms', DisplayName: 'Tickwork alarms' } });
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect((alarm.Properties as any).AlarmActions).toEqual([{ Ref: ALARM_IDS.topic }]);
      expect((alarm.Properties as any).OKActions).toEqual([{ Ref: ALARM_IDS.topic }]);
    }
  });

  it('uses the user\'s topic instead, and creates none', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const resources = alarmResources({ ...base, alarms: { topicArn } });
    expect(resources).not.toHaveProperty(ALARM_IDS.topic);
    expect(props(resources, ALARM_IDS.tickErrors).AlarmActions).toEqual([topicArn]);
  });

  it('alarms when fan-out events could not be sent for 3 minutes in a row, for kernels with fan-out tasks only', () => {
    expect(props(alarmResources(base), ALARM_IDS.undispatched)).toMatchObject({
      Namespace: 'Tickwork', MetricName: 'Undispatched', Dimensions: [{ Name: 'service', Value: 'prod' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    expect(alarmResources({ ...base, deadLetterQueue: false })).not.toHaveProperty(ALARM_IDS.undispatched);
  });

  it('adds nothing at all with alarms: false', () => {
    expect(alarmResources({ ...base, alarms: false })).toEqual({});
  });

  it('has no dead-letter alarm or widget for a kernel without fan-out tasks (there is no queue)', () => {
    const resources = alarmResources({ ...base, deadLetterQueue: false });
    expect(resources).not.toHaveProperty(ALARM_IDS.deadLetters);
    expect(JSON.stringify(resources)).not.toContain('TickworkDeadLetterQueue');
  });

  it('reads custom.tickwork.alarms: default on, false, a topic ARN; anything else refused naming the field', () => {
    const read = (alarms: unknown) => tickworkOptions(alarms === undefined ? {} : { alarms }, { service: 's', stage: 'dev' }, {}).alarms;
    expect(read(undefined)).toEqual({ topicArn: undefined });
    expect(read(true)).toEqual({ topicArn: undefined });
    expect(read(false)).toBe(false);
    expect(read({ topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' })).toEqual({ topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' });
    expect(() => read({ topicArn: 'ops' })).toThrow(/custom\.tickwork\.alarms/);
    expect(() => read({ topic: 'x' })).toThrow(/custom\.tickwork\.alarms/);
  });

  it('gives the dashboard a widget per metric and the alarms\' states, resolved by Fn::Sub only where meant', () => {
    const body: string = props(alarmResources(base), ALARM_IDS.dashboard).DashboardBody['Fn::Sub'];
    const placeholders = [...body.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(['AWS::Region', 'TickworkDeadLetterQueue.QueueName', ...Object.values(ALARM_IDS).filter((id) => id.endsWith('Alarm')).map((id) => `${id}.Arn`)]));
    const { widgets } = JSON.parse(body);
    expect(widgets[0]).toMatchObject({ type: 'alarm' });
    expect(widgets.filter((w: any) => w.type === 'metric').map((w: any) => w.properties.title)).toHaveLength(9);
  });

  it.each([
    ['every 5 minutes + 5 min', 600, { period: 60, evaluationPeriods: 11 }],
    ['hourly + 5 min', 3_900, { period: 60, evaluationPeriods: 66 }],
    ['just under a day of minutes', 86_280, { period: 60, evaluationPeriods: 1_439 }],
    ['daily + 10 min: hours', 87_000, { period: 3_600, evaluationPeriods: 26 }],
    ['weekdays (3 days) + 1 h', 262_800, { period: 3_600, evaluationPeriods: 74 }],
    ['weekly + 10 min: past seven days', 605_400, undefined],
  ] as const)('successWindow: %s', (_, seconds, expected) => {
    const window = successWindow(seconds);
    expect(window).toEqual(expected);
    if (window === undefined) return;
    // Never fires while a success is within the window; within CloudWatch's evaluation-range limits.
    expect((window.evaluationPeriods - 1) * window.period).toBeGreaterThanOrEqual(seconds);
    expect(window.period * window.evaluationPeriods).toBeLessThanOrEqual(window.period < 3_600 ? 86_400 : 604_800);
  });

  it('one "has not succeeded" alarm per monitored task that fits, on the same topic; none for the rest', () => {
    const monitored = [
      { name: 'reports:daily', intervalSeconds: 90_000, graceSeconds: 600 },
      { name: 'weekly', intervalSeconds: 604_800, graceSeconds: 600 },
      { name: 'monthly', intervalSeconds: undefined, graceSeconds: 600 },
    ];
    const resources = alarmResources({ ...base, monitored });
    const id = notSucceededAlarmId('reports:daily');
    expect(props(resources, id)).toMatchObject({
      MetricName: 'TaskSucceeded', Namespace: 'Tickwork', Dimensions: [{ Name: 'service', Value: 'prod' }, { Name: 'task', Value: 'reports:daily' }],
      Period: 3_600, EvaluationPeriods: 27, DatapointsToAlarm: 27, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: ALARM_IDS.topic }],
    });
    expect(Object.keys(resources).filter((key) => key.startsWith('TickworkNotSucceeded'))).toEqual([id]);
    expect(unalarmedTasks(monitored).map((t) => t.name)).toEqual(['weekly', 'monthly']);
    expect(notSucceededAlarmId('a:b')).not.toBe(notSucceededAlarmId('a-b'));
  });
});
