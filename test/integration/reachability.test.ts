import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { offlineEnv, root, runTickwork, type TickworkRun } from './cli.js';
import { localClient } from './dynamo.js';

const KERNEL = resolve(root, 'test/fixtures/run-kernel.ts');


type Finished = TickworkRun;
/** Runs the binary in a directory with no serverless.yml, so nothing but the arguments and the environment names the table. */
const run = (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Finished> => runTickwork(args, env, { cwd, timeoutMs: 60_000 });

function oneErrorLine(result: Finished): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

async function tableExists(name: string, client = localClient()): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

describe('which table a command reaches, and what it says when it cannot', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tickwork-reach-'));
  const client = localClient();
  let env: NodeJS.ProcessEnv;
  /**
   * "AWS" as the SDK sees it — no --endpoint, so the CLI treats the table as deployed — with the
   * SDK's own service-endpoint variable pointing it at DynamoDB Local, and a profile in shared-config
   * files of the test's own.
   */
  let awsEnv: NodeJS.ProcessEnv;

  beforeAll(() => {
    env = offlineEnv({ TICKWORK_KERNEL: KERNEL, NODE_NO_WARNINGS: '1' });
    writeFileSync(join(cwd, 'config'), '[profile ops]\nregion = eu-west-3\n');
    writeFileSync(join(cwd, 'credentials'), '[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = opssecret\n');
    awsEnv = { ...env, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), AWS_CONFIG_FILE: join(cwd, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
  });
  afterAll(() => client.destroy());

  it('creates a missing table on a local endpoint', async () => {
    const table = `test-reach-${randomUUID()}`;
    const result = await run(['history', '--table', table, '--endpoint', inject('dynamoEndpoint'), '--json'], env, cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(await tableExists(table)).toBe(true);
  });

  it('nothing listening at a local endpoint: exit 2, one line naming the table, the endpoint and what to do', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const line = oneErrorLine(await run(['monitor', '--table', 'tickwork-dev', '--endpoint', endpoint], env, cwd));
    expect(line).toBe(`error: no DynamoDB reachable at ${endpoint} for table "tickwork-dev" (ECONNREFUSED): start one (npx tickwork start runs it), or fix --endpoint / DYNAMODB_ENDPOINT`);
  });

  it('a table missing on AWS: exit 2 naming the table, the region and the profile; it is never created there', async () => {
    const table = `test-reach-${randomUUID()}`;
    const line = oneErrorLine(await run(['pause', '--table', table, '--note', 'n', '--profile', 'ops'], awsEnv, cwd));
    // The region comes from the profile: the profile was read.
    expect(line).toBe(`error: table "${table}" not found in AWS region eu-west-3 with profile ops: deploy the stage, or pass the right --stage, --table, --region or --profile`);
    expect(await tableExists(table)).toBe(false);
  });

  it('--profile supplies the credentials: without it the same command has none (exit 2), with it it reads the table', async () => {
    const table = `test-reach-${randomUUID()}`;
    await new DynamoDbStore({ tableName: table, client, deployment: 'dev' }).ensureTable();
    const without = oneErrorLine(await run(['history', '--table', table, '--region', 'us-east-1', '--json'], awsEnv, cwd));
    expect(without).toBe(`error: no AWS credentials to reach table "${table}" in AWS region us-east-1: pass --profile or set AWS_PROFILE, or --endpoint for a DynamoDB Local`);
    const withProfile = await run(['history', '--table', table, '--profile', 'ops', '--json'], awsEnv, cwd);
    expect(withProfile.code, withProfile.stderr).toBe(0);
    expect(JSON.parse(withProfile.stdout)).toEqual([]);
    // AWS_PROFILE is the same option.
    const fromEnv = await run(['history', '--table', table, '--json'], { ...awsEnv, AWS_PROFILE: 'ops' }, cwd);
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });
});
