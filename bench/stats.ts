/** Medians, p90s and the one Markdown table `npm run bench` prints. */

interface Figures {
  readonly case: string;
  /** The figure the budget judges, with its unit in `format`. */
  readonly median: number;
  readonly p90?: number;
  /** The same figure for the baseline measured in the same run, when the budget is a ratio. */
  readonly baseline?: number;
  readonly unit: string;
  /** Printed under the table: how the figure was taken. */
  readonly note?: string;
}

/**
 * One row of the table. A budget compares the figure itself, or figure ÷ baseline, or baseline ÷
 * figure (a speed-up), with `≤ limit` (`≥ limit` for a speed-up); a `shown` row prints a ratio beside
 * a budget's rows for what it tells, and no budget judges it.
 */
export type BudgetRow = Figures & ({ readonly judge: 'value' | 'ratio' | 'speed-up'; readonly limit: number } | { readonly judge: 'shown' });

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function p90(values: readonly number[]): number {
  return quantile(values, 0.9);
}

/** The nearest-rank quantile: a value that was measured, never an interpolation. */
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function ratioOf(row: BudgetRow): number | undefined {
  if (row.baseline === undefined) return undefined;
  return row.judge === 'speed-up' ? row.baseline / row.median : row.median / row.baseline;
}

export function passes(row: BudgetRow): boolean {
  const ratio = ratioOf(row);
  switch (row.judge) {
    case 'value':
      return row.median <= row.limit;
    case 'ratio':
      return ratio !== undefined && ratio <= row.limit;
    case 'speed-up':
      return ratio !== undefined && ratio >= row.limit;
    case 'shown':
      return true;
  }
}

function budgetCell(row: BudgetRow): string {
  switch (row.judge) {
    case 'value':
      return `≤ ${figure(row.limit, row.unit)}`;
    case 'ratio':
      return `≤ ${row.limit}×`;
    case 'speed-up':
      return `≥ ${row.limit}×`;
    case 'shown':
      return '—';
  }
}

function resultCell(row: BudgetRow): string {
  if (row.judge === 'shown') return 'not judged';
  return passes(row) ? 'pass' : '**FAIL**';
}

const figure = (value: number | undefined, unit: string) => {
  if (value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trim();
};

/** A ratio to two decimals, or three where two would round a missed budget onto its limit (1.301× reads as 1.30×). */
function ratioFigure(row: BudgetRow, ratio: number): string {
  const two = ratio.toFixed(2);
  return row.judge !== 'shown' && !passes(row) && Number(two) === row.limit ? ratio.toFixed(3) : two;
}

export function markdownTable(rows: readonly BudgetRow[]): string {
  const lines = ['| case | median | p90 | baseline | ratio | budget | result |', '|---|---:|---:|---:|---:|---|---|'];
  for (const row of rows) {
    const ratio = ratioOf(row);
    lines.push(
      `| ${row.case} | ${figure(row.median, row.unit)} | ${figure(row.p90, row.unit)} | ${figure(row.baseline, row.unit)} | ${ratio === undefined ? '—' : `${ratioFigure(row, ratio)}×`} | ${budgetCell(row)} | ${resultCell(row)} |`,
    );
  }
  return lines.join('\n');
}
