/**
 * Who may invoke the tick on its schedule. EventBridge Scheduler invokes a target with a role it
 * assumes; the Framework gives it the function's own role unless told otherwise, and the tick's role
 * (`TickworkTickRole`) is one only Lambda may assume — so the plugin gives the schedule a role of its
 * own (`schedulerRole`). The Framework also opens the service's shared role to the Scheduler for the
 * tick (`withdrawTickInvoke` takes that back).
 */

/** The parts of the Framework's shared role (`IamRoleLambdaExecution`) `withdrawTickInvoke` edits. */
export interface SharedRole {
  readonly Properties: {
    readonly AssumeRolePolicyDocument: { readonly Statement: { Principal?: { Service?: unknown } }[] };
    readonly Policies?: readonly { readonly PolicyDocument: { Statement: { Action?: unknown; Resource?: unknown }[] } }[];
  };
}

const SCHEDULER_SERVICE = 'scheduler.amazonaws.com';

/** The ARN of the function named `functionName` in this stack's account and region. */
function functionArn(functionName: string): string {
  return `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${functionName}`;
}

/**
 * The role EventBridge Scheduler assumes to invoke the tick (named `functionName`): only the Scheduler
 * of this stack's account may assume it (the confused-deputy guard AWS recommends), and it may invoke
 * the tick and nothing else.
 */
export function schedulerRole(functionName: string): Record<string, unknown> {
  const tick = functionArn(functionName);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: [SCHEDULER_SERVICE] },
          Action: ['sts:AssumeRole'],
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        }],
      },
      Policies: [{
        PolicyName: 'tickwork-scheduler',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::Sub': tick }, { 'Fn::Sub': `${tick}:*` }] }],
        },
      }],
    },
  };
}

function isInvokeOnly(statement: { readonly Action?: unknown }): boolean {
  return Array.isArray(statement.Action) && statement.Action.length === 1 && statement.Action[0] === 'lambda:InvokeFunction';
}

/**
 * Takes out of the shared `role` what the Framework put there for the tick's schedule: `lambda:InvokeFunction`
 * on the tick (and its versions), a statement left with nothing to invoke, and — unless the service has
 * Scheduler schedules of its own (`keepSchedulerTrust`) — the Scheduler's right to assume the role.
 */
export function withdrawTickInvoke(role: SharedRole, tickName: string, { keepSchedulerTrust }: { readonly keepSchedulerTrust: boolean }): void {
  const tick = functionArn(tickName);
  const isTick = (resource: unknown) => {
    const sub = (resource as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
    return sub === tick || sub === `${tick}:*`;
  };
  for (const policy of role.Properties.Policies ?? []) {
    const document = policy.PolicyDocument;
    document.Statement = document.Statement.flatMap((statement) => {
      if (!isInvokeOnly(statement) || !Array.isArray(statement.Resource)) return [statement];
      const rest = statement.Resource.filter((resource) => !isTick(resource));
      return rest.length === 0 ? [] : [{ ...statement, Resource: rest }];
    });
  }
  if (keepSchedulerTrust) return;
  for (const statement of role.Properties.AssumeRolePolicyDocument.Statement) {
    const services = statement.Principal?.Service;
    if (Array.isArray(services)) statement.Principal = { ...statement.Principal, Service: services.filter((service) => service !== SCHEDULER_SERVICE) };
  }
}
