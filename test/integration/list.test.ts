import { describe, expect, it } from 'vitest';
import { offlineEnv, run } from './cli.js';

describe('npm run schedule:list', () => {
  it('lists each task of the kernel with its next runs, time zones applied', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/list.ts', '--from', '2026-11-23T10:03:00Z', '--count', '2'], offlineEnv(), 30_000);
    expect(result.code, result.output).toBe(0);
    const rows = result.output.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
    expect(rows).toContainEqual(['metrics:rollup', '*/5 * * * *', 'UTC', '2026-11-23T10:05:00Z', 'Aggregates the last five minutes of metrics']);
    expect(rows).toContainEqual(['', '', '', '2026-11-23T10:10:00Z', 'without overlapping']);
    expect(rows).toContainEqual(['reports:daily', '0 2 * * *', 'Europe/Paris', '2026-11-24T01:00:00Z', 'Mails yesterday’s figures']);
    expect(result.output).not.toContain('\u001b['); // no colour codes when piped
  });

  it('rejects a bad --from', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/list.ts', '--from', 'soon'], offlineEnv(), 30_000);
    expect(result.code).toBe(1);
    expect(result.output).toContain('--from expects an ISO-8601 time, got "soon"');
  });
});
