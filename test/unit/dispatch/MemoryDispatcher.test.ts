import { describe, expect, it } from 'vitest';
import { MemoryDispatcher } from '../../../src/dispatch/MemoryDispatcher.js';
import { InvalidDispatcherConfigError } from '../../../src/errors.js';
import { detail, details } from './fixtures.js';

describe('MemoryDispatcher', () => {
  it('delivers every event at the first attempt and records it', async () => {
    const dispatcher = new MemoryDispatcher();
    const events = details(3);

    expect(await dispatcher.dispatch(events)).toEqual(events.map((e) => ({ id: e.id, dispatched: true, attempts: 1 })));
    expect(dispatcher.sent).toEqual(events);
  });

  it('retries an attempt `fail` fails, and records the event once, when delivered', async () => {
    const seen: [string, number][] = [];
    const dispatcher = new MemoryDispatcher({
      fail: (event, attempt) => (seen.push([event.task, attempt]), event.task === 'task-1' && attempt < 3 ? 'ThrottlingException: slow down' : undefined),
    });
    const events = details(3);
    const outcomes = await dispatcher.dispatch(events);

    expect(outcomes).toEqual([
      { id: events[0]!.id, dispatched: true, attempts: 1 },
      { id: events[1]!.id, dispatched: true, attempts: 3 },
      { id: events[2]!.id, dispatched: true, attempts: 1 },
    ]);
    expect(seen).toEqual([['task-0', 1], ['task-1', 1], ['task-2', 1], ['task-1', 2], ['task-1', 3]]);
    expect(dispatcher.sent.map((e) => e.task)).toEqual(['task-0', 'task-2', 'task-1']);
  });

  it('gives up after maxAttempts with the last error, and does not record the event', async () => {
    const dispatcher = new MemoryDispatcher({ maxAttempts: 2, fail: (event, attempt) => (event.task === 'b' ? `failure ${attempt}` : undefined) });
    const outcomes = await dispatcher.dispatch([detail('a'), detail('b')]);

    expect(outcomes[1]).toEqual({ id: detail('b').id, dispatched: false, attempts: 2, error: 'failure 2' });
    expect(dispatcher.sent.map((e) => e.task)).toEqual(['a']);
  });

  it('fails a detail that is not JSON with attempts 0, as the AWS dispatchers do', async () => {
    const dispatcher = new MemoryDispatcher();
    const [outcome] = await dispatcher.dispatch([detail('big-int', { payload: 10n })]);

    expect(outcome).toMatchObject({ dispatched: false, attempts: 0, error: expect.stringContaining('BigInt') });
    expect(dispatcher.sent).toEqual([]);
  });

  it('records what a worker would receive: the detail after a trip through JSON', async () => {
    const dispatcher = new MemoryDispatcher();
    await dispatcher.dispatch([detail('a', { payload: { when: new Date('2026-11-23T10:00:00Z') } })]);

    expect(dispatcher.sent[0]?.payload).toEqual({ when: '2026-11-23T10:00:00.000Z' });
  });

  it('hands out a snapshot of what was sent', async () => {
    const dispatcher = new MemoryDispatcher();
    await dispatcher.dispatch([detail('a')]);
    const snapshot = dispatcher.sent;
    await dispatcher.dispatch([detail('b')]);

    expect(snapshot.map((e) => e.task)).toEqual(['a']);
    expect(dispatcher.sent.map((e) => e.task)).toEqual(['a', 'b']);
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts', /MemoryDispatcher expects maxAttempts to be a whole number ≥ 1, got 0/],
    [{ fail: 'always' }, 'fail', /MemoryDispatcher expects fail to be a function, got "always"/],
    [{ sleep: async () => {} }, 'sleep', /MemoryDispatcher got unknown option sleep; expected only fail, maxAttempts/],
  ])('rejects %j', (options, field, message) => {
    const build = () => new MemoryDispatcher(options as never);
    expect(build).toThrow(InvalidDispatcherConfigError);
    expect(build).toThrow(message);
    expect(build).toThrow(expect.objectContaining({ field }));
  });
});
