import type { LimitFunction } from 'p-limit';
import { dueSlots, type DueSlot } from '../evaluation/dueSlots.js';
import { MAX_LOOK_BACK_MINUTES, planCatchUp, type MissedSlots } from '../evaluation/planCatchUp.js';
import type { CompiledTask } from '../kernel/Schedule.js';
import type { Pauses, UnsettledRange } from '../store/Store.js';
import { MISS_REASON, RUN_STATUS, SKIP_REASON } from '../vocabulary.js';
import { staticFilter } from './filters.js';
import { ABANDONED, recordAbandoned } from './overlap.js';
import { outcomeFields } from './outcomeLog.js';
import type { RunTickInput, SlotResult } from './RunContext.js';
import { isStrandedInline } from './runSlot.js';

const MINUTE_MS = 60_000;

/**
 * Whether the range `(from, minute]` has a slot a tick records — `own` are the minute's own due slots —
 * so that its tick notes it (`UnsettledRange`). A slot the stage and wall-clock filters rule out is
 * decided alike by every tick and never recorded; minutes beyond the tick's look-back are recorded as
 * one summary.
 */
export function hasRecordedSlots(tasks: readonly CompiledTask[], own: readonly DueSlot[], minute: number, from: number | undefined, stage: string): boolean {
  const recorded = (due: DueSlot) => staticFilter(due.task.definition, due.clock, stage) === undefined;
  if (own.some(recorded)) return true;
  if (from === undefined) return false; // the first tick ever: its own minute only
  const lookBackStart = minute - MAX_LOOK_BACK_MINUTES * MINUTE_MS;
  if (from + MINUTE_MS < lookBackStart) return true; // a `not-evaluated` summary
  for (let m = from + MINUTE_MS; m < minute; m += MINUTE_MS) if (dueSlots(tasks, new Date(m)).some(recorded)) return true;
  return false;
}

/** What recovering a range decided: each slot's claim, and the missed minutes' summaries written again. */
export interface Recovered {
  readonly results: SlotResult[];
  readonly missed: MissedSlots[];
}

/**
 * Decides the slots of a range whose tick began and never settled it (`UnsettledRange`): that tick
 * and every Lambda retry of it failed — DynamoDB throttling past every retry, say — after moving the
 * last evaluated minute past the range, so no later tick evaluates it. Called once no attempt of that
 * tick can still be running (`outlivedItsInvocation`).
 *
 * The range is planned as its tick planned it (the plan of missed minutes depends only on the range
 * and the kernel; with the clock at the range's end, none of its own minute's slots is past), and:
 * - each slot the tick would have claimed is claimed now as missed, reason `tick-failed` — or skipped
 *   `paused` if the task was paused already when the slot came due, as the failed tick would have
 *   recorded it and the monitor expects: one claim each, so a slot
 *   that tick (or a duplicate of it) did claim keeps its record, and a late retry that comes after
 *   finds the slot decided;
 * - an inline slot that tick claimed and left `running` is recorded `abandoned`, as its Lambda retry
 *   would have recorded it, once no invocation can still be running it (a late retry of the tick may
 *   have claimed it minutes after the range's minute: until then the note stays, for a later tick);
 * - the missed minutes' summaries are written again (the same record changes nothing) and reported
 *   once the range is settled;
 * Then the note goes. A store fault leaves it for the next tick to try again; every step is safe to repeat.
 */
export async function recoverRange(input: RunTickInput, range: UnsettledRange, pauses: Pauses, claimLimit: LimitFunction): Promise<Recovered> {
  const tick = new Date(range.to).toISOString();
  const recorded = (due: DueSlot) => staticFilter(due.task.definition, due.clock, input.stage) === undefined;
  const plan = planCatchUp(input.tasks, { minute: new Date(range.to), lastTick: range.from, now: range.to, recorded });
  const slots = [...plan.run, ...plan.decide.map(({ due }) => due)].filter(recorded);
  const settled = await Promise.allSettled([
    ...slots.map((due) => recoverSlot(input, due, pauses, claimLimit)),
    ...plan.missed.map(async (m) => void (await input.store.recordMissed({ task: m.name, from: m.from, to: m.to, count: m.count, reason: m.reason, tick }))),
  ]);
  const faults = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (faults.length > 0) throw new AggregateError(faults, `Tick ${tick} left unsettled: the store failed for ${faults.length} of its ${slots.length + plan.missed.length} decisions`);
  const decided = settled.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  const results = decided.filter((result): result is SlotResult => result !== STILL_RUNNING);
  // Tried again by a later tick: its summaries are reported once, when the range is settled.
  if (decided.includes(STILL_RUNNING)) return { results, missed: [] };
  // Reported whether or not this call wrote them: the failed tick that wrote one returned no report,
  // and the metrics read reports. A tick that decided its range and only failed to settle it has its
  // summaries counted twice — never lost.
  for (const m of plan.missed) input.logger.warn('task missed', { ...outcomeFields(input, { task: m.name, slot: m.from, outcome: 'missed', reason: m.reason }), from: m.from, to: m.to, count: m.count });
  await input.store.settleTick(range.to);
  input.logger.warn('unsettled tick recovered', { tick, from: range.from === undefined ? undefined : new Date(range.from).toISOString(), slots: slots.length });
  return { results, missed: plan.missed };
}

/** A slot whose inline run an invocation may still be running: the range stays noted until it cannot be. */
const STILL_RUNNING = Symbol('still running');

async function recoverSlot(input: RunTickInput, due: DueSlot, pauses: Pauses, claimLimit: LimitFunction): Promise<SlotResult | typeof STILL_RUNNING | undefined> {
  const { definition } = due.task;
  const { name } = definition;
  const store = definition.onOneServer ? input.store.shared() : input.store;
  // Paused already when the slot came due: the failed tick would have recorded it so.
  const paused = !definition.evenWhenPaused && [pauses.tasks.get(name), pauses.all].some((pause) => pause !== undefined && pause.pausedAt <= due.at.getTime());
  const reason = paused ? SKIP_REASON.paused : MISS_REASON.tickFailed;
  const claimed = await claimLimit(() => store.claimSlot({ task: name, slot: due.slot, owner: input.owner, claimedAt: input.now(), dispatch: false, decided: { status: RUN_STATUS.skipped, reason } }));
  if (claimed.claimed) {
    if (reason === SKIP_REASON.paused) {
      input.logger.info('task skipped', outcomeFields(input, { task: name, slot: due.slot, outcome: 'skipped', reason }));
      return { kind: 'skipped', name, reason };
    }
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
