import { describe, expect, it } from 'vitest';
import { onFirstDispatch } from '../../../functions/dispatchers.js';
import type { Dispatcher, TaskEventDetail } from '../../../src/dispatch/Dispatcher.js';

const event = (id: string) => ({ id }) as TaskEventDetail;

describe('onFirstDispatch: a tick builds its dispatcher (and AWS client) when the first fan-out slot is sent', () => {
  it('is not built at start-up, is built once, and sends through the dispatcher it built', async () => {
    let built = 0;
    const sent: string[] = [];
    const dispatcher = onFirstDispatch((): Dispatcher => {
      built++;
      return { dispatch: async (events) => events.map((e) => (sent.push(e.id), { id: e.id, dispatched: true as const, attempts: 1 })) };
    });
    expect(built).toBe(0);
    expect(await dispatcher.dispatch([event('a'), event('b')])).toEqual([{ id: 'a', dispatched: true, attempts: 1 }, { id: 'b', dispatched: true, attempts: 1 }]);
    await dispatcher.dispatch([event('c')]);
    expect({ built, sent }).toEqual({ built: 1, sent: ['a', 'b', 'c'] });
  });

  it('one that cannot be built reports every event not sent, saying why, and is tried again on the next call', async () => {
    let attempts = 0;
    const dispatcher = onFirstDispatch((): Dispatcher => {
      attempts++;
      throw new Error('busName must be an event bus name');
    });
    expect(await dispatcher.dispatch([event('a'), event('b')])).toEqual([
      { id: 'a', dispatched: false, attempts: 0, error: 'the dispatcher could not be built: busName must be an event bus name' },
      { id: 'b', dispatched: false, attempts: 0, error: 'the dispatcher could not be built: busName must be an event bus name' },
    ]);
    await dispatcher.dispatch([event('c')]);
    expect(attempts).toBe(2);
  });
});
