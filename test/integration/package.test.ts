import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineEnv, run, serverlessBin, type Finished } from './cli.js';

type Resource = { Type: string; Properties: Record<string, any> };

describe('serverless package (real CloudFormation, no AWS credentials)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-package-'));
  let packaged: Finished;
  let resources: Record<string, Resource>;

  beforeAll(async () => {
    packaged = await run(process.execPath, [serverlessBin, 'package', '--stage', 'pkgtest', '--package', dir], offlineEnv());
    if (packaged.code === 0) {
      resources = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('succeeds and builds the kernel first', () => {
    expect(packaged.output).toContain('Tickwork: kernel OK, 5 task(s)');
    expect(packaged.code).toBe(0);
  });

  it('triggers the tick once a minute from EventBridge Scheduler, passing the scheduled time', () => {
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const [schedule] = schedules;
    expect(schedule?.Properties.ScheduleExpression).toBe('cron(* * * * ? *)');
    expect(schedule?.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': ['TickLambdaFunction', 'Arn'] });
    expect(JSON.parse(schedule?.Properties.Target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(resources.TickLambdaFunction?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'functions/tick.handler' });
  });

  it('declares the table on demand, with TTL and point-in-time recovery, named as the function expects', () => {
    const table = resources.TickworkTable;
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      TableName: 'tickwork-pkgtest',
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'purgeAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(resources.TickLambdaFunction?.Properties.Environment.Variables.TICKWORK_TABLE).toBe('tickwork-pkgtest');
  });

  it('scopes every dynamodb and events permission to a resource, never "*"', () => {
    const statements: { Action: string | string[]; Resource: unknown }[] =
      resources.IamRoleLambdaExecution?.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => /^(dynamodb|events):/.test(a)));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': ['TickworkTable', 'Arn'] }]);
    }
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":\s*"\*"|"Resource":\["\*"\]/);
  });

  it('grants the tick what the kernel\'s output options need, and nothing for a kernel without them', async () => {
    const withOutput = await run(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'pkgtest', '--package', join(dir, 'output')],
      offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/output-kernel.ts', TICKWORK_MAIL_FROM: 'tickwork@acme.test' }),
    );
    expect(withOutput.code, withOutput.output).toBe(0);
    const template = JSON.parse(readFileSync(join(dir, 'output', 'cloudformation-template-update-stack.json'), 'utf8'));
    const statements = template.Resources.IamRoleLambdaExecution.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const added = statements.filter((s: any) => [s.Action].flat().some((a: string) => /^(s3|ses):/.test(a)));
    expect(added).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::acme-reports/daily.txt'] },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::acme-audit/log/audit.log'] },
      {
        Effect: 'Allow',
        Action: ['ses:SendEmail'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/tickwork@acme.test' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/acme.test' },
        ],
      },
    ]);
    expect(template.Resources.TickLambdaFunction.Properties.Environment.Variables.TICKWORK_MAIL_FROM).toBe('tickwork@acme.test');

    const base = JSON.stringify(resources.IamRoleLambdaExecution);
    expect(base).not.toMatch(/"(s3|ses):/);
  });

  it('refuses to package a kernel that mails its output without a sender', async () => {
    const noSender = await run(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'pkgtest', '--package', join(dir, 'nosender')],
      offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/output-kernel.ts' }),
    );
    expect(noSender.code).not.toBe(0);
    expect(noSender.output).toContain('Tasks "audit" mail their output, but TICKWORK_MAIL_FROM is not set');
  });

  it('refuses to package a kernel with an invalid expression, naming the task and the field', async () => {
    const bad = await run(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'pkgtest', '--package', join(dir, 'bad')],
      offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/bad-kernel.ts' }),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('Task "reports:daily": invalid cron expression "0 25 * * *" in the hour ("25") field');
  });
});
