import { randomUUID } from 'node:crypto';
import { InvalidDispatchError } from '../errors.js';
import type { Schedule } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';

/** A payload is stored with its queued run and carried by the task event: kept well inside both limits. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const LATEST_DATE = Date.UTC(10_000, 0, 1);

/** A one-off run, queued. */
export interface QueuedDispatch {
  readonly id: string;
  readonly task: string;
  /** The slot it will run as: `<due ISO>#<id>`, its key in run records. */
  readonly slot: string;
  /** When it becomes due; the first tick from then on dispatches it. */
  readonly at: Date;
}

export interface OneOffDispatch {
  /** Runs task `name` once, at the first tick from `at` on, with `payload` in its context. */
  dispatchAt(at: Date, name: string, payload?: unknown): Promise<QueuedDispatch>;
  /** Runs task `name` once, `delayMs` from now. */
  dispatchAfter(delayMs: number, name: string, payload?: unknown): Promise<QueuedDispatch>;
}

/**
 * Delayed one-off runs of the kernel's tasks: each call stores one queued run in the table (one
 * PutItem); the tick that first sees it due claims it like any slot — exactly once, whatever the
 * number of ticks — and runs it inline or sends it to the task's own Lambda, with the payload in the
 * task's context (`context.payload`). A one-off is not subject to the task's frequency or conditions
 * (it was asked for), but it is to pauses and overlap.
 *
 * @example
 * const dispatch = createDispatch({ store, schedule: buildSchedule(kernel) });
 * await dispatch.dispatchAfter(15 * 60_000, 'invoices:export', { customer: 42 });
 */
export function createDispatch(options: { readonly store: Store; readonly schedule: Schedule; readonly now?: () => number }): OneOffDispatch {
  const names = new Set(options.schedule.tasks().map((t) => t.name));
  const now = options.now ?? Date.now;

  const dispatchAt = async (at: Date, name: string, payload?: unknown): Promise<QueuedDispatch> => {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new InvalidDispatchError('at', `expected a valid Date, got ${String(at)}`);
    // Queue keys sort as ISO strings, which hold only for four-digit years.
    if (at.getTime() >= LATEST_DATE) throw new InvalidDispatchError('at', `expected a date before 10000-01-01, got ${at.toISOString()}`);
    if (typeof name !== 'string' || !names.has(name)) {
      throw new InvalidDispatchError('name', `expected the name of a task in the kernel (${[...names].map((n) => `"${n}"`).join(', ')}), got ${JSON.stringify(name)}`);
    }
    const json = payloadJson(payload);
    const id = randomUUID();
    const due = at.getTime();
    const slot = `${at.toISOString()}#${id}`;
    await options.store.enqueue({ id, task: name, slot, at: due, attempt: 0, enqueuedAt: now(), ...(json === undefined ? {} : { payload: json }) });
    return { id, task: name, slot, at: new Date(due) };
  };

  return {
    dispatchAt,
    dispatchAfter: (delayMs, name, payload) => {
      if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
        throw new InvalidDispatchError('delayMs', `expected a number of milliseconds ≥ 0, got ${String(delayMs)}`);
      }
      return dispatchAt(new Date(now() + delayMs), name, payload);
    },
  };
}

function payloadJson(payload: unknown): string | undefined {
  if (payload === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new InvalidDispatchError('payload', `expected JSON-serialisable data (${error instanceof Error ? error.message : String(error)})`);
  }
  if (json === undefined) throw new InvalidDispatchError('payload', `expected JSON-serialisable data, got ${typeof payload}`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) throw new InvalidDispatchError('payload', `expected at most ${MAX_PAYLOAD_BYTES} bytes of JSON, got ${bytes}`);
  return json;
}
