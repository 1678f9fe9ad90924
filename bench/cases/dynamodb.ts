/*
 * Budgets 3, 5 and 6, against DynamoDB Local (started here, stopped at the end):
 *  3. the DynamoDB requests of an idle tick (nothing due, nothing queued) and per due slot, counted by
 *     a middleware on the real client;
 *  5. claiming 1,000 due slots through a proxy adding 5 ms of round trip: bounded concurrency (the
 *     tick's own limit) against one at a time;
 *  6. a whole tick through the same proxy: 1,000 registered tasks, 100 of them due, inline no-ops.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { dynamoDbClientConfig } from '../../src/aws/dynamoDbClientConfig.js';
import { Schedule } from '../../src/kernel/Schedule.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../src/local/dynamoDbLocal.js';
import { localSinks } from '../../src/runner/sinks.js';
import { CLAIM_CONCURRENCY, runTick } from '../../src/runner/runTick.js';
import { DynamoDbStore } from '../../src/store/DynamoDbStore.js';
import { median, p90, type BudgetRow } from '../stats.js';
import { startLatencyProxy } from './latencyProxy.js';

const TASKS = 1_000;
const DUE = 100;
const CLAIMS = 1_000;
/** Half of the 5 ms round trip, each way. */
const ONE_WAY_MS = 2.5;
const CLAIM_ROUNDS = 3;
const TICK_ROUNDS = 11;
const MINUTE_MS = 60_000;
const silent = new Logger({ logLevel: 'SILENT' });

/** 1,000 tasks: the first `due` every minute, the others once a year at 03:00 on 1 January. */
function kernel(due: number): Schedule {
  const schedule = new Schedule();
  for (let i = 0; i < TASKS; i++) schedule.call(() => {}).name(`task-${i}`).cron(i < due ? '* * * * *' : '0 3 1 1 *');
  return schedule;
}

export async function dynamoDbCases(): Promise<BudgetRow[]> {
  const dynamo = await startDynamoDbLocal();
  const proxy = await startLatencyProxy(dynamo.port, ONE_WAY_MS);
  const outputs = mkdtempSync(join(tmpdir(), 'tickwork-bench-'));
  const sinks = localSinks(outputs);
  const clients: DynamoDBClient[] = [];
  const client = (endpoint: string) => {
    // The settings the Lambdas use (retries, timeouts, the cached middleware stack).
    const made = new DynamoDBClient({ ...dynamoDbClientConfig(), endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    clients.push(made);
    return made;
  };
  try {
    // 3. Requests, counted on the client, on loopback (latency does not change a count).
    let requests = 0;
    const counted = client(dynamo.endpoint);
    counted.middlewareStack.add((next) => async (args) => ((requests += 1), next(args)), { step: 'initialize', name: 'countRequests' });
    await new DynamoDbStore({ tableName: 'bench', client: counted }).ensureTable();
    const tickRequests = async (due: number, deployment: string) => {
      const schedule = kernel(due);
      const store = new DynamoDbStore({ tableName: 'bench', client: counted, deployment });
      const tick = (minute: number) =>
        runTick({ tasks: schedule.compiled(), commands: schedule.commands, store, sinks, stage: 'bench', minute: new Date(minute), owner: `${deployment}-${minute}`, deadline: Date.now() + MINUTE_MS, now: Date.now, logger: silent });
      // The minute before, so the counted tick is an ordinary next minute, not the very first tick.
      const minute = Date.UTC(2026, 10, 23, 10, 0);
      await tick(minute - MINUTE_MS);
      requests = 0;
      await tick(minute);
      return requests;
    };
    const idle = await tickRequests(0, 'idle');
    const busy = await tickRequests(DUE, 'busy');

    // 5. Claims through the proxy, on fresh slots each round; the two ways alternate after one
    //    untimed round each (DynamoDB Local's JIT).
    const store = new DynamoDbStore({ tableName: 'bench', client: client(proxy.endpoint), deployment: 'claims' });
    let round = 0;
    const claimAll = async (limit: number) => {
      const run = pLimit(limit);
      const slot = new Date(Date.UTC(2026, 10, 23, 11, 0) + round++ * MINUTE_MS).toISOString();
      const started = performance.now();
      await Promise.all(Array.from({ length: CLAIMS }, (_, i) => run(() => store.claimSlot({ task: `claim-${i}`, slot, owner: 'bench', claimedAt: 0 }))));
      return performance.now() - started;
    };
    const claims = { oneByOne: [] as number[], bounded: [] as number[] };
    await claimAll(1);
    await claimAll(CLAIM_CONCURRENCY);
    for (let i = 0; i < CLAIM_ROUNDS; i++) {
      claims.oneByOne.push(await claimAll(1));
      claims.bounded.push(await claimAll(CLAIM_CONCURRENCY));
    }

    // 6. Whole ticks through the proxy, each for the next minute (fresh slots); the first is untimed.
    const schedule = kernel(DUE);
    const tickStore = new DynamoDbStore({ tableName: 'bench', client: client(proxy.endpoint), deployment: 'ticks' });
    const ticks: number[] = [];
    const first = Date.UTC(2026, 10, 24, 10, 0);
    for (let i = 0; i < TICK_ROUNDS; i++) {
      const minute = first + i * MINUTE_MS;
      const started = performance.now();
      const report = await runTick({ tasks: schedule.compiled(), commands: schedule.commands, store: tickStore, sinks, stage: 'bench', minute: new Date(minute), owner: `tick-${minute}`, deadline: Date.now() + MINUTE_MS, now: Date.now, logger: silent });
      if (report.ran.length !== DUE) throw new Error(`a bench tick ran ${report.ran.length} of ${DUE} due tasks`);
      if (i > 0) ticks.push(performance.now() - started);
    }

    return [
      { case: `3. DynamoDB requests, idle tick (${TASKS} tasks, none due, nothing queued)`, median: idle, judge: 'value', limit: 1, unit: '' },
      { case: `3. DynamoDB requests per due slot (${DUE} of ${TASKS} due, less the idle tick's)`, median: (busy - idle) / DUE, judge: 'value', limit: 2, unit: '' },
      {
        case: `5. claim ${CLAIMS} due slots, 5 ms round trip: ${CLAIM_CONCURRENCY} claims in flight (sent together) vs one at a time`,
        median: median(claims.bounded), p90: p90(claims.bounded), baseline: median(claims.oneByOne), judge: 'speed-up', limit: 10, unit: 'ms',
      },
      { case: `6. whole tick, 5 ms round trip: ${TASKS} tasks, ${DUE} due inline no-ops`, median: median(ticks), p90: p90(ticks), judge: 'value', limit: 250, unit: 'ms' },
    ];
  } finally {
    for (const made of clients) made.destroy();
    await proxy.close();
    await dynamo.stop();
    rmSync(outputs, { recursive: true, force: true });
  }
}
