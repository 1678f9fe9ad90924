// `tickwork cost`: the estimated monthly AWS cost of the kernel (src/operate/cost.ts), from the list
// prices in src/operate/prices.ts, beside its idle floor and one Scheduler schedule per task.
import Table from 'cli-table3';
import { loadKernel } from '../../local/loadKernel.js';
import { estimateCost, REQUESTS, type CostLine, type CostReport } from '../../operate/cost.js';
import type { Project } from '../project.js';
import { UsageError } from '../usage.js';
import { short, tableStyle } from './readModel.js';

export interface CostOptions {
  readonly stage: string;
  readonly from?: Date;
  readonly tickMemory: number;
  readonly runRatio: number;
  readonly json?: boolean;
  readonly kernel?: string;
}

export async function cost(project: Project, options: CostOptions, colour: boolean): Promise<void> {
  const schedule = await loadKernel(project.kernel(options.kernel));
  const dispatcher = process.env.TICKWORK_DISPATCHER === 'lambda' ? 'lambda' : 'eventbridge';
  const report = estimateCost(schedule.compiled(), {
    from: options.from ?? new Date(),
    stage: options.stage,
    assumptions: { tickMemoryMb: options.tickMemory, fanOutRunRatio: options.runRatio, dispatcher },
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCost(report, colour).join('\n')}\n`);
}

/** `--run-ratio`: a number in (0, 1]. */
export function parseRunRatio(value: string): number {
  const ratio = Number(value);
  if (!/^\d*\.?\d+$/.test(value.trim()) || !(ratio > 0 && ratio <= 1)) throw new UsageError(`--run-ratio expects a number above 0 and at most 1, got ${JSON.stringify(value)}`);
  return ratio;
}

/** `--tick-memory`: Lambda's range, in MB. */
export function parseMemory(value: string): number {
  const memory = Number(value);
  if (!/^\d+$/.test(value.trim()) || memory < 128 || memory > 10_240) throw new UsageError(`--tick-memory expects a whole number of MB from 128 to 10240, got ${JSON.stringify(value)}`);
  return memory;
}

const dollars = (amount: number) => `$${amount.toFixed(amount !== 0 && amount < 0.01 ? 4 : 2)}`;
const unitPrice = (price: number) => (price < 0.00001 ? `$${(price * 1_000_000).toFixed(3)} per million` : `$${price}`);
const quantity = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export function formatCost(report: CostReport, colour: boolean): string[] {
  const a = report.assumptions;
  const tasks = new Table({ head: ['task', 'runs in', 'slots / month', 'memory', 'run (s)'], ...tableStyle(colour) });
  for (const t of report.tasks) tasks.push([t.task, t.runsIn === 'inline' ? 'the tick' : 'own Lambda', quantity(t.slots), `${t.memoryMb} MB`, String(t.runSeconds)]);
  const bill = (lines: readonly CostLine[], sum: number) => {
    const table = new Table({ head: ['item', 'quantity', 'unit price', 'per month'], colAligns: ['left', 'right', 'right', 'right'], ...tableStyle(colour) });
    for (const l of lines) table.push([l.item, `${quantity(l.quantity)} ${l.unit}`, unitPrice(l.unitPrice), dollars(l.monthly)]);
    table.push(['total', '', '', dollars(sum)]);
    return table.toString();
  };
  return [
    `Estimated AWS cost for ${a.days} days from ${short(report.from)}: ${report.region} list prices recorded ${report.pricesRecordedOn}, before free tiers`,
    tasks.toString(),
    bill(report.lines, report.total),
    `Idle floor (nothing due): ${dollars(report.idleFloor)} a month — the tick's trigger, invocation and ${a.tickMs} ms at ${a.tickMemoryMb} MB, and its one write, every minute.`,
    'One EventBridge Scheduler schedule per task instead (a Lambda per slot, no table; so no claims, overlap, catch-up or records):',
    bill(report.perTaskSchedules.lines, report.perTaskSchedules.total),
    `Assumed: a tick's own work ${a.tickMs} ms; each inline run adds ${a.inlineRunMs} ms to its tick; a fan-out run lasts ${a.fanOutRunRatio === 1 ? 'its whole timeout (an upper bound; --run-ratio to change)' : `${a.fanOutRunRatio} of its timeout`}; ${a.dispatcher === 'eventbridge' ? 'EventBridge dispatch' : 'Lambda async invoke (no events billed)'}; items under 1 KB (task output adds a write unit per KB); a minute's inline runs end together (with ${REQUESTS.together.min} or more, their outcomes go in transactions, as its claims do: ${REQUESTS.together.writeUnits} write units each); no queued runs (dispatchAt()); x86_64; when()/skip() not applied; CloudWatch logs, metrics and alarms not counted.`,
  ];
}
