import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { InvalidTaskEventError } from '../errors.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { DEPLOYMENT_ID } from '../store/Store.js';
import { MAX_PAYLOAD_BYTES } from './dispatchAt.js';
import { TASK_EVENT_DETAIL_TYPE, TASK_EVENT_SOURCE, taskEventId, type TaskEventDetail } from './Dispatcher.js';

/**
 * The largest `detail` a worker reads, as UTF-8 JSON. Tickwork sends at most a payload of
 * `MAX_PAYLOAD_BYTES` (refused at enqueue) and fields that are each short: ids, an ISO instant, the
 * owner (≤ 256) and a task name, which is part of a DynamoDB partition key and so at most 2 KiB.
 * Together those stay well under the 8 KiB kept for them; anything larger was not sent by a tick.
 */
export const MAX_TASK_EVENT_DETAIL_BYTES = MAX_PAYLOAD_BYTES + 8 * 1024;

// zod/mini: the same checks as zod's classic API, in the form esbuild can trim — the classic API brings
// every locale and schema type into the bundle of each task Lambda (about 450 KB of its cold start).
// It loads no locale of its own: the English messages, which the classic API installs, are set here.
z.config(en());

const instant = z.iso.datetime();

const detailSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().check(z.minLength(1)),
  deployment: z.string().check(z.regex(DEPLOYMENT_ID)),
  task: z.string().check(z.minLength(1)),
  // `<ISO instant>` for a scheduled slot, `<ISO instant>#<id>` for a one-off (`dispatchAt`).
  slot: z.string().check(
    z.minLength(1),
    z.maxLength(256),
    z.refine((slot) => z.safeParse(instant, slot.split('#')[0]).success, { message: 'expected an ISO-8601 instant, or one followed by #<id>' }),
  ),
  at: instant,
  owner: z.string().check(z.minLength(1), z.maxLength(256)),
  fence: z.nullable(z.int().check(z.positive())),
  attempt: z.int().check(z.positive()),
  payload: z.optional(z.unknown()),
});

/** EventBridge adds `version`, `id`, `time`, `account`, ... around ours; only these three are read. */
const eventSchema = z.object({
  source: z.literal(TASK_EVENT_SOURCE),
  'detail-type': z.literal(TASK_EVENT_DETAIL_TYPE),
  detail: detailSchema,
});

/** A task event the worker may act on: its detail, and the fan-out task it names. */
export interface ValidTaskEvent {
  readonly detail: TaskEventDetail;
  readonly task: CompiledTask;
}

/**
 * Checks a worker's event before it touches anything: the detail's size, Tickwork's source and
 * detail-type, the detail's schema (ISO-8601 instants for the slot and its time), the deployment, an
 * id that matches `(deployment, task, slot)`, a time that matches the slot, the task this function is
 * for (`only`), and a task this kernel runs in its own Lambda. Anything else throws
 * `InvalidTaskEventError` naming the field.
 */
export function parseTaskEvent(
  event: unknown,
  options: { readonly tasks: ReadonlyMap<string, CompiledTask>; readonly deployment: string; readonly only?: string },
): ValidTaskEvent {
  const bytes = detailBytes(event);
  if (bytes > MAX_TASK_EVENT_DETAIL_BYTES) {
    throw new InvalidTaskEventError('detail', `expected at most ${MAX_TASK_EVENT_DETAIL_BYTES} bytes of JSON (a ${MAX_PAYLOAD_BYTES}-byte payload and the fields around it), got ${bytes}`);
  }
  const parsed = z.safeParse(eventSchema, event);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const field = issue === undefined || issue.path.length === 0 ? undefined : issue.path.join('.');
    throw new InvalidTaskEventError(field, `${issue?.message ?? 'not a Tickwork task event'}; expected a "${TASK_EVENT_DETAIL_TYPE}" event from source "${TASK_EVENT_SOURCE}"`);
  }
  const detail = parsed.data.detail as TaskEventDetail;
  if (detail.deployment !== options.deployment) {
    throw new InvalidTaskEventError('detail.deployment', `expected "${options.deployment}" (this worker's deployment), got ${JSON.stringify(detail.deployment)}`);
  }
  const id = taskEventId(detail.deployment, detail.task, detail.slot);
  if (detail.id !== id) throw new InvalidTaskEventError('detail.id', `expected ${JSON.stringify(id)} for this deployment, task and slot, got ${JSON.stringify(detail.id)}`);
  if (Date.parse(detail.slot.split('#')[0]!) !== Date.parse(detail.at)) {
    throw new InvalidTaskEventError('detail.at', `expected the instant of slot ${JSON.stringify(detail.slot)}, got ${JSON.stringify(detail.at)}`);
  }
  if (options.only !== undefined && detail.task !== options.only) {
    throw new InvalidTaskEventError('detail.task', `this function runs ${JSON.stringify(options.only)}, got ${JSON.stringify(detail.task)}`);
  }
  const task = options.tasks.get(detail.task);
  if (task === undefined) throw new InvalidTaskEventError('detail.task', `no task ${JSON.stringify(detail.task)} in this kernel`);
  if (task.definition.lambda === false) {
    throw new InvalidTaskEventError('detail.task', `task ${JSON.stringify(detail.task)} runs inline in the tick, not in its own Lambda`);
  }
  return { detail, task };
}

/**
 * The UTF-8 JSON size of the event's `detail`, measured before the schema walks it; 0 when it has no
 * object to measure (the schema then says what is missing).
 */
function detailBytes(event: unknown): number {
  const detail = (event as { detail?: unknown } | null | undefined)?.detail;
  if (detail === null || typeof detail !== 'object') return 0;
  try {
    return Buffer.byteLength(JSON.stringify(detail), 'utf8');
  } catch (error) {
    // Only a direct call can pass a cycle or a BigInt: Lambda hands the worker parsed JSON.
    throw new InvalidTaskEventError('detail', `expected JSON data, got something JSON.stringify refuses (${error instanceof Error ? error.message : String(error)})`);
  }
}
