/**
 * `custom.tickwork` in serverless.yml: every option, its default, and the variables that override it
 * (so one stack can be pointed elsewhere from the shell without editing the file).
 *
 * ```yaml
 * custom:
 *   tickwork:
 *     kernel: src/kernel.ts            # the schedule; the tick is bundled with this file
 *     table: my-service-dev-tickwork   # default: <service>-<stage>-tickwork
 *     bus: my-service-dev-tickwork     # the EventBridge bus fan-out tasks go through
 *     dispatcher: eventbridge          # or `lambda` (async invoke); TICKWORK_DISPATCHER overrides
 *     deployment: dev                  # default: the stage; deployments sharing a table stay apart
 *     retentionDays: 30                # run records kept this long (TTL); TICKWORK_RETENTION_DAYS
 *     mailFrom: ops@example.com        # SES sender for emailOutputTo(); TICKWORK_MAIL_FROM
 *     tick: { memorySize: 256 }
 *     alarms:                          # CloudWatch alarms and dashboard (infra/alarms.ts); `false` for none
 *       topicArn: arn:aws:sns:…        # notify this topic; default: a topic the stack creates
 * ```
 */
import { z } from 'zod';
import { DISPATCHER_KINDS } from '../src/infra/fanOutInfrastructure.js';
import { DEFAULT_KERNEL_PATH } from '../src/local/loadKernel.js';
import { DEFAULT_RETENTION_DAYS, DEPLOYMENT_ID, MIN_RETENTION_DAYS } from '../src/store/Store.js';

const schema = z
  .object({
    kernel: z.string().min(1).default(DEFAULT_KERNEL_PATH),
    table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3–255 of A–Z a–z 0–9 _ . -').optional(),
    bus: z.string().min(1).max(256).optional(),
    dispatcher: z.enum(DISPATCHER_KINDS as [string, ...string[]]).default('eventbridge'),
    deployment: z.string().regex(DEPLOYMENT_ID, "a deployment id: letters, digits, '.', '_' or '-', at most 64").optional(),
    retentionDays: z.coerce.number().int().min(MIN_RETENTION_DAYS, `expected at least ${MIN_RETENTION_DAYS} days (a tick may arrive up to a day late)`).default(DEFAULT_RETENTION_DAYS),
    mailFrom: z.union([z.literal(''), z.email('an email address (the SES-verified sender)')]).optional(),
    tick: z.object({ memorySize: z.number().int().min(128).max(10_240).default(256) }).strict().default({ memorySize: 256 }),
    alarms: z
      .union([z.boolean(), z.object({ topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN').optional() }).strict()])
      .default(true),
  })
  .strict();

export interface TickworkOptions {
  readonly kernel: string;
  readonly table: string;
  readonly bus: string;
  readonly dispatcher: 'eventbridge' | 'lambda';
  readonly deployment: string;
  readonly retentionDays: number;
  readonly mailFrom: string | undefined;
  readonly tick: { readonly memorySize: number };
  /** Alarms and dashboard, and the topic they notify (`undefined`: one the stack creates); `false` for none. @default {} */
  readonly alarms: false | { readonly topicArn: string | undefined };
}

/** The options a variable set in the shell overrides, so one stack can be pointed elsewhere without editing it. */
const ENV_OVERRIDES = { dispatcher: 'TICKWORK_DISPATCHER', retentionDays: 'TICKWORK_RETENTION_DAYS', mailFrom: 'TICKWORK_MAIL_FROM' } as const;

/** Reads and checks `custom.tickwork`; a bad option throws naming it and what was expected. */
export function tickworkOptions(raw: unknown, context: { readonly service: string; readonly stage: string }, env: NodeJS.ProcessEnv = process.env): TickworkOptions {
  const overrides = Object.fromEntries(
    Object.entries(ENV_OVERRIDES).flatMap(([field, variable]) => (env[variable] === undefined || env[variable] === '' ? [] : [[field, env[variable]]])),
  );
  const parsed = schema.safeParse({ ...((raw ?? {}) as object), ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    // A value that came from the environment is named by its variable, where the user set it.
    const where = field in overrides ? `${ENV_OVERRIDES[field as keyof typeof ENV_OVERRIDES]} (overriding custom.tickwork.${field})` : `custom.tickwork.${issue.path.join('.') || '(root)'}`;
    throw new Error(`${where}: ${issue.message}`);
  }
  const o = parsed.data;
  const name = `${context.service}-${context.stage}-tickwork`;
  return {
    kernel: o.kernel,
    table: o.table ?? name,
    bus: o.bus ?? name,
    dispatcher: o.dispatcher as TickworkOptions['dispatcher'],
    deployment: o.deployment ?? context.stage,
    retentionDays: o.retentionDays,
    mailFrom: o.mailFrom === '' ? undefined : o.mailFrom,
    tick: o.tick,
    alarms: o.alarms === false ? false : { topicArn: o.alarms === true ? undefined : o.alarms.topicArn },
  };
}
