import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { LimitFunction } from 'p-limit';
import { describeValue, InvalidDispatcherConfigError } from '../errors.js';
import { TASK_EVENT_DETAIL_TYPE, TASK_EVENT_SOURCE, type Dispatcher, type DispatchOutcome, type TaskEventDetail } from './Dispatcher.js';
import {
  DELIVERED,
  describeError,
  failure,
  openDelivery,
  sendWithRetries,
  type AttemptResult,
  type DeliveryOptions,
  type DeliveryPolicy,
  type Transport,
} from './retry.js';

export interface EventBridgeDispatcherOptions extends DeliveryOptions {
  /** Built with `maxAttempts: 1`: the dispatcher does the retrying, and refuses a client that would too. */
  readonly client: EventBridgeClient;
  /**
   * The bus the per-task rules listen on: its name, or its ARN
   * (`arn:aws:events:<region>:<account>:event-bus/<name>`), which is reduced to the name.
   */
  readonly busName: string;
}

/** `PutEvents` takes at most this many entries per request… */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** …and at most this many bytes of entries, counted as `entrySize` counts them. */
export const MAX_REQUEST_BYTES = 256 * 1024;

const OWNER = 'EventBridgeDispatcher';
/** `concurrency` default: 10 batches of 10 put 100 events at a time. */
const DEFAULT_CONCURRENCY = 10;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const BUS_ARN = /^arn:aws(?:-[a-z]+)*:events:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:event-bus\/(?<name>[/.\-_A-Za-z0-9]{1,256})$/;

interface PreparedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
}

/**
 * Puts task events on an EventBridge bus, where one rule per fan-out task routes them to its Lambda.
 * Events go out in `PutEvents` batches of at most 10 entries and 256 KiB; entries a response reports
 * as failed, and every entry of a request that threw, are re-batched and retried with backoff — by the
 * dispatcher alone: its client must not retry (`maxAttempts: 1`), so each attempt is one request.
 * Never throws for an event: each gets an outcome, in input order.
 *
 * @example
 * const dispatcher = new EventBridgeDispatcher({ client: new EventBridgeClient({ maxAttempts: 1 }), busName: 'tickwork-dev' });
 * const outcomes = await dispatcher.dispatch(details);
 * const unsent = outcomes.filter((o) => !o.dispatched); // release these slots
 */
export class EventBridgeDispatcher implements Dispatcher {
  /** The name every entry carries, whether the bus was given by name or by ARN. */
  readonly busName: string;
  readonly #client: EventBridgeClient;
  readonly #policy: DeliveryPolicy;
  readonly #limit: LimitFunction;
  readonly #clientChecked: () => Promise<void>;
  readonly #transport: Transport<PreparedEntry>;

  constructor(options: EventBridgeDispatcherOptions) {
    ({ policy: this.#policy, limit: this.#limit, clientChecked: this.#clientChecked } = openDelivery(OWNER, options, ['busName'], { expected: 'an EventBridgeClient', concurrency: DEFAULT_CONCURRENCY }));
    this.busName = busNameOf(options.busName);
    this.#client = options.client;
    this.#transport = { prepare: (detail) => this.#prepare(detail), send: (entries, attempt) => this.#send(entries, attempt) };
  }

  /** @throws {InvalidDispatcherConfigError} before sending anything, when the client retries on its own */
  async dispatch(events: readonly TaskEventDetail[]): Promise<DispatchOutcome[]> {
    await this.#clientChecked();
    return sendWithRetries(events, this.#transport, this.#policy);
  }

  #prepare(detail: TaskEventDetail): { item: PreparedEntry } | { error: string } {
    let json: string;
    try {
      json = JSON.stringify(detail);
    } catch (error) {
      return { error: `the event's detail is not JSON: ${describeError(error)}` };
    }
    // Resources stay unset: per-task rules match on detail-type and detail.task.
    const entry = { Source: TASK_EVENT_SOURCE, DetailType: TASK_EVENT_DETAIL_TYPE, Detail: json, EventBusName: this.busName };
    const size = entrySize(entry);
    if (size > MAX_REQUEST_BYTES) {
      return { error: `the event is ${size} bytes as a PutEvents entry; EventBridge accepts at most ${MAX_REQUEST_BYTES} (256 KiB), so it was not sent` };
    }
    return { item: { entry, size } };
  }

  async #send(entries: readonly PreparedEntry[], attempt: number): Promise<AttemptResult[]> {
    const results = await Promise.all(batches(entries).map((batch) => this.#limit(() => this.#put(batch, attempt))));
    return results.flat();
  }

  async #put(batch: readonly PreparedEntry[], attempt: number): Promise<AttemptResult[]> {
    let results: AttemptResult[];
    try {
      const response = await this.#client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
      // The response's Entries line up with the request's, one for one.
      results = batch.map((_, i) => entryResult(response.Entries?.[i]));
    } catch (error) {
      results = batch.map(() => failure(describeError(error)));
    }
    this.#policy.onCall?.({ attempt, events: batch.length, failed: results.filter((r) => !r.ok).length });
    return results;
  }
}

/**
 * The size EventBridge counts for a `PutEvents` entry, as its user guide defines it ("Calculating
 * PutEvents event entry size"): the UTF-8 bytes of Source, DetailType, Detail and each of Resources,
 * plus 14 bytes when Time is set. EventBusName does not count.
 *
 * @example
 * entrySize({ Source: 'tickwork', DetailType: 'Tickwork Task Due', Detail: '{}' }); // 8 + 17 + 2 = 27
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  const resources = (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0);
  return (entry.Time === undefined ? 0 : 14) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources;
}

/** Consecutive runs of entries, each within both `PutEvents` limits; order is kept. */
function batches(entries: readonly PreparedEntry[]): PreparedEntry[][] {
  const all: PreparedEntry[][] = [];
  let current: PreparedEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length === MAX_ENTRIES_PER_REQUEST || bytes + entry.size > MAX_REQUEST_BYTES) {
      all.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.size;
  }
  if (current.length > 0) all.push(current);
  return all;
}

function entryResult(entry: PutEventsResultEntry | undefined): AttemptResult {
  if (entry?.ErrorCode !== undefined) return failure(`${entry.ErrorCode}: ${entry.ErrorMessage ?? 'no message'}`);
  if (entry?.EventId !== undefined) return DELIVERED;
  return failure('PutEvents returned no result for this entry');
}

/**
 * The bus name to send as EventBusName. An ARN is reduced to its name because serverless-offline's
 * EventBridge mock matches subscribers on the name and delivers nothing for an ARN. The account in the
 * ARN is dropped with it: a bus in another account cannot be reached this way.
 */
function busNameOf(value: unknown): string {
  if (typeof value === 'string') {
    if (BUS_NAME.test(value)) return value;
    const name = BUS_ARN.exec(value)?.groups?.name;
    if (name !== undefined) return name;
  }
  throw new InvalidDispatcherConfigError(
    'busName',
    `${OWNER} expects busName to be an event bus name (1–256 of A–Z a–z 0–9 . _ - /) or its ARN ` +
      `(arn:aws:events:<region>:<account>:event-bus/<name>), got ${describeValue(value)}`,
  );
}
