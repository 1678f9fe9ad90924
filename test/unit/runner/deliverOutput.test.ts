import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { Mailer, MemoryMailTransport } from '../../../src/output/index.js';
import { deliverOutput } from '../../../src/runner/deliverOutput.js';
import type { TaskResult } from '../../../src/runner/runTask.js';

const logger = new Logger({ logLevel: 'SILENT' });
const slot = '2026-11-23T10:00:00.000Z';
const timing = { durationMs: 5, startedAt: Date.parse(slot), latenessMs: 0, output: 'rows: 3\n', abandoned: false };

function result(status: TaskResult['status']): TaskResult {
  return status === 'succeeded' ? { status, ...timing } : { status, ...timing, error: `Error: run ${status}` };
}

describe('deliverOutput: emailOutputOnFailure', () => {
  it.each([
    ['succeeded', []],
    ['failed', ['[tickwork] db:check failed (2026-11-23T10:00:00.000Z)']],
    ['timed-out', ['[tickwork] db:check timed-out (2026-11-23T10:00:00.000Z)']],
    // Stopped on purpose for a newer slot (overlap policy 'replace'): not a failure, so no mail.
    ['replaced', []],
  ] as const)('a %s run → %j', async (status, subjects) => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('db:check').emailOutputOnFailure('oncall@example.com');
    const [definition] = schedule.tasks();
    const transport = new MemoryMailTransport();
    const sinks = { writer: { write: async () => {} }, mailer: new Mailer({ from: 'tickwork@example.com', transport }) };

    await deliverOutput(definition!, slot, result(status), sinks, logger);

    expect(transport.sent.map((mail) => mail.subject)).toEqual(subjects);
    for (const mail of transport.sent) {
      expect(mail.to).toEqual(['oncall@example.com']);
      expect(mail.text).toBe(`Error: run ${status}\n\nrows: 3\n`);
    }
  });

  it('leaves emailOutputTo alone: it mails every run, replaced ones too', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('db:check').emailOutputTo('ops@example.com').emailOutputOnFailure('oncall@example.com');
    const [definition] = schedule.tasks();
    const transport = new MemoryMailTransport();
    const sinks = { writer: { write: async () => {} }, mailer: new Mailer({ from: 'tickwork@example.com', transport }) };

    await deliverOutput(definition!, slot, result('replaced'), sinks, logger);

    expect(transport.sent.map((mail) => mail.to)).toEqual([['ops@example.com']]);
  });
});
