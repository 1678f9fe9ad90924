import type { Logger } from '@aws-lambda-powertools/logger';
import pLimit from 'p-limit';
import type { DueSlot } from '../evaluation/dueSlots.js';
import { planCatchUp, type MissedSlots } from '../evaluation/planCatchUp.js';
import type { CommandRegistry } from '../kernel/CommandRegistry.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { Store } from '../store/Store.js';
import type { OutputSinks } from './deliverOutput.js';
import { runSlot, type SkipReason, type SlotResult } from './runSlot.js';

export { LEASE_MARGIN_MS, type SkipReason } from './runSlot.js';

/**
 * Claims in flight at once. Unbounded, a tick with a thousand due slots would open a thousand
 * requests and meet throttling and socket limits; one by one, it would spend its minute waiting.
 */
export const CLAIM_CONCURRENCY = 32;

export interface RunTickInput {
  readonly tasks: readonly CompiledTask[];
  readonly commands: CommandRegistry;
  readonly store: Store;
  /** Where task output goes. */
  readonly sinks: OutputSinks;
  /** The deployment's stage, for `environments()` filters. */
  readonly stage: string;
  /** The scheduled minute this tick stands for (from the event, floored). */
  readonly minute: Date;
  /** Who claims: the invocation's request id. */
  readonly owner: string;
  /** Epoch milliseconds by which every run must have ended (the Lambda's deadline less a margin). */
  readonly deadline: number;
  /** Wall clock, for lease expiry and durations only — never for deciding which minute is due. */
  readonly now: () => number;
  readonly logger: Logger;
}

/** What one tick did, returned by the tick Lambda. */
export interface TickReport {
  /** The scheduled minute evaluated, ISO-8601. */
  readonly tick: string;
  /** Names of the tasks with a slot in this minute. */
  readonly due: readonly string[];
  /** Names of the tasks this tick started and that succeeded. */
  readonly ran: readonly string[];
  /** Slots that did not run and will not: summarised per task and reason (see `MissReason`). */
  readonly missed: readonly MissedSlots[];
  /** Tasks this tick started that threw or ran past their deadline. */
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  /** Due tasks this tick did not start, and why. */
  readonly skipped: readonly { readonly name: string; readonly reason: SkipReason }[];
}

/**
 * Runs each task's slots one after another, in time order (caught-up slots before the minute's own),
 * while different tasks run side by side: a task's catch-up runs never overlap each other, and a
 * `withoutOverlapping()` task does not lose them to its own lease.
 */
function runInTaskOrder(slots: readonly DueSlot[], run: (slot: DueSlot) => Promise<SlotResult>): Promise<SlotResult>[] {
  const tails = new Map<string, Promise<unknown>>();
  return slots.map((slot) => {
    const name = slot.task.definition.name;
    const result = (tails.get(name) ?? Promise.resolve()).then(() => run(slot));
    tails.set(name, result.catch(() => undefined));
    return result;
  });
}

/**
 * Evaluates one minute: plans its slots (and any missed ones, see `planCatchUp`), claims each with a
 * conditional write, runs the slots it won inline — different tasks side by side, one task's slots in
 * time order; one task's failure never stops the others — and reports the outcome of each.
 *
 * A task's own failure is reported, not thrown. The store failing (unreachable table, throttling past
 * the SDK's retries) is a system-wide fault: the tick finishes what it started, then throws so the
 * invocation fails and alarms fire. Slots already claimed stay claimed, so a retry cannot double-run them.
 */
export async function runTick(input: RunTickInput): Promise<TickReport> {
  const tick = input.minute.toISOString();
  const [lastTick, pauses] = await Promise.all([input.store.lastTick(), input.store.pauses()]);
  const claimLimit = pLimit(CLAIM_CONCURRENCY);
  const { run: slots, missed } = planCatchUp(input.tasks, { minute: input.minute, lastTick, now: input.now() });
  for (const m of missed) input.logger.warn('task missed', { task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason });
  const settled = await Promise.allSettled([
    // Recorded as evaluated once planned (only ever forward): the next tick must not re-plan this
    // minute while its runs are still going. A tick that fails is retried by Lambda with the same
    // event, which evaluates this minute again; claims keep that from running anything twice.
    input.store.advanceTick(input.minute.getTime()).then(() => undefined),
    ...runInTaskOrder(slots, (slot) => runSlot(input, slot, pauses, claimLimit)),
    ...missed.map((m) => input.store.recordMissed({ task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason, tick })),
  ]);

  const report = {
    tick,
    due: slots.map((s) => s.task.definition.name),
    missed,
    ran: [] as string[],
    failed: [] as { name: string; error: string }[],
    skipped: [] as { name: string; reason: SkipReason }[],
  };
  const storeFaults: unknown[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') {
      storeFaults.push(result.reason);
      continue;
    }
    const outcome = result.value;
    if (outcome === undefined) continue; // the tick state or a missed record
    switch (outcome.kind) {
      case 'ran':
        report.ran.push(outcome.name);
        break;
      case 'failed':
        report.failed.push({ name: outcome.name, error: outcome.error });
        break;
      case 'skipped':
        report.skipped.push({ name: outcome.name, reason: outcome.reason });
        break;
    }
  }
  if (storeFaults.length > 0) {
    throw new AggregateError(storeFaults, `Tick ${report.tick}: the store failed for ${storeFaults.length} of ${slots.length} due slots`);
  }
  return report;
}
