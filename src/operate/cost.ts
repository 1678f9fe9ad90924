import { dueSlots } from '../evaluation/dueSlots.js';
import { lambdaSettings } from '../kernel/lambdaSettings.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import { PRICES, type Prices } from './prices.js';
import { staticFilter } from './staticFilters.js';
import { TOGETHER_MIN } from '../store/writesTogether.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What the estimate cannot read from the kernel; each has a default, and the report repeats them. */
export interface CostAssumptions {
  /** Days in the month estimated. @default 30 */
  readonly days: number;
  /** The tick's memory (`custom.tickwork.tick.memorySize`). @default 256 */
  readonly tickMemoryMb: number;
  /** A tick's own work — its tick-state write, its claims — in milliseconds. @default 100 */
  readonly tickMs: number;
  /** What one inline run adds to its tick's duration, in milliseconds. @default 100 */
  readonly inlineRunMs: number;
  /** The share of its Lambda timeout a fan-out run is taken to last: 1 is the upper bound. @default 1 */
  readonly fanOutRunRatio: number;
  /** How fan-out slots reach their Lambdas: EventBridge events are billed, Lambda async invokes are not. @default 'eventbridge' */
  readonly dispatcher: 'eventbridge' | 'lambda';
}

export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = Object.freeze({ days: 30, tickMemoryMb: 256, tickMs: 100, inlineRunMs: 100, fanOutRunRatio: 1, dispatcher: 'eventbridge' });

/**
 * DynamoDB writes, from the README's table "What each lock costs" (and the store's requests behind it),
 * each one write unit (items under 1 KB) unless it goes in a transaction. The tick reads nothing: what
 * it needs comes back with its one write.
 */
export const REQUESTS = {
  /**
   * Per tick: the tick state's advance, one conditional write that returns the pauses and the queue's
   * mark. Not counted: the +2 when a queued run may be due (one-offs from `dispatchAt()`, dispatches
   * queued again) and, when a tick closes a gap, its failed advance (1 unit) and the transaction that
   * moves it (2 writes at 2 units) — neither can be read from the kernel. Per busy
   * minute (one with a slot a tick records): the write that settles its range (`TickState.settleTick`).
   */
  tick: { writes: 1, settleWrites: 1 },
  /** Per inline slot: claim, outcome; `withoutOverlapping()` adds lease, release. */
  inline: { writes: 2, overlapWrites: 2 },
  /** Per fan-out slot: claim, the worker's start, outcome; `withoutOverlapping()` adds lease, adopt, release. */
  fanOut: { writes: 3, overlapWrites: 3 },
  /**
   * Writes a tick makes in the same moment — its claims, and the outcomes of inline runs that end
   * together — go out as TransactWriteItems (of up to 25 items) when there are `min` or more of them,
   * and DynamoDB bills a write in a transaction `writeUnits` units instead of one (`min`: the store's
   * `TOGETHER_MIN`). The lease, release, start and a fan-out worker's outcome always go alone.
   */
  together: { min: TOGETHER_MIN, writeUnits: 2 },
} as const;

/** One task's share: how many slots the window holds for it (static filters applied) and what a run is taken to cost. */
export interface TaskCost {
  readonly task: string;
  readonly runsIn: 'inline' | 'lambda';
  readonly slots: number;
  readonly memoryMb: number;
  /** Seconds one run is taken to last (see `CostAssumptions`). */
  readonly runSeconds: number;
}

/** One line of the bill. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
}

export interface CostReport {
  readonly from: string;
  readonly to: string;
  readonly region: string;
  readonly pricesRecordedOn: string;
  readonly assumptions: CostAssumptions;
  readonly tasks: readonly TaskCost[];
  readonly lines: readonly CostLine[];
  readonly total: number;
  /** What the stack costs with nothing due: the tick, its trigger and its one write a minute. */
  readonly idleFloor: number;
  /**
   * The same runs with one EventBridge Scheduler schedule per task invoking a Lambda per slot, and no
   * table: no idle floor, but no claims either (no dedupe, overlap, catch-up, records).
   */
  readonly perTaskSchedules: { readonly lines: readonly CostLine[]; readonly total: number };
}

/**
 * The estimated monthly AWS cost of `tasks` at list prices (`prices.ts`), counting each task's slots
 * over a real window of `assumptions.days` from `from` on the tick's own engine (time zones, DST,
 * sub-minute slots; `environments()`, `between()` and `unlessBetween()` for `stage` applied, `when()`
 * and `skip()` not), and the DynamoDB writes of each minute (`REQUESTS`): a busy minute's claims and
 * inline outcomes go in transactions, at two write units each. Pure: time and prices come in as arguments.
 *
 * @example
 * estimateCost(schedule.compiled(), { from: new Date('2026-12-01T00:00:00Z'), stage: 'prod' }).total; // dollars a month
 */
