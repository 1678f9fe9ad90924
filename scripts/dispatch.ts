// `npm run schedule:dispatch -- <task> [--after 90s | --at 2026-11-23T10:00:00Z] [--payload '{"customer":42}'] [--stage dev]`:
// queues a one-off run of a kernel task in a deployment's table, as `dispatchAt`/`dispatchAfter` do
// from code. The first tick from its time on runs it (inline or in the task's own Lambda), once.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import ms from 'ms';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDispatch } from '../src/dispatch/dispatchAt.js';
import { TickworkError } from '../src/errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/local/dynamoDbLocal.js';
import { kernelPath, loadKernel } from '../src/local/loadKernel.js';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      after: { type: 'string' },
      at: { type: 'string' },
      payload: { type: 'string' },
      stage: { type: 'string', default: process.env.TICKWORK_STAGE ?? 'dev' },
    },
  });
  const [task, ...rest] = positionals;
  if (task === undefined || rest.length > 0) {
    throw new TickworkError('INVALID_ARGUMENT', `schedule:dispatch needs exactly one task name, got ${positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(', ')}`);
  }
  if (values.after !== undefined && values.at !== undefined) {
    throw new TickworkError('INVALID_ARGUMENT', 'schedule:dispatch takes --after or --at, not both');
  }
  let payload: unknown;
  if (values.payload !== undefined) {
    try {
      payload = JSON.parse(values.payload);
    } catch (error) {
      throw new TickworkError('INVALID_ARGUMENT', `--payload must be JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  const schedule = await loadKernel(kernelPath(root));
  // DYNAMODB_ENDPOINT: a local table (npm start prints its endpoint); otherwise AWS, with your credentials.
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const client = endpoint ? new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }) : new DynamoDBClient({});
  const dispatch = createDispatch({ store: new DynamoDbStore({ tableName: `tickwork-${values.stage}`, client, deployment: values.stage }), schedule });
  try {
    const queued = values.at !== undefined
      ? await dispatch.dispatchAt(new Date(values.at), task, payload)
      : await dispatch.dispatchAfter(delay(values.after), task, payload);
    process.stdout.write(`queued ${queued.task} for ${queued.at.toISOString()} (${values.stage}), slot ${queued.slot}\n`);
  } finally {
    client.destroy();
  }
}

/** `--after` as milliseconds: `90s`, `5m`, `2h`, or a bare number of milliseconds; none means now. */
function delay(after: string | undefined): number {
  if (after === undefined) return 0;
  const parsed = ms(after as ms.StringValue);
  if (typeof parsed !== 'number' || Number.isNaN(parsed) || parsed < 0) {
    throw new TickworkError('INVALID_ARGUMENT', `--after expects a duration such as 90s, 5m or 2h, got "${after}"`);
  }
  return parsed;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof TickworkError ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
