import { TickworkError } from '../errors.js';
import type { TaskDefinition } from '../kernel/types.js';
import { parseOutputTarget } from '../output/parseOutputTarget.js';

/** An IAM policy statement as serverless.yml's `provider.iam.role.statements` takes it. */
export interface IamStatement {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly unknown[];
  readonly Condition?: Record<string, unknown>;
}

/**
 * The permissions the kernel's output options need, scoped to what they name: `s3:PutObject` (and
 * `s3:GetObject` to append) on each S3 object a task writes, and `ses:SendEmail` on the sender's
 * identities when a task mails its output. Nothing for a kernel that does neither.
 *
 * @throws TickworkError when a task mails its output and no sender (`TICKWORK_MAIL_FROM`) is set.
 */
export function kernelIamStatements(tasks: readonly TaskDefinition[], mailFrom: string | undefined): IamStatement[] {
  const objects = new Map<string, Set<string>>();
  for (const { output } of tasks) {
    if (output.file === undefined) continue;
    const target = parseOutputTarget(output.file.target);
    if (target.kind !== 's3') continue;
    const arn = `arn:aws:s3:::${target.bucket}/${target.key}`;
    const actions = objects.get(arn) ?? new Set<string>();
    actions.add('s3:PutObject');
    if (output.file.append) actions.add('s3:GetObject');
    objects.set(arn, actions);
  }
  const statements: IamStatement[] = [...objects].map(([arn, actions]) => ({
    Effect: 'Allow',
    Action: [...actions].sort(),
    Resource: [arn],
  }));

  const mailing = tasks.filter((t) => t.output.email !== undefined || t.output.emailOnFailure !== undefined);
  if (mailing.length > 0) {
    if (mailFrom === undefined || mailFrom === '') {
      throw new TickworkError(
        'MAIL_FROM_MISSING',
        `Tasks ${mailing.map((t) => `"${t.name}"`).join(', ')} mail their output, but TICKWORK_MAIL_FROM is not set: set it to an SES-verified sender when you package or deploy`,
      );
    }
    const domain = mailFrom.slice(mailFrom.lastIndexOf('@') + 1);
    const identity = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${name}` });
    statements.push({ Effect: 'Allow', Action: ['ses:SendEmail'], Resource: [identity(mailFrom), identity(domain)] });
  }
  return statements;
}
