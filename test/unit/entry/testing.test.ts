import { describe, expect, it } from 'vitest';
import type { Schedule } from 'tickwork';
import { MemoryStore, runTaskByName, runTickAt } from 'tickwork/testing';
import { InvalidTaskError } from '../../../src/errors.js';

/** A kernel as a user writes it, tested through the public `tickwork/testing` entry point. */
function kernel(schedule: Schedule): void {
  schedule.call(({ write }) => write('swept 3 sessions\n')).name('sessions:sweep').everyFifteenMinutes();
  schedule.call(() => { throw new Error('ledger offline'); }).name('ledger:export').dailyAt('03:00');
}

describe('tickwork/testing', () => {
  it('runs one task by name, now, with its output', async () => {
    const result = await runTaskByName(kernel, 'sessions:sweep');
    expect(result).toMatchObject({ status: 'succeeded', output: 'swept 3 sessions\n' });
    expect(await runTaskByName(kernel, 'ledger:export')).toMatchObject({ status: 'failed', error: 'Error: ledger offline' });
  });

  it('names the tasks the kernel has when asked for one it does not', async () => {
    const error = await runTaskByName(kernel, 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as Error).message).toBe('Task "nope": no such task in the kernel; it has "sessions:sweep", "ledger:export"');
  });

  it('runs one tick for a minute, claiming in the store it is given', async () => {
    const store = new MemoryStore();
    const minute = new Date('2026-11-23T10:15:00Z');
    expect(await runTickAt(kernel, minute, { store })).toMatchObject({ tick: minute.toISOString(), ran: ['sessions:sweep'], failed: [] });
    expect(await runTickAt(kernel, minute, { store })).toMatchObject({ ran: [], skipped: [{ name: 'sessions:sweep', reason: 'already-claimed' }] });
  });
});
