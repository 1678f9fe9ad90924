import { createHash } from 'node:crypto';
import { TASK_EVENT_DETAIL_TYPE, TASK_EVENT_SOURCE } from '../dispatch/Dispatcher.js';
import { TickworkError } from '../errors.js';
import { lambdaSettings } from '../kernel/lambdaSettings.js';
import type { TaskDefinition } from '../kernel/types.js';
import { keys } from '../store/keys.js';
import { SHARED_SCOPE } from '../store/Store.js';
import { kernelIamStatements, type IamStatement } from './kernelIam.js';

/** How the tick hands fan-out slots to their Lambdas: one `PutEvents` per ten, or one async invoke each. */
export type DispatcherKind = 'eventbridge' | 'lambda';
export const DISPATCHER_KINDS: readonly DispatcherKind[] = ['eventbridge', 'lambda'];


/** CloudFormation logical ids of the shared fan-out resources. */
export const BUS_ID = 'TickworkBus';
export const DEAD_LETTER_QUEUE_ID = 'TickworkDeadLetterQueue';
const TABLE_ID = 'TickworkTable';

/** Lambda's limit on a function name. */
const FUNCTION_NAME_MAX = 64;

/** How long EventBridge keeps retrying to deliver a task event, and how often, before the DLQ. */
const DELIVERY_RETRY = { maximumEventAge: 3_600, maximumRetryAttempts: 20 } as const;

/** How long Lambda's own async queue may hold a task event before giving it to the dead-letter queue. */
const MAXIMUM_EVENT_AGE_SECONDS = 3_600;

export interface FanOutInput {
  readonly service: string;
  readonly stage: string;
  readonly dispatcher: DispatcherKind;
  /** The bus the tick puts task events on (its name, as the tick's `TICKWORK_BUS` carries it). */
  readonly busName: string;
  /** The deployment id the store uses; each rule matches only its own deployment's events. */
  readonly deployment: string;
  /** The SES sender, when a fan-out task mails its output. */
  readonly mailFrom: string | undefined;
  /** The handler every task function shares (the plugin's generated task entry). */
  readonly handler: string;
  /** Environment every task function gets, beside its own `TICKWORK_TASK`. */
  readonly environment?: Record<string, string>;
  /** Settings merged into every task function's config (packaging, for one). */
  readonly functionDefaults?: Record<string, unknown>;
}

/** What `serverless package` and `serverless offline` add for the kernel's fan-out tasks. */
export interface FanOutInfrastructure {
  /** Serverless function configs by function key. */
  readonly functions: Record<string, Record<string, unknown>>;
  /** CloudFormation resources by logical id. */
  readonly resources: Record<string, Record<string, unknown>>;
  /** What the tick's own role needs to dispatch: `events:PutEvents` on the bus, or invoke on each function. */
  readonly tickStatements: IamStatement[];
}

/**
 * The function key of a task's own Lambda: `task` plus the task name in camel case
 * (`reports:daily` → `taskReportsDaily`). A name too long for Lambda's 64-character function names is
 * shortened and given a hash of the full name, so keys stay unique and never change for a task.
 */
export function taskFunctionKey(task: string, prefixLength = 0): string {
  const words = task.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const key = `task${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`;
  const room = FUNCTION_NAME_MAX - prefixLength;
  if (key.length <= room && words.join('') !== '') return key;
  const hash = createHash('sha256').update(task).digest('hex').slice(0, 8);
  return `${key.slice(0, Math.max(4, room - 9))}-${hash}`;
}

/** The deployed name of a task's function: `<service>-<stage>-<key>`, as Serverless names functions. */
export function taskFunctionName(prefix: string, task: string): string {
  return `${prefix}${taskFunctionKey(task, prefix.length)}`;
}

/** CloudFormation's logical-id form of a function key, as Serverless derives it (`taskX` → `TaskX`). */
function normalized(key: string): string {
  return key[0]!.toUpperCase() + key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}

/**
 * Everything the fan-out tasks of `tasks` need, derived from the same definitions the tick runs, so
 * deploy and runtime cannot drift: one function per task (sharing the generated task handler) with the
 * task's memory, timeout, retries and reserved concurrency; with the EventBridge dispatcher, a rule on
 * Tickwork's bus matching that task's name, with a retry policy and the dead-letter queue; a role per
 * function allowing only its own logs, the run-record writes on the table, the dead-letter queue and
 * its own output targets. Nothing at all for a kernel without fan-out tasks.
 *
 * @throws TickworkError when two task names map to the same function key.
 */