export function estimateCost(
  tasks: readonly CompiledTask[],
  options: { readonly from: Date; readonly stage: string; readonly assumptions?: Partial<CostAssumptions>; readonly prices?: Prices },
): CostReport {
  const a: CostAssumptions = { ...DEFAULT_COST_ASSUMPTIONS, ...options.assumptions };
  const p = options.prices ?? PRICES;
  const from = Math.floor(options.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const to = from + a.days * DAY_MS;
  const ticks = a.days * 1_440;
  const inlineTasks = new Set(tasks.filter((t) => lambdaSettings(t.definition) === undefined).map((t) => t.definition.name));
  const counts = countSlots(tasks, inlineTasks, from, to, options.stage);
  const costs: TaskCost[] = tasks.map((task) => {
    const lambda = lambdaSettings(task.definition);
    return {
      task: task.definition.name,
      runsIn: lambda === undefined ? 'inline' : 'lambda',
      slots: counts.perTask.get(task.definition.name) ?? 0,
      memoryMb: lambda?.memorySize ?? a.tickMemoryMb,
      runSeconds: lambda === undefined ? a.inlineRunMs / 1000 : lambda.timeout * a.fanOutRunRatio,
    };
  });
  const overlapping = new Set(tasks.filter((t) => t.definition.withoutOverlapping !== false).map((t) => t.definition.name));
  const inline = costs.filter((c) => c.runsIn === 'inline');
  const fanOut = costs.filter((c) => c.runsIn === 'lambda');
  const sum = (items: readonly TaskCost[], value: (c: TaskCost) => number) => items.reduce((total, c) => total + value(c), 0);
  const gbSeconds = (c: TaskCost) => c.slots * c.runSeconds * (c.memoryMb / 1024);
  const tickGbSeconds = (ticks * a.tickMs) / 1000 * (a.tickMemoryMb / 1024);

  // Every write one unit, then what the writes that went in transactions cost on top.
  const writes =
    ticks * REQUESTS.tick.writes +
    counts.busyMinutes * REQUESTS.tick.settleWrites +
    sum(inline, (c) => c.slots * (REQUESTS.inline.writes + (overlapping.has(c.task) ? REQUESTS.inline.overlapWrites : 0))) +
    sum(fanOut, (c) => c.slots * (REQUESTS.fanOut.writes + (overlapping.has(c.task) ? REQUESTS.fanOut.overlapWrites : 0))) +
    (counts.claimsTogether + counts.outcomesTogether) * (REQUESTS.together.writeUnits - 1);
  const fanOutRuns = sum(fanOut, (c) => c.slots);
  const lines = [
    line('Scheduler: tick invocations', ticks, 'invocations', p.schedulerInvocation),
    line('Lambda: tick requests', ticks, 'requests', p.lambdaRequest),
    line('Lambda: tick duration (its own work and inline runs)', tickGbSeconds + sum(inline, gbSeconds), 'GB-s', p.lambdaGbSecond),
    line('Lambda: fan-out task requests', fanOutRuns, 'requests', p.lambdaRequest),
    line('Lambda: fan-out task duration', sum(fanOut, gbSeconds), 'GB-s', p.lambdaGbSecond),
    line('DynamoDB: write request units', writes, 'WRU', p.dynamoDbWriteUnit),
    line('EventBridge: fan-out events', a.dispatcher === 'eventbridge' ? fanOutRuns : 0, 'events', p.eventBridgeEvent),
  ];
  const idleFloor =
    ticks * (p.schedulerInvocation + p.lambdaRequest) +
    tickGbSeconds * p.lambdaGbSecond +
    ticks * REQUESTS.tick.writes * p.dynamoDbWriteUnit;
  const allRuns = sum(costs, (c) => c.slots);
  const perTask = [
    line('Scheduler: one invocation per slot', allRuns, 'invocations', p.schedulerInvocation),
    line('Lambda: one request per slot', allRuns, 'requests', p.lambdaRequest),
    line('Lambda: run duration', sum(costs, gbSeconds), 'GB-s', p.lambdaGbSecond),
  ];
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    region: p.region,
    pricesRecordedOn: p.recordedOn,
    assumptions: a,
    tasks: costs,
    lines,
    total: total(lines),
    idleFloor,
    perTaskSchedules: { lines: perTask, total: total(perTask) },
  };
}

/** What `countSlots` finds in the window. */
interface SlotCounts {
  /** Slots per task. */
  readonly perTask: ReadonlyMap<string, number>;
  /** Minutes with at least one slot: their ticks settle their ranges. */
  readonly busyMinutes: number;
  /** Claims made in a minute with `REQUESTS.together.min` or more due slots: they go in transactions. */
  readonly claimsTogether: number;
  /** Inline outcomes of a minute with `REQUESTS.together.min` or more inline slots, taken to end together. */
  readonly outcomesTogether: number;
}

/**
 * Slots in `[from, to)`, minute by minute on the tick's engine, without listing them; and which of
 * their writes go together (`REQUESTS.together`). A tick claims every slot of its minute at once, so a
 * minute's due slots are its claims of one moment. Its inline runs are taken to end together, so that
 * their outcomes go together too — runs of very different lengths end apart and may go alone. Sub-minute
 * slots count with their minute, though a task's later slots are claimed after its earlier runs; and
 * claims past the tick's `CLAIM_CONCURRENCY` in flight may make a smaller, later batch that goes alone.
 * Both make the figure err high.
 */
function countSlots(tasks: readonly CompiledTask[], inlineTasks: ReadonlySet<string>, from: number, to: number, stage: string): SlotCounts {
  const perTask = new Map<string, number>();
  let claimsTogether = 0;
  let outcomesTogether = 0;
  let busyMinutes = 0;
  for (let minute = from; minute < to; minute += MINUTE_MS) {
    let due = 0;
    let inline = 0;
    for (const slot of dueSlots(tasks, new Date(minute))) {
      if (staticFilter(slot.task.definition, slot.clock, stage) !== undefined) continue;
      const name = slot.task.definition.name;
      perTask.set(name, (perTask.get(name) ?? 0) + 1);
      due++;
      if (inlineTasks.has(name)) inline++;
    }
    if (due > 0) busyMinutes++;
    if (due >= REQUESTS.together.min) claimsTogether += due;
    if (inline >= REQUESTS.together.min) outcomesTogether += inline;
  }
  return { perTask, busyMinutes, claimsTogether, outcomesTogether };
}

function line(item: string, quantity: number, unit: string, unitPrice: number): CostLine {
  return { item, quantity, unit, unitPrice, monthly: quantity * unitPrice };
}

function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.monthly, 0);
}
