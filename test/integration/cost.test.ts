import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { offlineEnv, root } from './cli.js';

interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cost(args: readonly string[]): Promise<Finished> {
  const env = offlineEnv({ TICKWORK_KERNEL: 'test/fixtures/run-kernel.ts', NODE_NO_WARNINGS: '1' });
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', 'cost', ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('tickwork cost', () => {
  it('prints the estimate as tables, plain when piped, and exits 0; --json carries the same figures', async () => {
    const table = await cost(['--from', '2026-12-01T00:00:00Z']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toBe('');
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout.split('\n')[0]).toBe('Estimated AWS cost for 30 days from 2026-12-01T00:00:00Z: us-east-1 list prices recorded 2026-11-30, before free tiers');
    // Every fixture task is due every minute: 43,200 slots each.
    expect(table.stdout).toMatch(/│ greet +│ the tick +│ 43,200 +│ 256 MB +│ 0\.1 +│/);
    expect(table.stdout).toMatch(/│ remote +│ own Lambda +│ 43,200 +│ 1024 MB +│ 300 +│/);
    // The tick's trigger, request, 100 ms at 256 MB and one write, 43,200 times: 43,200 × ($1 + $0.2 + $0.625) per
    // million + 43,200 × 0.025 GB-s × $0.0000166667 = $0.097. The tick reads nothing: no read units billed.
    expect(table.stdout).toContain("Idle floor (nothing due): $0.10 a month — the tick's trigger, invocation and 100 ms at 256 MB, and its one write, every minute.");
    expect(table.stdout).not.toContain('RRU');

    const json = await cost(['--from', '2026-12-01T00:00:00Z', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { total: number; idleFloor: number; tasks: { slots: number }[]; lines: { monthly: number }[] };
    expect(report.tasks.map((t) => t.slots)).toEqual([43_200, 43_200, 43_200, 43_200]);
    expect(report.total).toBeCloseTo(report.lines.reduce((sum, l) => sum + l.monthly, 0), 9);
    expect(table.stdout).toMatch(new RegExp(`│ total +│ +│ +│ +\\$${report.total.toFixed(2).replace('.', '\\.')} │`));
  });

  it('a bad assumption is a usage error: exit 2, one line', async () => {
    const result = await cost(['--run-ratio', '2']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: --run-ratio expects a number above 0 and at most 1, got "2"\n');
  });
});
