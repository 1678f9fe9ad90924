import { describe, expect, it } from 'vitest';
import { taskEvent, taskEventId, type TaskEventDetail } from '../../../src/dispatch/Dispatcher.js';
import { MAX_PAYLOAD_BYTES } from '../../../src/dispatch/dispatchAt.js';
import { MAX_TASK_EVENT_DETAIL_BYTES, parseTaskEvent } from '../../../src/dispatch/parseTaskEvent.js';
import { InvalidTaskEventError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';

const SLOT = '2026-11-23T10:05:00.000Z';
const TASK = 'invoices:export';

const schedule = new Schedule();
schedule.call(() => {}).name(TASK).everyFiveMinutes().runInBackground();
schedule.call(() => {}).name('inline').everyFiveMinutes();
const tasks = new Map(schedule.compiled().map((task) => [task.definition.name, task]));
const options = { tasks, deployment: 'blue' };

/** A detail as the tick sends it for `TASK` at SLOT, in deployment `blue`. */
function detail(overrides: Partial<TaskEventDetail> = {}): TaskEventDetail {
  return { version: 1, id: taskEventId('blue', TASK, SLOT), deployment: 'blue', task: TASK, slot: SLOT, at: SLOT, owner: 'tick-1', fence: null, attempt: 1, ...overrides };
}

/** A payload whose JSON is exactly `bytes` long. */
const payloadOf = (bytes: number) => 'x'.repeat(bytes - 2);

function refusal(event: unknown, only?: string): InvalidTaskEventError {
  try {
    parseTaskEvent(event, only === undefined ? options : { ...options, only });
  } catch (error) {
    if (error instanceof InvalidTaskEventError) return error;
    throw error;
  }
  throw new Error('expected the event to be refused');
}

describe('parseTaskEvent', () => {
  it('accepts the event the tick sends, as an EventBridge rule delivers it (envelope and all)', () => {
    const event = { version: '0', id: 'e-1', account: '123456789012', time: '2026-11-23T10:05:01Z', region: 'eu-west-1', resources: [], ...taskEvent(detail()) };
    expect(parseTaskEvent(event, options)).toMatchObject({ detail: detail(), task: { definition: { name: TASK } } });
  });

  it('accepts a one-off slot (`<instant>#<id>`) with the largest payload dispatchAt queues', () => {
    const slot = `${SLOT}#0b6c0d1e-8a4f-4b8e-9f5e-2d3c4b5a6978`;
    const big = detail({ slot, id: taskEventId('blue', TASK, slot), owner: 'o'.repeat(256), payload: payloadOf(MAX_PAYLOAD_BYTES) });
    expect(parseTaskEvent(taskEvent(big), options).detail.payload).toBe(payloadOf(MAX_PAYLOAD_BYTES));
  });

  it.each([
    // Malformed
    ['not an object', 'hello', undefined],
    ['another source', { ...taskEvent(detail()), source: 'aws.events' }, 'source'],
    ['another detail-type', { ...taskEvent(detail()), 'detail-type': 'Scheduled Event' }, 'detail-type'],
    ['no detail', { source: 'tickwork', 'detail-type': 'Tickwork Task Due' }, 'detail'],
    ['a detail that is a string', { ...taskEvent(detail()), detail: '{"version":1}' }, 'detail'],
    ['schema version 2', taskEvent({ ...detail(), version: 2 as 1 }), 'detail.version'],
    ['a missing owner', taskEvent({ ...detail(), owner: undefined as unknown as string }), 'detail.owner'],
    ['a fractional fence', taskEvent(detail({ fence: 1.5 })), 'detail.fence'],
    ['attempt 0', taskEvent(detail({ attempt: 0 })), 'detail.attempt'],
    ['an unknown field', taskEvent({ ...detail(), extra: true } as TaskEventDetail), 'detail'],
    // Times that are not ISO-8601 instants
    ['at "yesterday"', taskEvent(detail({ at: 'yesterday' })), 'detail.at'],
    ['at without a zone', taskEvent(detail({ at: '2026-11-23T10:05:00' })), 'detail.at'],
    ['at as a date only', taskEvent(detail({ at: '2026-11-23' })), 'detail.at'],
    ['at on 30 February', taskEvent(detail({ at: '2026-02-30T10:05:00Z' })), 'detail.at'],
    ['at as epoch milliseconds', taskEvent({ ...detail(), at: Date.parse(SLOT) as unknown as string }), 'detail.at'],
    // "12" is 2001-12-01 to Date.parse, so a matching `at` and id used to get past every check.
    ['a slot "12"', taskEvent(detail({ slot: '12', id: taskEventId('blue', TASK, '12'), at: new Date(Date.parse('12')).toISOString() })), 'detail.slot'],
    ['a slot with no instant before #', taskEvent(detail({ slot: '#abc', id: taskEventId('blue', TASK, '#abc') })), 'detail.slot'],
    ['a time that is not the slot\'s', taskEvent(detail({ at: '2026-11-23T10:06:00.000Z' })), 'detail.at'],
    // Forged or misrouted
    ['another deployment', taskEvent(detail({ deployment: 'green', id: taskEventId('green', TASK, SLOT) })), 'detail.deployment'],
    ['a deployment id that is not one', taskEvent(detail({ deployment: 'blue/../x' })), 'detail.deployment'],
    ['an id that is not the slot\'s', taskEvent(detail({ id: 'blue/invoices:export/other' })), 'detail.id'],
    ['an id for another task', taskEvent(detail({ id: taskEventId('blue', 'inline', SLOT) })), 'detail.id'],
    ['an unknown task', taskEvent(detail({ task: 'nope', id: taskEventId('blue', 'nope', SLOT) })), 'detail.task'],
    ['an inline task', taskEvent(detail({ task: 'inline', id: taskEventId('blue', 'inline', SLOT) })), 'detail.task'],
  ])('refuses an event with %s, naming the field', (_label, event, field) => {
    expect(refusal(event)).toMatchObject({ code: 'INVALID_TASK_EVENT', field });
  });

  it('refuses an event for a task other than the one the function runs', () => {
    expect(refusal(taskEvent(detail()), 'reports:daily')).toMatchObject({ field: 'detail.task', message: 'Task event field detail.task: this function runs "reports:daily", got "invoices:export"' });
  });

  it('refuses a detail larger than a maximal payload and its fields, before reading its schema', () => {
    const bytes = (d: TaskEventDetail) => Buffer.byteLength(JSON.stringify(d), 'utf8');
    const base = detail({ payload: '' });
    const atLimit = detail({ payload: 'x'.repeat(MAX_TASK_EVENT_DETAIL_BYTES - bytes(base)) });
    const overLimit = detail({ payload: 'x'.repeat(MAX_TASK_EVENT_DETAIL_BYTES - bytes(base) + 1) });
    expect(bytes(atLimit)).toBe(MAX_TASK_EVENT_DETAIL_BYTES);
    expect(() => parseTaskEvent(taskEvent(atLimit), options)).not.toThrow();

    const error = refusal(taskEvent(overLimit));
    expect(error).toMatchObject({ code: 'INVALID_TASK_EVENT', field: 'detail' });
    expect(error.message).toBe(
      `Task event field detail: expected at most ${MAX_TASK_EVENT_DETAIL_BYTES} bytes of JSON (a ${MAX_PAYLOAD_BYTES}-byte payload and the fields around it), got ${MAX_TASK_EVENT_DETAIL_BYTES + 1}`,
    );
    expect(refusal(taskEvent(detail({ payload: 'x'.repeat(200 * 1024) })))).toMatchObject({ field: 'detail' });
    // Size first: a huge detail is refused for its size even when its schema is wrong too.
    expect(refusal(taskEvent({ ...overLimit, extra: true } as TaskEventDetail))).toMatchObject({ field: 'detail', message: expect.stringContaining('bytes of JSON') });
    // Counted in UTF-8 bytes, not characters.
    const wide = detail({ payload: 'é'.repeat(Math.ceil(MAX_TASK_EVENT_DETAIL_BYTES / 2)) });
    expect(refusal(taskEvent(wide))).toMatchObject({ field: 'detail' });
  });

  it('keeps room for the payload dispatchAt allows: 64 KiB plus 8 KiB for the other fields', () => {
    expect(MAX_TASK_EVENT_DETAIL_BYTES).toBe(MAX_PAYLOAD_BYTES + 8 * 1024);
  });

  it('refuses a detail JSON cannot carry (only a direct call can pass one)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(taskEvent(detail({ payload: cyclic })))).toMatchObject({ field: 'detail', message: expect.stringContaining('expected JSON data') });
  });
});
