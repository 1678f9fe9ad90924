import { describe, expect, it } from 'vitest';
import { schedulerRole, withdrawTickInvoke, type SharedRole } from '../../../src/infra/schedulerRole.js';

const arn = (name: string) => `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name}`;

/** The shared role as the Framework leaves it after compiling Scheduler schedules for `functions`. */
function sharedRole(functions: readonly string[]): SharedRole {
  return {
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: ['lambda.amazonaws.com', 'scheduler.amazonaws.com'] } }] },
      Policies: [{
        PolicyDocument: {
          Statement: [
            { Action: ['logs:PutLogEvents'], Resource: [{ 'Fn::Sub': 'arn:logs' }] },
            { Action: ['lambda:InvokeFunction'], Resource: functions.flatMap((name) => [{ 'Fn::Sub': arn(name) }, { 'Fn::Sub': `${arn(name)}:*` }]) },
          ],
        },
      }],
    },
  };
}

describe('the Scheduler\'s role for the tick (src/infra/schedulerRole.ts)', () => {
  it('may be assumed by this account\'s EventBridge Scheduler only, and may invoke the tick only', () => {
    const role = schedulerRole('acme-prod-tick') as { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] }; Policies: { PolicyDocument: { Statement: unknown[] } }[] } };
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: ['scheduler.amazonaws.com'] },
      Action: ['sts:AssumeRole'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
    expect(role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::Sub': arn('acme-prod-tick') }, { 'Fn::Sub': `${arn('acme-prod-tick')}:*` }] },
    ]);
  });

  it('is taken back from the service\'s shared role when only the tick had a Scheduler schedule', () => {
    const role = sharedRole(['acme-prod-tick']);
    withdrawTickInvoke(role, 'acme-prod-tick', { keepSchedulerTrust: false });
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Principal: { Service: ['lambda.amazonaws.com'] } }]);
    expect(role.Properties.Policies?.[0]?.PolicyDocument.Statement).toEqual([{ Action: ['logs:PutLogEvents'], Resource: [{ 'Fn::Sub': 'arn:logs' }] }]);
  });

  it('leaves what the service\'s own Scheduler schedules need', () => {
    const role = sharedRole(['acme-prod-tick', 'acme-prod-digest']);
    withdrawTickInvoke(role, 'acme-prod-tick', { keepSchedulerTrust: true });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]?.Principal?.Service).toEqual(['lambda.amazonaws.com', 'scheduler.amazonaws.com']);
    expect(role.Properties.Policies?.[0]?.PolicyDocument.Statement[1]).toEqual({
      Action: ['lambda:InvokeFunction'],
      Resource: [{ 'Fn::Sub': arn('acme-prod-digest') }, { 'Fn::Sub': `${arn('acme-prod-digest')}:*` }],
    });
  });

  it('leaves a function whose name only starts like the tick\'s', () => {
    const role = sharedRole(['acme-prod-tick2']);
    withdrawTickInvoke(role, 'acme-prod-tick', { keepSchedulerTrust: true });
    expect(JSON.stringify(role)).toContain('function:acme-prod-tick2');
  });
});
