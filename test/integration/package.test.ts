import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TICK_TIMEOUT_SECONDS } from '../../src/kernel/runBudget.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { offlineEnv, root, run, serverlessBin, zipEntries, zipText, type Finished } from './cli.js';
import { freshTable, localClient } from './dynamo.js';

type Resource = { Type: string; Properties: Record<string, any> };

/** Words of functions/lambdaCredentials.ts's error, which only its bundles hold. */
const CREDENTIALS_ERROR = "Tickwork's Lambda bundles read them from the environment Lambda sets";
/** What the SDK's default chain reads for web identity; a bundle with that chain holds it. */
const WEB_IDENTITY_VARIABLE = 'AWS_WEB_IDENTITY_TOKEN_FILE';

/**
 * Runs in a fresh Node process: imports the packaged tick, counts the Intl.DateTimeFormat objects made
 * (the first starts ICU's date formatting), invokes the handler once for the minute given, and prints
 * the count and the tick's report on a line of their own (the tick logs to stdout too). `TZ_VERSION` stands in for another runtime's tz database version.
 */
const FIRST_TICK = `
import { pathToFileURL } from 'node:url';
if (process.env.TZ_VERSION) Object.defineProperty(process.versions, 'tz', { value: process.env.TZ_VERSION });
let formatters = 0;
Intl.DateTimeFormat = new Proxy(Intl.DateTimeFormat, {
  construct: (target, args) => (formatters++, Reflect.construct(target, args)),
  apply: (target, self, args) => (formatters++, Reflect.apply(target, self, args)),
});
const { handler } = await import(pathToFileURL(process.argv[2]).href);
const context = { awsRequestId: 'first-tick', getRemainingTimeInMillis: () => 60000, functionName: 'tick', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:tick', memoryLimitInMB: '256' };
const report = await handler({ scheduledTime: process.argv[3] }, context);
process.stdout.write('\\nfirst tick: ' + JSON.stringify({ formatters, report }) + '\\n');
`;

