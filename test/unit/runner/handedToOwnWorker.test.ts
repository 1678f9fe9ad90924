import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskEvent } from '../../../src/dispatch/Dispatcher.js';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { createTaskHandler } from '../../../src/runner/createTaskHandler.js';
import { localSinks } from '../../../src/runner/createTickHandler.js';
import { runTick } from '../../../src/runner/runTick.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';
import type { Store } from '../../../src/store/Store.js';
import { deferred } from '../../deferred.js';
import { lambdaContext } from '../../integration/lambdaContext.js';

const root = mkdtempSync(join(tmpdir(), 'tickwork-handed-'));
const MINUTE = new Date('2026-11-23T10:05:00Z');
const logger = new Logger({ logLevel: 'SILENT' });

/** Every Store method forwarded, completeRun overridable. */
function faultyCompleteRun(store: MemoryStore, fails: (slot: string) => boolean): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'completeRun') {
        return async (outcome: Parameters<Store['completeRun']>[0]) => {
          if (fails(outcome.slot)) throw new Error('ProvisionedThroughputExceededException');
          return target.completeRun(outcome);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Store;
}

/**
 * One tick has two slots of a fan-out `bufferOne` task (its scheduled slot and a one-off): the first
 * takes the lease and is sent, the second waits behind it and its `buffered` write fails, so the tick
 * fails and Lambda retries it. The first slot's worker holds the lease under the tick's own owner, and
 * takes the one-off from behind it — a retry that re-took the lease as its own and sent the one-off
 * again would run it twice.
 */
describe('a tick\'s Lambda retry, when a worker of its own took the slot it buffered from behind the lease', () => {
  it('does not send that slot again: it runs once, and its run is recorded', async () => {
    const oneOff = `${MINUTE.toISOString()}#one`;
    const started: string[] = [];
    const opened = deferred();
    const inside = deferred();
    const schedule = new Schedule();
    schedule.call(async ({ slot }) => {
      started.push(slot);
      if (slot === oneOff) {
        inside.resolve();
        await opened.promise;
      }
    }).name('fan').everyMinute().withoutOverlapping({ policy: 'bufferOne' }).onLambda({ timeout: 120 });
    const store = new MemoryStore('blue');
    // A one-off for the same task, due in the same minute as its scheduled slot.
    await store.enqueue({ id: 'one', task: 'fan', slot: oneOff, at: MINUTE.getTime(), attempt: 0, enqueuedAt: MINUTE.getTime() - 1_000 });
    let down = true;
    const faulty = faultyCompleteRun(store, (slot) => down && slot === oneOff);
    const dispatcher = new MemoryDispatcher();
    const tick = () => runTick({
      tasks: schedule.compiled(), commands: schedule.commands, sinks: localSinks(root), stage: 'test', store: faulty, dispatcher,
      deployment: 'blue', minute: MINUTE, owner: 'tick-1', deadline: MINUTE.getTime() + 55_000, now: () => MINUTE.getTime() + 100, logger,
    });
    // First attempt: the scheduled slot takes the lease and is sent; the one-off is put behind the lease,
    // and its `buffered` write fails past every retry, so the tick fails (Lambda retries it).
    await expect(tick()).rejects.toThrow();
    down = false;
    expect(dispatcher.sent.map((e) => e.slot)).toEqual([MINUTE.toISOString()]);
    expect((await store.lease('fan'))?.pending).toMatchObject({ slot: oneOff, owner: 'tick-1' });

    const worker = createTaskHandler({ schedule, store, deployment: 'blue', sinks: localSinks(root), logger, now: () => MINUTE.getTime() + 2_000 });
    // The worker runs the scheduled slot, then takes the one-off from behind the lease and is running it …
    const first = worker(taskEvent(dispatcher.sent[0]!), lambdaContext('worker-1'));
    await inside.promise;
    expect(await store.lease('fan')).toMatchObject({ owner: 'tick-1', slot: oneOff });
    // … when Lambda's retry of the tick comes.
    await tick();
    const resent = dispatcher.sent.filter((e) => e.slot === oneOff);
    const second = resent.map((event) => worker(taskEvent(event), lambdaContext('worker-2')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    opened.resolve();
    await Promise.allSettled([first, ...second]);
    expect(started.filter((s) => s === oneOff), 'the one-off started twice').toHaveLength(1);
    expect(resent, 'the retry sent the one-off again').toEqual([]);
    expect(await store.getRun('fan', oneOff)).toMatchObject({ status: 'succeeded', owner: 'tick-1' });
  });
});
