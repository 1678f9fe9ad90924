import { describe, expect, it } from 'vitest';
import { tickworkOptions } from '../../../infra/options.js';

const context = { service: 'shop', stage: 'prod' };

describe('custom.tickwork', () => {
  it('has defaults named after the service and stage', () => {
    expect(tickworkOptions(undefined, context, {})).toMatchObject({
      kernel: 'src/kernel.ts',
      table: 'shop-prod-tickwork',
      bus: 'shop-prod-tickwork',
      dispatcher: 'eventbridge',
      deployment: 'prod',
      retentionDays: 30,
      mailFrom: undefined,
      tick: { memorySize: 256 },
    });
  });

  it.each([
    [{ dispatcher: 'sqs' }, /^custom\.tickwork\.dispatcher: /],
    [{ deployment: 'a b#c' }, /^custom\.tickwork\.deployment: a deployment id/],
    [{ mailFrom: 'not-an-email' }, /^custom\.tickwork\.mailFrom: an email address/],
    [{ table: 'x' }, /^custom\.tickwork\.table: a DynamoDB table name/],
    [{ tick: { memorySize: 64 } }, /^custom\.tickwork\.tick\.memorySize: /],
    [{ colour: 'blue' }, /^custom\.tickwork\.\(root\): .*colour/],
  ])('refuses %j, naming the option', (raw, message) => {
    expect(() => tickworkOptions(raw, context, {})).toThrow(message);
  });

  it('takes overrides from the environment, and names the variable when one is wrong', () => {
    expect(tickworkOptions({}, context, { TICKWORK_DISPATCHER: 'lambda', TICKWORK_RETENTION_DAYS: '7' })).toMatchObject({ dispatcher: 'lambda', retentionDays: 7 });
    expect(() => tickworkOptions({}, context, { TICKWORK_RETENTION_DAYS: 'a week' })).toThrow(/^TICKWORK_RETENTION_DAYS \(overriding custom\.tickwork\.retentionDays\): /);
  });

  it('refuses a retention shorter than a late tick may arrive (2 days at least)', () => {
    expect(() => tickworkOptions({ retentionDays: 1 }, context, {})).toThrow(/retentionDays.*at least 2 days \(a tick may arrive up to a day late\)/);
    expect(tickworkOptions({ retentionDays: 2 }, context, {})).toMatchObject({ retentionDays: 2 });
  });
});
