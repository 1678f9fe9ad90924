import { describe, expect, it } from 'vitest';
import { offlineEnv, run } from './cli.js';

/** The built binary: a kernel it loads imports `tickwork` from dist/, as in a user's project. */
const TICKWORK = 'dist/src/cli/main.js';
const LIST_KERNEL = 'test/fixtures/list-kernel.ts';

/** The cells of each row of a table printed without colour. */
function tableRows(output: string): string[][] {
  return output.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

describe('tickwork list (npm run schedule:list)', () => {
  it('lists each task of the kernel with its next runs, time zones applied', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--from', '2026-11-23T10:03:00Z', '--next', '2'], offlineEnv(), 30_000);
    expect(result.code, result.output).toBe(0);
    const rows = tableRows(result.output);
    expect(rows).toContainEqual(['metrics:rollup', '*/5 * * * *', 'UTC', '2026-11-23T10:05:00Z', 'skip', 'Aggregates the last five minutes of metrics']);
    expect(rows).toContainEqual(['', '', '', '2026-11-23T10:10:00Z', '', '']);
    expect(rows).toContainEqual(['reports:daily', '0 2 * * *', 'Europe/Paris', '2026-11-24T01:00:00Z (Tue 02:00 Europe/Paris)', '—', 'Mails yesterday’s figures']);
    expect(result.output).not.toContain('\u001b['); // no colour codes when piped
  });

  it('prints the same as JSON with --json', async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--json', '--from', '2026-11-23T10:03:00Z', '--next', '2'], offlineEnv(), 30_000);
    expect(result.code, result.output).toBe(0);
    const tasks = JSON.parse(result.output) as unknown[];
    expect(tasks).toContainEqual({
      name: 'invoices:export',
      expression: '*/5 * * * *',
      timezone: 'UTC',
      next: ['2026-11-23T10:05:00.000Z', '2026-11-23T10:10:00.000Z'],
      nextInZone: ['2026-11-23T10:05:00+00:00', '2026-11-23T10:10:00+00:00'],
      lambda: true,
      overlap: { policy: 'skip', expiresMinutes: 1440 },
      onOneServer: false,
      description: 'Exports new invoices to the accounting system',
    });
    expect(tasks).toContainEqual(expect.objectContaining({ name: 'reports:daily', timezone: 'Europe/Paris', next: ['2026-11-24T01:00:00.000Z', '2026-11-25T01:00:00.000Z'], nextInZone: ['2026-11-24T02:00:00+01:00', '2026-11-25T02:00:00+01:00'], lambda: false, overlap: null }));
  });

  it("shows each run on the task's clock across a DST change, and each overlap setting", async () => {
    const result = await run(process.execPath, [TICKWORK, 'list', '--from', '2026-03-07T00:00:00Z', '--next', '2'], offlineEnv({ TICKWORK_KERNEL: LIST_KERNEL }), 30_000);
    expect(result.code, result.output).toBe(0);
    expect(tableRows(result.output)).toEqual([
      ['task', 'expression', 'zone', 'next runs (UTC, and in the zone)', 'overlap', 'notes'],
      ['standup:remind', '0 9 * * *', 'America/New_York', '2026-03-07T14:00:00Z (Sat 09:00 America/New_York)', '—', 'Pings the team'],
      ['', '', '', '2026-03-08T13:00:00Z (Sun 09:00 America/New_York)', '', ''],
      ['ledger:close', '*/5 * * * *', 'UTC', '2026-03-07T00:00:00Z', 'buffer one, 1 server', ''],
      ['', '', '', '2026-03-07T00:05:00Z', '', ''],
      ['feed:pull', '*/5 * * * *', 'UTC', '2026-03-07T00:00:00Z', 'skip', 'own Lambda'],
      ['', '', '', '2026-03-07T00:05:00Z', '', ''],
    ]);
  });

  it('puts the zone\'s clock, the overlap policy and onOneServer in --json; --count still works as --next', async () => {
    const args = (flag: string) => [TICKWORK, 'list', '--json', '--from', '2026-03-07T00:00:00Z', flag, '2'];
    const [next, count] = await Promise.all([
      run(process.execPath, args('--next'), offlineEnv({ TICKWORK_KERNEL: LIST_KERNEL }), 30_000),
      run(process.execPath, args('--count'), offlineEnv({ TICKWORK_KERNEL: LIST_KERNEL }), 30_000),
    ]);
    expect(next.code, next.output).toBe(0);
    expect(count.output).toBe(next.output);
    const tasks = JSON.parse(next.output) as { name: string }[];
    expect(tasks.find((task) => task.name === 'standup:remind')).toMatchObject({
      next: ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z'],
      nextInZone: ['2026-03-07T09:00:00-05:00', '2026-03-08T09:00:00-04:00'],
      overlap: null,
      onOneServer: false,
    });
    expect(tasks.find((task) => task.name === 'ledger:close')).toMatchObject({ overlap: { policy: 'bufferOne', expiresMinutes: 30 }, onOneServer: true, lambda: false });
    expect(tasks.find((task) => task.name === 'feed:pull')).toMatchObject({ overlap: { policy: 'skip', expiresMinutes: 1440 }, onOneServer: false, lambda: true });
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
