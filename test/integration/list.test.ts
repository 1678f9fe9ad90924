import { describe, expect, it } from 'vitest';
import { offlineEnv, run } from './cli.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';

describe('tickwork list (npm run schedule:list)', () => {
  it('lists each task of the kernel with its next runs, time zones applied', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--from', '2026-11-23T10:03:00Z', '--count', '2'], offlineEnv(), 30_000);
    expect(result.code, result.output).toBe(0);
    const rows = result.output.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
    expect(rows).toContainEqual(['metrics:rollup', '*/5 * * * *', 'UTC', '2026-11-23T10:05:00Z', 'Aggregates the last five minutes of metrics']);
    expect(rows).toContainEqual(['', '', '', '2026-11-23T10:10:00Z', 'without overlapping']);
    expect(rows).toContainEqual(['reports:daily', '0 2 * * *', 'Europe/Paris', '2026-11-24T01:00:00Z', 'Mails yesterday’s figures']);
    expect(result.output).not.toContain('\u001b['); // no colour codes when piped
  });

  it('prints the same as JSON with --json', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--json', '--from', '2026-11-23T10:03:00Z', '--count', '2'], offlineEnv(), 30_000);
    expect(result.code, result.output).toBe(0);
    const tasks = JSON.parse(result.output) as unknown[];
    expect(tasks).toContainEqual({
      name: 'invoices:export',
      expression: '*/5 * * * *',
      timezone: 'UTC',
      next: ['2026-11-23T10:05:00.000Z', '2026-11-23T10:10:00.000Z'],
      lambda: true,
      description: 'Exports new invoices to the accounting system',
    });
    expect(tasks).toContainEqual(expect.objectContaining({ name: 'reports:daily', timezone: 'Europe/Paris', next: ['2026-11-24T01:00:00.000Z', '2026-11-25T01:00:00.000Z'], lambda: false }));
  });

  it('rejects a bad --from as a usage error: exit 2, one line', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--from', 'soon'], offlineEnv(), 30_000);
    expect(result.code).toBe(2);
    expect(result.output).toBe('error: --from expects an ISO-8601 time such as 2026-11-23T10:00:00Z, got "soon"\n');
  });

  it('fails with exit 1 when the kernel does not load', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--kernel', 'test/fixtures/bad-kernel.ts'], offlineEnv(), 30_000);
    expect(result.code).toBe(1);
    expect(result.output).toContain('InvalidCronExpressionError: Task "reports:daily": invalid cron expression "0 25 * * *"');
  });
});
