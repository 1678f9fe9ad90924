/*
 * What the DynamoDB side of a tick costs, against DynamoDB Local (started here, stopped at the end):
 *  1. requests per tick — counted by a middleware on the real client — for 1,000 tasks of which K are
 *     due: should be 2 per due slot (claim, outcome) plus a constant, and nothing for the others;
 *  2. claiming 1,000 slots with bounded concurrency (the tick's limit) against one by one.
 * Run with `npm run bench`. It reports and never fails: these machines are noisy.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { Bench } from 'tinybench';
import { Schedule } from '../src/kernel/Schedule.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../src/local/dynamoDbLocal.js';
import { localSinks } from '../src/runner/createTickHandler.js';
import { CLAIM_CONCURRENCY, runTick } from '../src/runner/runTick.js';
import { DynamoDbStore } from '../src/store/DynamoDbStore.js';

const TASKS = 1_000;
const TARGET_SPEED_UP = 3;
const dynamo = await startDynamoDbLocal();
try {
  let requests = 0;
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  client.middlewareStack.add((next) => async (args) => ((requests += 1), next(args)), { step: 'initialize', name: 'countRequests' });
  const store = new DynamoDbStore({ tableName: 'bench', client });
  await store.ensureTable();

  // 1. Requests per tick.
  const minute = new Date('2026-11-23T10:00:00Z');
  const rows: { due: number; requests: number; perDueSlot: string; constant: number }[] = [];
  for (const due of [0, 10, 100, 1_000]) {
    const schedule = new Schedule();
    for (let i = 0; i < TASKS; i++) schedule.call(() => {}).name(`task-${i}`).cron(i < due ? '* * * * *' : '0 3 1 1 *');
    const deployment = `requests-${due}`;
    requests = 0;
    await runTick({
      tasks: schedule.compiled(), commands: schedule.commands, store: new DynamoDbStore({ tableName: 'bench', client, deployment }),
      sinks: localSinks(mkdtempSync(join(tmpdir(), 'tw-bench-'))), stage: 'bench', minute, owner: deployment,
      deadline: Date.now() + 60_000, now: Date.now, logger: new Logger({ logLevel: 'SILENT' }),
    });
    rows.push({ due, requests, perDueSlot: due === 0 ? '—' : ((requests - 3) / due).toFixed(2), constant: requests - 2 * due });
  }
  console.log(`\nDynamoDB requests for one tick over ${TASKS} tasks (claim + outcome per due slot; tick state read/write and pauses read per tick):`);
  console.table(rows);

  // 2. Claiming 1,000 slots: one by one against bounded concurrency, on fresh slots each iteration.
  let round = 0;
  const claimAll = async (limit: number) => {
    const run = pLimit(limit);
    const slot = `2026-11-23T10:00:${String(round++ % 60).padStart(2, '0')}.${round}Z`;
    await Promise.all(Array.from({ length: TASKS }, (_, i) => run(() => store.claimSlot({ task: `claim-${i}`, slot, owner: 'bench', claimedAt: 0 }))));
  };
  const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
  bench.add('one by one', () => claimAll(1)).add(`bounded (${CLAIM_CONCURRENCY} in flight, as the tick)`, () => claimAll(CLAIM_CONCURRENCY));
  await bench.run();
  const median = (name: string) => {
    const result = bench.tasks.find((t) => t.name.startsWith(name))?.result;
    return result !== undefined && 'latency' in result ? (result.latency.p50 ?? Number.NaN) : Number.NaN;
  };
  const sequential = median('one by one');
  const bounded = median('bounded');
  const speedUp = sequential / bounded;
  console.log(`\nClaiming ${TASKS} slots on DynamoDB Local (median of 5):`);
  console.table([
    { way: 'one by one', 'median ms': sequential.toFixed(0) },
    { way: `bounded, ${CLAIM_CONCURRENCY} in flight`, 'median ms': bounded.toFixed(0) },
  ]);
  console.log(`speed-up ${speedUp.toFixed(1)}× — target ≥ ${TARGET_SPEED_UP}×: ${speedUp >= TARGET_SPEED_UP ? 'PASS' : 'FAIL'}`);
  client.destroy();
} finally {
  await dynamo.stop();
}
