/*
 * What handing 1,000 due fan-out slots to EventBridge costs: `EventBridgeDispatcher` (batches of 10,
 * 10 requests in flight) against one `PutEvents` per event, one at a time, both through the real SDK
 * client to a local PutEvents stub (started here, stopped at the end). The stub answers at once, so
 * this measures the dispatcher and the SDK, not EventBridge's latency — which only widens the gap.
 * The request count and the delivery are deterministic: a wrong one is a bug, and throws.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Bench } from 'tinybench';
import { TASK_EVENT_DETAIL_TYPE, TASK_EVENT_SOURCE, taskEventId, type TaskEventDetail } from '../../src/dispatch/Dispatcher.js';
import { EventBridgeDispatcher, MAX_ENTRIES_PER_REQUEST } from '../../src/dispatch/EventBridgeDispatcher.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schedule } from '../../src/kernel/Schedule.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/local/dynamoDbLocal.js';
import { localSinks } from '../../src/runner/createTickHandler.js';
import { runTick } from '../../src/runner/runTick.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { putEventsReply, startAwsStub } from '../../test/unit/dispatch/awsStub.js';
import type { BudgetRow } from '../stats.js';

const EVENTS = 1_000;
const BUS = 'tickwork-bench';
/** The targets set on the issue. */
const TARGET_CALLS = Math.ceil(EVENTS / MAX_ENTRIES_PER_REQUEST);
const TARGET_MEDIAN_MS = 2_000;

const slot = '2026-11-23T10:00:00.000Z';
const events: TaskEventDetail[] = Array.from({ length: EVENTS }, (_, i) => {
  const task = `reports:tenant-${i}`;
  return { version: 1, id: taskEventId('bench', task, slot), deployment: 'bench', task, slot, at: slot, owner: 'tick-bench', fence: null, attempt: 1 };
});

export async function dispatchCases(): Promise<BudgetRow[]> {
  const stub = await startAwsStub((request) => putEventsReply(request));
  const client = new EventBridgeClient({ endpoint: stub.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    // Calls per dispatch, counted by the dispatcher's hook and checked against what the stub received.
    const callCounts: number[] = [];
    const undelivered: number[] = [];
    let calls = 0;
    const dispatcher = new EventBridgeDispatcher({ client, busName: BUS, onCall: () => void (calls += 1) });
    const batched = async () => {
      calls = 0;
      const received = stub.requests.length;
      const outcomes = await dispatcher.dispatch(events);
      callCounts.push(calls, stub.requests.length - received);
      undelivered.push(outcomes.filter((o) => !o.dispatched).length);
    };
    // The baseline: what a dispatcher without batching or concurrency does.
    const oneByOne = async () => {
      for (const detail of events) {
        const entry = { Source: TASK_EVENT_SOURCE, DetailType: TASK_EVENT_DETAIL_TYPE, Detail: JSON.stringify(detail), EventBusName: BUS };
        await client.send(new PutEventsCommand({ Entries: [entry] }));
      }
    };

    // A whole tick with 1,000 due fan-out tasks: plan, claim each slot (in memory, so the store's own
    // cost stays out — bench/store.ts measures that), build the events and dispatch them.
    const schedule = new Schedule();
    for (let i = 0; i < EVENTS; i++) schedule.call(() => {}).name(`reports:tenant-${i}`).everyMinute().runInBackground();
    const tasks = schedule.compiled();
    const sinks = localSinks(mkdtempSync(join(tmpdir(), 'tw-bench-dispatch-')));
    const silent = new Logger({ logLevel: 'SILENT' });
    const tickCalls: number[] = [];
    let minute = Date.parse(slot);
    const wholeTick = async () => {
      calls = 0;
      minute += 60_000;
      const at = minute;
      const report = await runTick({
        tasks, commands: schedule.commands, store: new MemoryStore('bench'), dispatcher, deployment: 'bench', sinks, stage: 'bench',
        minute: new Date(at), owner: `tick-${at}`, deadline: at + 55_000, now: () => at + 100, logger: silent,
      });
      tickCalls.push(calls);
      undelivered.push(EVENTS - report.dispatched.length);
    };

    const bench = new Bench({ iterations: 10, warmupIterations: 1, time: 0 });
    bench
      .add('EventBridgeDispatcher (10 per request, 10 in flight)', batched)
      .add('one PutEvents per event, one at a time', oneByOne)
      .add('a whole tick: runTick, 1,000 due fan-out tasks', wholeTick);
    await bench.run();

    const median = (name: string) => {
      const result = bench.tasks.find((t) => t.name.startsWith(name))?.result;
      return result !== undefined && 'latency' in result ? (result.latency.p50 ?? Number.NaN) : Number.NaN;
    };
    const batchedMs = median('EventBridgeDispatcher');
    const baselineMs = median('one PutEvents');
    const tickMs = median('a whole tick');
    const distinctCounts = [...new Set(callCounts)];
    const distinctTickCounts = [...new Set(tickCalls)];

    const callsOk = distinctCounts.length === 1 && distinctCounts[0] === TARGET_CALLS && distinctTickCounts.length === 1 && distinctTickCounts[0] === TARGET_CALLS;
    if (!callsOk) throw new Error(`dispatching ${EVENTS} events took ${distinctCounts.join(' / ')} PutEvents calls (a whole tick: ${distinctTickCounts.join(' / ')}), not ${TARGET_CALLS}`);
    if (undelivered.some((n) => n > 0)) throw new Error(`${Math.max(...undelivered)} of ${EVENTS} events were not delivered`);
    return [
      { case: `0. dispatch ${EVENTS} fan-out events in ${TARGET_CALLS} PutEvents calls, vs one call per event`, median: batchedMs, baseline: baselineMs, judge: 'value', limit: TARGET_MEDIAN_MS, unit: 'ms' },
      { case: `0. a whole tick with ${EVENTS} due fan-out tasks (claims in memory)`, median: tickMs, judge: 'value', limit: TARGET_MEDIAN_MS, unit: 'ms' },
    ];
  } finally {
    client.destroy();
    await stub.close();
  }
}
