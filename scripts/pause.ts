// `npm run schedule:pause -- --note "…" [--task name] [--stage prod]` and `npm run schedule:resume`:
// pause or resume the scheduler (or one task) of a deployment, in its table. Ticks skip paused tasks
// with reason `paused` — unless they say evenWhenPaused() — until resumed.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { TickworkError } from '../src/errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/local/dynamoDbLocal.js';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      resume: { type: 'boolean', default: false },
      task: { type: 'string' },
      note: { type: 'string' },
      stage: { type: 'string', default: process.env.TICKWORK_STAGE ?? 'dev' },
    },
  });
  if (!values.resume && (values.note === undefined || values.note.trim() === '')) {
    throw new TickworkError('INVALID_ARGUMENT', 'schedule:pause needs --note "why" (shown in every skipped slot\'s log line)');
  }
  // DYNAMODB_ENDPOINT: a local table (npm start prints its endpoint); otherwise AWS, with your credentials.
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const client = endpoint ? new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }) : new DynamoDBClient({});
  const store = new DynamoDbStore({ tableName: `tickwork-${values.stage}`, client, deployment: values.stage });
  const what = values.task === undefined ? 'the scheduler' : `task "${values.task}"`;
  try {
    if (values.resume) {
      const had = await store.resume(values.task);
      process.stdout.write(had ? `resumed ${what} (${values.stage})\n` : `${what} was not paused (${values.stage})\n`);
    } else {
      await store.pause({ ...(values.task === undefined ? {} : { task: values.task }), note: values.note ?? '', pausedAt: Date.now() });
      process.stdout.write(`paused ${what} (${values.stage}): ${values.note}\n`);
    }
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof TickworkError ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
