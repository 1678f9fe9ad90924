import { describe, expect, it } from 'vitest';
import { markdownTable, passes, type BudgetRow } from '../../../bench/stats.js';

const row = (median: number): BudgetRow => ({ case: 'import', median, baseline: 100, judge: 'ratio', limit: 1.3, unit: 'ms' });
const ratioCell = (table: string) => table.split('\n')[2]!.split('|')[5]!.trim();

describe('markdownTable (bench/README.md)', () => {
  it('prints a ratio to two decimals, and to three where two would round a missed budget onto its limit', () => {
    expect(ratioCell(markdownTable([row(120)]))).toBe('1.20×');
    expect(ratioCell(markdownTable([row(130.1)]))).toBe('1.301×');
    expect(markdownTable([row(130.1)])).toContain('**FAIL**');
    expect(ratioCell(markdownTable([row(130)]))).toBe('1.30×');
    expect(ratioCell(markdownTable([row(140)]))).toBe('1.40×');
  });

  it('prints a shown row with its ratio and no budget, and never counts it as missed', () => {
    const shown: BudgetRow = { ...row(144), judge: 'shown' };
    const cells = markdownTable([shown]).split('\n')[2]!.split('|').map((cell) => cell.trim());
    expect(cells.slice(5, 8)).toEqual(['1.44×', '—', 'not judged']);
    expect(passes(shown)).toBe(true);
    expect(passes(row(144))).toBe(false);
  });
});