export function fanOutInfrastructure(tasks: readonly TaskDefinition[], input: FanOutInput): FanOutInfrastructure {
  const fanOut = tasks.filter((t) => t.lambda !== false);
  if (fanOut.length === 0) return { functions: {}, resources: {}, tickStatements: [] };

  const prefix = `${input.service}-${input.stage}-`;
  const functions: Record<string, Record<string, unknown>> = {};
  const resources: Record<string, Record<string, unknown>> = {};
  const owners = new Map<string, string>();
  const dlqArn = { 'Fn::GetAtt': [DEAD_LETTER_QUEUE_ID, 'Arn'] };
  const functionArns: unknown[] = [];

  for (const task of fanOut) {
    const key = taskFunctionKey(task.name, prefix.length);
    const clash = owners.get(key);
    if (clash !== undefined) {
      throw new TickworkError('FUNCTION_KEY_CLASH', `Tasks "${clash}" and "${task.name}" would both get the function ${key}: rename one`);
    }
    owners.set(key, task.name);
    const settings = lambdaSettings(task)!;
    const name = `${prefix}${key}`;
    const roleId = `${normalized(key)}Role`;
    functionArns.push({ 'Fn::GetAtt': [`${normalized(key)}LambdaFunction`, 'Arn'] });

    functions[key] = {
      ...input.functionDefaults,
      name,
      handler: input.handler,
      description: `Tickwork task ${task.name}`.slice(0, 256),
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
      // At least one Lambda retry, whatever `retries` says: a worker that crashed, timed out or lost its
      // outcome write is only found by its own retry (same request id), which records the run
      // `abandoned` instead of leaving it `running`. The worker's start never runs it more often than
      // `retries` allows (see `RUN_TRANSITIONS`).
      maximumRetryAttempts: Math.max(1, settings.retries),
      // An event Lambda could not run within an hour (throttling) is too late for its slot: it goes
      // to the dead-letter queue instead of starting a run hours after it was due.
      maximumEventAge: MAXIMUM_EVENT_AGE_SECONDS,
      // Runs that still fail after their retries land in the dead-letter queue with their event.
      destinations: { onFailure: { type: 'sqs', arn: dlqArn } },
      role: roleId,
      environment: { ...input.environment, TICKWORK_TASK: task.name },
      events: input.dispatcher === 'eventbridge'
        ? [{
            eventBridge: {
              eventBus: { 'Fn::GetAtt': [BUS_ID, 'Name'] },
              pattern: {
                source: [TASK_EVENT_SOURCE],
                'detail-type': [TASK_EVENT_DETAIL_TYPE],
                detail: { task: [task.name], deployment: [input.deployment] },
              },
              retryPolicy: DELIVERY_RETRY,
              deadLetterQueueArn: dlqArn,
            },
          }]
        : [],
    };

    resources[roleId] = functionRole(name, 'tickwork-task', [
      // Starting, recording and leasing its runs are all conditional UpdateItems, on its own
      // task's partition only (this deployment's, or the shared one of onOneServer()).
      {
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem'],
        Resource: [{ 'Fn::GetAtt': [TABLE_ID, 'Arn'] }],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [keys.task(input.deployment, task.name), keys.task(SHARED_SCOPE, task.name)] } },
      },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [dlqArn] },
      ...kernelIamStatements([task], input.mailFrom),
    ]);
  }

  resources[DEAD_LETTER_QUEUE_ID] = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: `${prefix}dead-letters`, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
  };
  if (input.dispatcher === 'eventbridge') {
    resources[BUS_ID] = { Type: 'AWS::Events::EventBus', Properties: { Name: input.busName } };
    resources[`${DEAD_LETTER_QUEUE_ID}Policy`] = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: DEAD_LETTER_QUEUE_ID }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: dlqArn,
            // Only the rules on Tickwork's bus may park undeliverable events here.
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${input.busName}/*` } } },
          }],
        },
      },
    };
  }

  const tickStatements: IamStatement[] = input.dispatcher === 'eventbridge'
    ? [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [{ 'Fn::GetAtt': [BUS_ID, 'Arn'] }] }]
    : [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: functionArns }];
  return { functions, resources, tickStatements };
}

/**
 * The role of one of Tickwork's functions: Lambda may assume it; it may write its own log group, and
 * do what `statements` allow, nothing more.
 */
export function functionRole(functionName: string, policyName: string, statements: readonly unknown[]): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [{
        PolicyName: policyName,
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*` }],
            },
            ...statements,
          ],
        },
      }],
    },
  };
}
