import type { LimitFunction } from 'p-limit';
import { dueSlots, type DueSlot } from '../evaluation/dueSlots.js';
import { planCatchUp } from '../evaluation/planCatchUp.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { UnsettledRange } from '../store/Store.js';
import { MISS_REASON, RUN_STATUS } from '../vocabulary.js';
import { staticFilter } from './filters.js';
import { ABANDONED, recordAbandoned } from './overlap.js';
import { outcomeFields } from './outcomeLog.js';
import type { RunTickInput, SlotResult } from './RunContext.js';
import { isStrandedInline } from './runSlot.js';

/**
 * Whether a tick for `minute` has slots it must record: a slot the stage and wall-clock filters rule
 * out is decided alike by every tick and never recorded, so it needs no note (`UnsettledRange`).
 */
export function hasRecordedSlots(tasks: readonly CompiledTask[], minute: Date, stage: string): boolean {
  return dueSlots(tasks, minute).some((due) => staticFilter(due.task.definition, due.clock, stage) === undefined);
}

/**
 * Decides the slots of a range whose tick began and never settled it (`UnsettledRange`): that tick
 * and every Lambda retry of it failed — DynamoDB throttling past every retry, say — after moving the
 * last evaluated minute past the range, so no later tick evaluates it. Called once no attempt of that
 * tick can still be running (`outlivedItsInvocation`).
 *
 * The range is planned as its tick planned it (the plan of missed minutes depends only on the range
 * and the kernel; with the clock at the range's end, none of its own minute's slots is past), and:
 * - each slot the tick would have claimed is claimed now as missed, reason `tick-failed`: one claim
 *   each, so a slot that tick (or a duplicate of it) did claim keeps its record, and a late retry that
 *   comes after finds the slot decided;
 * - an inline slot that tick claimed and left `running` is recorded `abandoned`, as its Lambda retry
 *   would have recorded it, once no invocation can still be running it (a late retry of the tick may
 *   have claimed it minutes after the range's minute: until then the note stays, for a later tick);
 * - the missed minutes' summaries are written again: the same record changes nothing.
 * Then the note goes. A store fault leaves it for the next tick to try again; every step is safe to repeat.
 */
export async function recoverRange(input: RunTickInput, range: UnsettledRange, claimLimit: LimitFunction): Promise<SlotResult[]> {
  const tick = new Date(range.to).toISOString();
  const plan = planCatchUp(input.tasks, { minute: new Date(range.to), lastTick: range.from, now: range.to });
  const slots = [...plan.run, ...plan.decide.map(({ due }) => due)].filter((due) => staticFilter(due.task.definition, due.clock, input.stage) === undefined);
  const settled = await Promise.allSettled([
    ...slots.map((due) => recoverSlot(input, due, claimLimit)),
    ...plan.missed.map(async (m) => {
      await input.store.recordMissed({ task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason, tick });
      return undefined;
    }),
  ]);
  const faults = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (faults.length > 0) throw new AggregateError(faults, `Tick ${tick} left unsettled: the store failed for ${faults.length} of its ${slots.length + plan.missed.length} decisions`);
  const decided = settled.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  if (decided.includes(STILL_RUNNING)) return decided.filter((result): result is SlotResult => result !== STILL_RUNNING);
  await input.store.settleTick(range.to);
  input.logger.warn('unsettled tick recovered', { tick, from: range.from === undefined ? undefined : new Date(range.from).toISOString(), slots: slots.length });
  return decided as SlotResult[];
}

/** A slot whose inline run an invocation may still be running: the range stays noted until it cannot be. */
const STILL_RUNNING = Symbol('still running');

async function recoverSlot(input: RunTickInput, due: DueSlot, claimLimit: LimitFunction): Promise<SlotResult | typeof STILL_RUNNING | undefined> {
  const { definition } = due.task;
  const { name } = definition;
  const store = definition.onOneServer ? input.store.shared() : input.store;
  const reason = MISS_REASON.tickFailed;
  const claimed = await claimLimit(() => store.claimSlot({ task: name, slot: due.slot, owner: input.owner, claimedAt: input.now(), dispatch: false, decided: { status: RUN_STATUS.skipped, reason } }));
  if (claimed.claimed) {
    input.logger.warn('task missed', outcomeFields(input, { task: name, slot: due.slot, outcome: 'missed', reason }));
    return { kind: 'missed', name, slot: due.slot, reason };
  }
  const { holder } = claimed;
  if (definition.lambda === false && holder.status === RUN_STATUS.running && holder.worker === undefined) {
    if (!isStrandedInline(holder, input.now())) return STILL_RUNNING;
    if (await recordAbandoned(input, store, name, due.slot, holder.owner, RUN_STATUS.running)) return { kind: 'failed', name, error: ABANDONED };
  }
  return undefined; // decided by the record it has
}
