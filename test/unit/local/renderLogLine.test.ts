import { describe, expect, it } from 'vitest';
import { renderLogLine } from '../../../src/local/renderLogLine.js';

const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'INFO', service: 'tickwork', timestamp: 'x', ...fields });
const slot = '2026-11-23T10:05:00.000Z';

describe('renderLogLine', () => {
  it.each([
    [{ message: 'task ran', task: 'heartbeat', slot, outcome: 'ran', durationMs: 3 }, '10:05:00  ✔ heartbeat          ran in 3 ms'],
    [{ message: 'task failed', task: 'x', slot, outcome: 'failed', durationMs: 9, error: 'Error: boom' }, '10:05:00  ✖ x                  failed after 9 ms: Error: boom'],
    [{ message: 'task skipped', task: 'x', slot, outcome: 'skipped', reason: 'overlapping' }, '10:05:00  ↷ x                  skipped (overlapping)'],
    [{ message: 'task timed-out', task: 'x', slot, outcome: 'timed-out', durationMs: 50 }, '10:05:00  ⏱ x                  timed out after 50 ms'],
    [{ message: 'tick done', tick: slot, due: 3, ran: 2, failed: 0, skipped: 1, missed: 4 }, '10:05:00  tick 2026-11-23T10:05:00.000Z: 3 due, 2 ran, 0 failed, 1 skipped, 4 missed'],
    [{ message: 'tick done', tick: slot, due: 3, ran: 1, dispatched: 2, undispatched: 1, failed: 0, skipped: 0, missed: 0 }, '10:05:00  tick 2026-11-23T10:05:00.000Z: 3 due, 1 ran, 2 dispatched, 1 not dispatched, 0 failed, 0 skipped, 0 missed'],
    [{ message: 'task dispatched', task: 'invoices:export', slot, outcome: 'dispatched', eventId: 'dev/x', attempts: 1 }, '10:05:00  → invoices:export    dispatched to its own Lambda'],
    [{ message: 'task not dispatched', task: 'x', slot, outcome: 'undispatched', attempt: 2, requeued: true, error: 'InternalFailure: later' }, '10:05:00  ✖ x                  not dispatched (attempt 2, queued for the next tick): InternalFailure: later'],
    [{ message: 'task missed', task: 'x', from: '2026-11-23T08:01:00.000Z', to: '2026-11-23T09:54:00.000Z', count: 114, reason: 'outside-catch-up-window' }, '09:54:00  ⚠ x                  missed 114 slot(s) 08:01:00–09:54:00 (outside-catch-up-window)'],
    [{ message: 'cache pruned', task: 'cache:prune', slot, function_name: 'f', entriesRemoved: 4 }, '10:05:00  · cache:prune        cache pruned {"entriesRemoved":4}'],
  ])('renders %j', (fields, expected) => {
    expect(renderLogLine(line(fields))).toBe(expected);
  });

  it.each([
    ['plain text', 'Offline [http for lambda] listening'],
    ['another service', JSON.stringify({ service: 'other', message: 'task ran', task: 'a', outcome: 'ran' })],
    ['broken JSON', '{"service":'],
  ])('passes %s through', (_label, text) => {
    expect(renderLogLine(text)).toBeUndefined();
  });
});