/** The statements of the tick's own role. */
function tickStatements(resources: Record<string, Resource>): { Effect: string; Action: string | string[]; Resource: unknown }[] {
  return resources.TickworkTickRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
}

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
    expect(packaged.output).toContain('Tickwork: kernel OK, 6 task(s)');
    expect(packaged.output).toContain(`packaged from tz database ${process.versions.tz}`);
    expect(packaged.code).toBe(0);
  });

  it("packages each of Tickwork's functions as the plugin's own bundle and its map (without the sources), with the Lambda credential provider in place of the SDK's chain", () => {
    expect(zipEntries(join(dir, 'tick.zip'))).toEqual(['.tickwork/build/tick.mjs', '.tickwork/build/tick.mjs.map']);
    expect(zipEntries(join(dir, 'taskInvoicesExport.zip'))).toEqual(['.tickwork/build/task.mjs', '.tickwork/build/task.mjs.map']);
    for (const [zip, bundle] of [['tick.zip', '.tickwork/build/tick.mjs'], ['taskInvoicesExport.zip', '.tickwork/build/task.mjs']] as const) {
      const code = zipText(join(dir, zip), bundle);
      // functions/lambdaCredentials.ts, and not the web-identity provider of the SDK's default chain.
      expect(code).toContain(CREDENTIALS_ERROR);
      expect(code).not.toContain(WEB_IDENTITY_VARIABLE);
      // The map serves stack traces: positions into the sources, not the sources themselves.
      const map = JSON.parse(zipText(join(dir, zip), `${bundle}.map`)) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources).toContain('../../src/errors.ts');
      expect(Object.keys(map)).not.toContain('sourcesContent');
    }
  });

  it("the packaged tick's first tick works out its zones' wall clocks from the offsets packaged with it, starting no ICU (docs/design.md \"Time zones\")", async () => {
    const bundle = join(dir, 'first-tick');
    mkdirSync(bundle, { recursive: true });
    for (const file of ['tick.mjs', 'tick.mjs.map']) writeFileSync(join(bundle, file), zipText(join(dir, 'tick.zip'), `.tickwork/build/${file}`));
    writeFileSync(join(bundle, 'firstTick.mjs'), FIRST_TICK);
    const client = localClient();
    const { tableName } = await freshTable(client);
    client.destroy();
    // The last minute past that is not a multiple of 5: no fan-out slot of the fixture kernel
    // (test/fixtures/app/kernel.ts, one task in Europe/Paris) is due, so nothing is sent to AWS.
    let minute = Math.floor(Date.now() / 60_000) * 60_000;
    while (new Date(minute).getUTCMinutes() % 5 === 0) minute -= 60_000;
    const invoke = (tzVersion: string) =>
      run(process.execPath, [join(bundle, 'firstTick.mjs'), join(bundle, 'tick.mjs'), new Date(minute).toISOString()], {
        PATH: process.env.PATH,
        ...resources.TickLambdaFunction?.Properties.Environment.Variables,
        TICKWORK_TABLE: tableName,
        // Each run is the tick of its own deployment, so the second is a first tick too.
        TICKWORK_DEPLOYMENT: `first-tick-${tzVersion || 'packaged'}`,
        TZ: ':UTC',
        TZ_VERSION: tzVersion,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      });
    const result = (output: string) => JSON.parse(/^first tick: (.*)$/m.exec(output)?.[1] ?? 'null') as { formatters: number; report: { evaluated: boolean; failed: unknown[] } } | null;
    const packagedTz = await invoke('');
    expect(packagedTz.code, packagedTz.output).toBe(0);
    const first = result(packagedTz.output);
    expect(first?.report, packagedTz.output).toMatchObject({ evaluated: true, failed: [] });
    expect(first?.formatters).toBe(0);
    // A runtime reading another tz database asks ICU, as before: the count above would have seen it.
    const otherTz = await invoke('other');
    expect(otherTz.code, otherTz.output).toBe(0);
    const second = result(otherTz.output);
    expect(second?.report.evaluated, otherTz.output).toBe(true);
    expect(second?.formatters).toBeGreaterThan(0);
  });

  it('triggers the tick once a minute from EventBridge Scheduler, passing the scheduled time', () => {
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const [schedule] = schedules;
    expect(schedule?.Properties.ScheduleExpression).toBe('cron(* * * * ? *)');
    expect(schedule?.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': ['TickLambdaFunction', 'Arn'] });
    expect(JSON.parse(schedule?.Properties.Target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(resources.TickLambdaFunction?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: '.tickwork/build/tick.handler', Timeout: TICK_TIMEOUT_SECONDS });
    // A role of its own: the service's other functions gain nothing from Tickwork.
    expect(resources.TickLambdaFunction?.Properties.Role).toEqual({ 'Fn::GetAtt': ['TickworkTickRole', 'Arn'] });
    // The Scheduler invokes the tick with a role it may assume, which may invoke the tick and nothing else.
    expect(schedule?.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['TickworkSchedulerRole', 'Arn'] });
    const role = resources.TickworkSchedulerRole?.Properties;
    expect(role?.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: ['scheduler.amazonaws.com'] }, Action: ['sts:AssumeRole'] })]);
    const tickArn = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${resources.TickLambdaFunction?.Properties.FunctionName}`;
    expect(role?.Policies.flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({ Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::Sub': tickArn }, { 'Fn::Sub': `${tickArn}:*` }] }),
    ]);
    // The tick's own role is Lambda's alone.
    expect(resources.TickworkTickRole?.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: ['lambda.amazonaws.com'] } })]);
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

  it('scopes every dynamodb and events permission of the tick to a resource, never "*"', () => {
    const statements: { Action: string | string[]; Resource: unknown }[] =
      tickStatements(resources);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => /^dynamodb:/.test(a)));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': ['TickworkTable', 'Arn'] }]);
    }
    const events = statements.filter((s) => [s.Action].flat().some((a) => /^events:/.test(a)));
    expect(events).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [{ 'Fn::GetAtt': ['TickworkBus', 'Arn'] }] }]);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":\s*"\*"|"Resource":\["\*"\]/);
  });

  it('generates one function per fan-out task from the kernel, on the shared task handler, with its own settings', () => {
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(['TaskInvoicesExportLambdaFunction', 'TickLambdaFunction']);
    const fn = resources.TaskInvoicesExportLambdaFunction!.Properties;
    expect(fn).toMatchObject({
      FunctionName: 'tickwork-pkgtest-taskInvoicesExport',
      Handler: '.tickwork/build/task.handler',
      MemorySize: 1024,
      Timeout: 300,
      Role: { 'Fn::GetAtt': ['TaskInvoicesExportRole', 'Arn'] },
    });
    expect(fn.Environment.Variables).toMatchObject({ TICKWORK_TABLE: 'tickwork-pkgtest', TICKWORK_DEPLOYMENT: 'pkgtest', TICKWORK_TASK: 'invoices:export' });
    // Lambda's async retries (at least one, for a crashed worker to be recorded; onLambda({ retries }) for more) and, after them, the dead-letter queue.
    const config = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(config?.Properties).toMatchObject({
      FunctionName: { Ref: 'TaskInvoicesExportLambdaFunction' },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['TickworkDeadLetterQueue', 'Arn'] } } },
    });
  });

  it('routes each fan-out task from Tickwork\'s bus with a rule on its name, retrying delivery into a dead-letter queue', () => {
    expect(resources.TickworkBus).toEqual({ Type: 'AWS::Events::EventBus', Properties: { Name: 'tickwork-pkgtest' } });
    expect(resources.TickLambdaFunction?.Properties.Environment.Variables).toMatchObject({ TICKWORK_DISPATCHER: 'eventbridge', TICKWORK_BUS: 'tickwork-pkgtest' });
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule?.Properties.EventBusName).toEqual({ 'Fn::GetAtt': ['TickworkBus', 'Name'] });
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['tickwork'],
      'detail-type': ['Tickwork Task Due'],
      detail: { task: ['invoices:export'], deployment: ['pkgtest'] },
    });
    expect(rule?.Properties.Targets).toEqual([expect.objectContaining({
      Arn: { 'Fn::GetAtt': ['TaskInvoicesExportLambdaFunction', 'Arn'] },
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['TickworkDeadLetterQueue', 'Arn'] } },
    })]);
    expect(resources.TickworkDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    // EventBridge may write to the queue, and only from rules on Tickwork's bus.
    const [grant] = resources.TickworkDeadLetterQueuePolicy?.Properties.PolicyDocument.Statement;
    expect(grant).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['TickworkDeadLetterQueue', 'Arn'] } });
    expect(JSON.stringify(grant.Condition)).toContain(':rule/tickwork-pkgtest/*');
  });

  it('gives each fan-out function its own role: its logs, writes to its own partition of the table, the dead-letter queue', () => {
    const role = resources.TaskInvoicesExportRole!;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ]);
    const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/tickwork-pkgtest-taskInvoicesExport:*' }],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem'],
        Resource: [{ 'Fn::GetAtt': ['TickworkTable', 'Arn'] }],
        // Only the task's own partition: its run records and lease, here or in the onOneServer space.
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['task#pkgtest#invoices:export', 'task#*#invoices:export'] } },
      },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['TickworkDeadLetterQueue', 'Arn'] }] },
    ]);
    // The tick's own role cannot run the task's work, and the task's cannot dispatch.
    expect(JSON.stringify(role)).not.toMatch(/events:PutEvents|lambda:InvokeFunction/);
  });

  it('with the Lambda dispatcher, invokes each task function directly: no bus, no rules, invoke rights on those functions only', async () => {
    const lambda = await run(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'pkgtest', '--package', join(dir, 'lambda')],
      offlineEnv({ TICKWORK_DISPATCHER: 'lambda' }),
    );
    expect(lambda.code, lambda.output).toBe(0);
    const { Resources } = JSON.parse(readFileSync(join(dir, 'lambda', 'cloudformation-template-update-stack.json'), 'utf8'));
    const types = Object.values(Resources as Record<string, Resource>).map((r) => r.Type);
    expect(types).not.toContain('AWS::Events::EventBus');
    expect(types).not.toContain('AWS::Events::Rule');
    expect(Resources.TickLambdaFunction.Properties.Environment.Variables).toMatchObject({ TICKWORK_DISPATCHER: 'lambda', TICKWORK_FUNCTION_PREFIX: 'tickwork-pkgtest-' });
    const statements = tickStatements(Resources);
    expect(statements.filter((s: any) => [s.Action].flat().some((a: string) => /^(lambda|events):/.test(a)))).toEqual([
      // The tick invoking the fan-out functions, and nothing else.
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::GetAtt': ['TaskInvoicesExportLambdaFunction', 'Arn'] }] },
    ]);
  });

  it('grants the tick what the kernel\'s output options need, and nothing for a kernel without them', async () => {
    const withOutput = await run(
      process.execPath,
      [serverlessBin, 'package', '--stage', 'pkgtest', '--package', join(dir, 'output')],
      offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/output-kernel.ts', TICKWORK_MAIL_FROM: 'tickwork@acme.test' }),
    );
    expect(withOutput.code, withOutput.output).toBe(0);
    const template = JSON.parse(readFileSync(join(dir, 'output', 'cloudformation-template-update-stack.json'), 'utf8'));
    const statements = tickStatements(template.Resources);
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

    const base = JSON.stringify(resources.TickworkTickRole);
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

describe('serverless package of a service that bundles with serverless-esbuild (test/fixtures/esbuild-service)', () => {
  const service = join(root, 'test/fixtures/esbuild-service');
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-package-esbuild-'));
  const env = offlineEnv();
  // The fixture's serverless.yml names the kernel, relative to the service.
  delete env.TICKWORK_KERNEL;
  const packageService = (config: string, out: string, ...extra: string[]) =>
    run(process.execPath, [serverlessBin, 'package', '--config', config, '--stage', 'pkgtest', '--package', join(dir, out), ...extra], env, 180_000, service);
  const template = (out: string) => JSON.parse(readFileSync(join(dir, out, 'cloudformation-template-update-stack.json'), 'utf8')).Resources as Record<string, Resource>;
  /** The package in `out` has the tick as the plugin builds it: its own bundle and map, Lambda's credential provider. */
  const expectPluginTick = (out: string) => {
    expect(template(out).TickLambdaFunction?.Properties.Handler).toBe('.tickwork/build/tick.handler');
    expect(zipEntries(join(dir, out, 'tick.zip'))).toEqual(['.tickwork/build/tick.mjs', '.tickwork/build/tick.mjs.map']);
    const code = zipText(join(dir, out, 'tick.zip'), '.tickwork/build/tick.mjs');
    expect(code).toContain(CREDENTIALS_ERROR);
    expect(code).not.toContain(WEB_IDENTITY_VARIABLE);
  };

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const made of ['.tickwork', '.esbuild', '.serverless']) rmSync(join(service, made), { recursive: true, force: true });
  });

  it("bundles Tickwork's functions itself, with Lambda's credential provider, and leaves the service's own to serverless-esbuild", async () => {
    const packaged = await packageService('serverless.yml', 'own');
    expect(packaged.output).toContain('Tickwork: kernel OK');
    expect(packaged.code).toBe(0);
    expectPluginTick('own');
    expect(template('own').HelloLambdaFunction?.Properties.Handler).toBe('src/hello.handler');
    expect(zipEntries(join(dir, 'own', 'hello.zip'))).toEqual(['src/hello.mjs', 'src/hello.mjs.map']);
    // The Framework opens the service's shared role to the Scheduler for the tick; the plugin takes that
    // back: the service's own functions gain no permission from Tickwork.
    const shared = template('own').IamRoleLambdaExecution?.Properties;
    expect(shared?.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: ['lambda.amazonaws.com'] } })]);
    expect(JSON.stringify(shared)).not.toContain('lambda:InvokeFunction');
    expect(template('own').TickSchedulerSchedule1?.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['TickworkSchedulerRole', 'Arn'] });
  }, 200_000);

  it("bundles Tickwork's functions itself when serverless-esbuild's skipBuild reuses an earlier package's zips", async () => {
    const first = await packageService('serverless.yml', 'again');
    expect(first.code, first.output).toBe(0);
    // serverless-esbuild bundles nothing now: it copies hello.zip back from the package directory.
    const again = await packageService('serverless.yml', 'again', '--param', 'skipBuild=true');
    expect(again.output).toContain('Tickwork: kernel OK');
    expect(again.code).toBe(0);
    expectPluginTick('again');
    expect(template('again').TaskInvoicesExportLambdaFunction?.Properties.Handler).toBe('.tickwork/build/task.handler');
    expect(zipEntries(join(dir, 'again', 'taskInvoicesExport.zip'))).toEqual(['.tickwork/build/task.mjs', '.tickwork/build/task.mjs.map']);
    expect(zipEntries(join(dir, 'again', 'hello.zip'))).toEqual(['src/hello.mjs', 'src/hello.mjs.map']);
  }, 400_000);

  it("lets serverless-esbuild bundle Tickwork's functions, with the SDK's own chain, when the service has no function of its own for it", async () => {
    const packaged = await packageService('serverless.tickwork-only.yml', 'only');
    expect(packaged.output).toContain('Tickwork: kernel OK');
    expect(packaged.code).toBe(0);
    expect(template('only').TickLambdaFunction?.Properties.Handler).toBe('.tickwork/entries/tick.handler');
    expect(zipEntries(join(dir, 'only', 'tick.zip'))).toEqual(['.tickwork/entries/tick.mjs', '.tickwork/entries/tick.mjs.map']);
    const code = zipText(join(dir, 'only', 'tick.zip'), '.tickwork/entries/tick.mjs');
    expect(code).toContain(WEB_IDENTITY_VARIABLE);
    expect(code).not.toContain(CREDENTIALS_ERROR);
  }, 200_000);
});
