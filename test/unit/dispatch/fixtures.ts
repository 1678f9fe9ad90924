import { taskEventId, type TaskEventDetail } from '../../../src/dispatch/Dispatcher.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/dynamoDbLocal.js';

const SLOT = '2026-11-23T10:00:00.000Z';

/** A task event for `task` at one fixed slot. */
export function detail(task: string, overrides: Partial<TaskEventDetail> = {}): TaskEventDetail {
  return { version: 1, id: taskEventId('test', task, SLOT), deployment: 'test', task, slot: SLOT, at: SLOT, owner: 'tick-1', fence: null, attempt: 1, ...overrides };
}

/** `count` events for tasks `task-0` … `task-<count-1>`. */
export function details(count: number): TaskEventDetail[] {
  return Array.from({ length: count }, (_, i) => detail(`task-${i}`));
}

/** A `sleep` that waits for nothing and keeps every delay it was asked for. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/**
 * Options for an SDK client pointed at a stub. `maxAttempts: 1` turns the SDK's own retries off, so
 * every retry a test sees is the dispatcher's.
 */
export function clientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
}
