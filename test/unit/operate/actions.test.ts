import { describe, expect, it } from 'vitest';
import { InvalidActionError, InvalidDispatchError, TickworkError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { isInvalidAction, ScheduleActions } from '../../../src/operate/actions.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

const NOW = Date.parse('2026-11-23T10:00:30Z');

function actions(): { actions: ScheduleActions; store: MemoryStore } {
  const schedule = new Schedule();
  schedule.call(() => {}).name('reports:daily').dailyAt('02:00');
  const store = new MemoryStore();
  return { actions: new ScheduleActions({ schedule, store, stage: 'prod', now: () => NOW }), store };
}

describe('ScheduleActions', () => {
  it('pauses a task or the scheduler with its note and time, and says so as the CLI prints it', async () => {
    const { actions: a, store } = actions();
    expect(await a.pause({ task: 'reports:daily', note: '  bad upstream data ' })).toEqual({ message: 'paused task "reports:daily" (prod): bad upstream data' });
    expect(await a.pause({ note: 'deploying' })).toEqual({ message: 'paused the scheduler (prod): deploying' });
    const pauses = await store.pauses();
    expect(pauses.tasks.get('reports:daily')).toEqual({ note: 'bad upstream data', pausedAt: NOW });
    expect(pauses.all).toEqual({ note: 'deploying', pausedAt: NOW });
  });

  it('refuses a pause without a note, or of a task the kernel does not have, and writes nothing', async () => {
    const { actions: a, store } = actions();
    await expect(a.pause({ task: 'reports:daily', note: ' ' })).rejects.toThrow(new InvalidActionError('note', "a pause needs a note saying why (shown in every skipped slot's log line)"));
    await expect(a.pause({ task: 'reports:dayly', note: 'x' })).rejects.toThrow('unknown task "reports:dayly": the kernel has "reports:daily"');
    expect(await store.pauses()).toEqual({ all: undefined, tasks: new Map() });
  });

  it('resumes, and says when there was nothing to resume', async () => {
    const { actions: a } = actions();
    await a.pause({ task: 'reports:daily', note: 'x' });
    expect((await a.resume('reports:daily')).message).toBe('resumed task "reports:daily" (prod)');
    expect((await a.resume('reports:daily')).message).toBe('task "reports:daily" was not paused (prod)');
    expect((await a.resume()).message).toBe('the scheduler was not paused (prod)');
  });

  it("says a resume's note in its message; the store keeps no note for a lifted pause", async () => {
    const { actions: a, store } = actions();
    await a.pause({ note: 'deploy' });
    expect((await a.resume(undefined, '  deploy done ')).message).toBe('resumed the scheduler (prod): deploy done');
    expect(await store.pauses()).toEqual({ all: undefined, tasks: new Map() });
  });

  it('queues a one-off run now, as tickwork dispatch does', async () => {
    const { actions: a, store } = actions();
    const { queued, message } = await a.dispatch('reports:daily');
    expect(queued).toMatchObject({ task: 'reports:daily', at: new Date(NOW) });
    expect(message).toBe(`queued reports:daily for 2026-11-23T10:00:30.000Z (prod), slot ${queued.slot}`);
    expect((await store.dueRuns(NOW, 10)).map((r) => [r.task, r.slot])).toEqual([['reports:daily', queued.slot]]);
    const refused = await a.dispatch('nope').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidActionError);
    expect(isInvalidAction(refused)).toBe(true);
    expect(isInvalidAction(await a.dispatch('reports:daily', { payload: 'x'.repeat(70_000) }).catch((error: unknown) => error))).toBe(true);
    expect(isInvalidAction(new InvalidDispatchError('at', 'x'))).toBe(true);
    expect(isInvalidAction(new TickworkError('STORE_ERROR', 'x'))).toBe(false);
  });

  it('needs the kernel only to act on one task', async () => {
    const store = new MemoryStore();
    const bare = new ScheduleActions({ store, stage: 'prod' });
    expect((await bare.pause({ note: 'x' })).message).toBe('paused the scheduler (prod): x');
    await expect(bare.pause({ task: 'a', note: 'x' })).rejects.toThrow('ScheduleActions needs the kernel');
  });
});
