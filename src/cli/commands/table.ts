import { DynamoDbStore } from '../../store/DynamoDbStore.js';
import type { Project, TableOptions } from '../project.js';
import { UsageError } from '../usage.js';

/** Socket errors that mean nothing answers at the address: no DynamoDB there to talk to. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Runs `work` on the stage's table; closes the client after. On a local endpoint (`--endpoint`,
 * `DYNAMODB_ENDPOINT`) a missing table is created first, from the definition the stack deploys; on AWS
 * it never is — the stack owns it. A table that cannot be reached is a usage error (exit 2, one line)
 * naming the table, where it was looked for and what to do: on AWS the table is missing
 * (`ResourceNotFoundException`, usually the wrong stage, region or profile), or there are no
 * credentials; locally nothing listens at the endpoint.
 */
export async function withStore<T>(project: Project, options: TableOptions, work: (store: DynamoDbStore, tableName: string) => Promise<T>): Promise<T> {
  const tableName = project.table(options.stage, options.table);
  const deployment = project.deployment(options.stage, options.deployment);
  const client = project.dynamoDbClient(options);
  try {
    const store = new DynamoDbStore({ tableName, client, deployment });
    if (options.endpoint) await store.ensureTable();
    return await work(store, tableName);
  } catch (error) {
    throw unreachable(error, tableName, options, await client.config.region().catch(() => undefined)) ?? error;
  } finally {
    client.destroy();
  }
}

/** The usage error for a table that cannot be reached, or undefined for any other failure. */
export function unreachable(error: unknown, tableName: string, options: TableOptions, region: string | undefined): UsageError | undefined {
  const chain = causes(error);
  const where = options.endpoint ? `at ${options.endpoint}` : `in AWS region ${region ?? '(none configured)'}${options.profile ? ` with profile ${options.profile}` : ''}`;
  if (chain.some((e) => nameOf(e) === 'ResourceNotFoundException')) {
    return new UsageError(`table "${tableName}" not found ${where}: deploy the stage, or pass the right --stage, --table, --region or --profile`);
  }
  const socket = chain.map(codeOf).find((code) => code !== undefined && UNREACHABLE_CODES.has(code));
  if (socket !== undefined) {
    const fix = options.endpoint
      ? 'start one (npx tickwork start runs it), or fix --endpoint / DYNAMODB_ENDPOINT'
      : 'check your network and --region';
    return new UsageError(`no DynamoDB reachable ${where} for table "${tableName}" (${socket}): ${fix}`);
  }
  if (chain.some((e) => nameOf(e) === 'CredentialsProviderError')) {
    return new UsageError(`no AWS credentials to reach table "${tableName}" ${where}: pass --profile or set AWS_PROFILE, or --endpoint for a DynamoDB Local`);
  }
  return undefined;
}

/**
 * An error and what it wraps, outermost first: the store wraps the SDK's errors in a `StoreError`, an
 * `AggregateError` carries the tick's store faults, and Node's connect errors may be aggregated too.
 */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && chain.length < 20) {
    const e = queue.shift();
    if (e === undefined || e === null) continue;
    chain.push(e);
    queue.push((e as { cause?: unknown }).cause);
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested)) queue.push(...(nested as unknown[]));
  }
  return chain;
}

const nameOf = (e: unknown) => (e as { name?: unknown }).name;
const codeOf = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};
