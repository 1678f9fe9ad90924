import type { CompiledTask } from '../kernel/Schedule.js';
import { MISS_REASON, type MissReason } from '../vocabulary.js';
import { dueSlots, type DueSlot } from './dueSlots.js';

const MINUTE_MS = 60_000;
/** A tick looks back at most this far; a longer gap is reported as one `not-evaluated` range. */
export const MAX_LOOK_BACK_MINUTES = 24 * 60;
/** A sub-minute slot this far behind the clock has been missed, not merely reached late. */
export const MISFIRE_GRACE_MS = 5_000;

/** Why slots did not run: `MISS_REASON` in the run vocabulary. */
export type { MissReason } from '../vocabulary.js';

/** Missed slots of one task, summarised. */
export interface MissedSlots {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly reason: MissReason;
}

/** A slot of the tick's own minute that went past before the tick reached it, and how its policy decides it. */
export interface DecidedSlot {
  readonly due: DueSlot;
  readonly reason: MissReason;
}

export interface CatchUpPlan {
  /** What to run this tick: the minute's own slots still ahead, then the caught-up ones, by time. */
  readonly run: DueSlot[];
  /** Slots of missed minutes that will not run, summarised per task and reason (one record each). */
  readonly missed: MissedSlots[];
  /**
   * Past sub-minute slots of the tick's own minute that will not run. Each is decided by its own
   * claim, not a summary: whether one is past depends on when the tick arrived, so a duplicate or a
   * Lambda retry of this tick may see it differently, and the first claim must stand.
   */
  readonly decide: DecidedSlot[];
}

/**
 * Decides a tick's slots (docs/design.md "Missed ticks and catch-up", "Sub-minute tasks"). Pure: the clock
 * and the last evaluated minute come in as arguments.
 *
 *   lastTick ─┬─ missed minutes ────────────────┬─ minute (this tick) ─┬─ now
 *             │ older than the task's window:   │ within the window:   │ its slots: ahead → run at
 *             │ recorded missed                 │ the task's policy    │ their second; past sub-minute
 *             │                                 │ (once / all / skip)  │ slots → the policy, by claim
 *
 * What it plans for the missed minutes depends only on the range and the kernel, so every tick that
 * decides the same range (a duplicate, Lambda's retry) plans it alike. Only the own minute's past
 * sub-minute slots depend on the clock; they go to `decide`, one claim each, after the missed minutes'
 * slots have had their share of the policy: `once` runs the latest of them unless a missed minute's
 * slot already runs, `all` runs them within what `maxRuns` leaves, `skip` runs none.
 *
 * A duplicate or stale tick (lastTick ≥ minute) evaluates its own minute only; claims keep it from
 * running anything twice. The first tick ever has nothing to catch up.
 */
export function planCatchUp(
  tasks: readonly CompiledTask[],
  input: {
    readonly minute: Date;
    readonly lastTick: number | undefined;
    readonly now: number;
    /** The minute's own due slots (`dueSlots(tasks, minute)`), when the caller has them already. */
    readonly slots?: readonly DueSlot[];
    /**
     * Whether a tick records a slot: false for one the stage's static filters rule out, which every
     * tick decides alike and no tick writes — so a missed or past one is neither summarised nor
     * decided. @default every slot
     */
    readonly recorded?: (slot: DueSlot) => boolean;
  },
): CatchUpPlan {
  const minute = input.minute.getTime();
  const missed: MissedSlots[] = [];
  const late = new Map<CompiledTask, DueSlot[]>();
  const overdue = new Map<CompiledTask, DueSlot[]>();
  const run: DueSlot[] = [];
  const decide: DecidedSlot[] = [];

  const firstMissed = input.lastTick === undefined ? minute : input.lastTick + MINUTE_MS;
  const lookBackStart = minute - MAX_LOOK_BACK_MINUTES * MINUTE_MS;
  if (firstMissed < lookBackStart) {
    missed.push({
      name: '*',
      from: new Date(firstMissed).toISOString(),
      to: new Date(lookBackStart - MINUTE_MS).toISOString(),
      count: (lookBackStart - firstMissed) / MINUTE_MS,
      reason: MISS_REASON.notEvaluated,
    });
  }
  const recorded = input.recorded ?? (() => true);
  for (let m = Math.max(firstMissed, lookBackStart); m < minute; m += MINUTE_MS) {
    for (const slot of dueSlots(tasks, new Date(m))) if (recorded(slot)) addTo(late, slot);
  }
  for (const slot of input.slots ?? dueSlots(tasks, input.minute)) {
    const subMinute = slot.task.definition.repeatSeconds !== undefined || slot.task.cron.seconds.length > 1 || slot.at.getTime() !== minute;
    if (subMinute && slot.at.getTime() < input.now - MISFIRE_GRACE_MS) {
      if (recorded(slot)) addTo(overdue, slot);
    } else {
      run.push(slot); // a slot the filters rule out is reported skipped when it runs, and not written
    }
  }

  const runsOfMissedMinutes = new Map<CompiledTask, number>();

  for (const [task, slots] of late) {
    const { window, policy, maxRuns } = task.definition.catchUp;
    const windowStart = minute - window * MINUTE_MS;
    const expired = slots.filter((s) => s.at.getTime() < windowStart);
    const eligible = slots.filter((s) => s.at.getTime() >= windowStart);
    summarise(missed, task, expired, MISS_REASON.outsideCatchUpWindow);
    if (policy === 'skip') {
      summarise(missed, task, eligible, MISS_REASON.misfireSkip);
    } else {
      const keep = Math.min(eligible.length, policy === 'once' ? 1 : maxRuns);
      run.push(...eligible.slice(eligible.length - keep));
      runsOfMissedMinutes.set(task, keep);
      summarise(missed, task, eligible.slice(0, eligible.length - keep), policy === 'once' ? MISS_REASON.coalesced : MISS_REASON.catchUpLimit);
    }
  }

  for (const [task, slots] of overdue) {
    const { policy, maxRuns } = task.definition.catchUp;
    const already = runsOfMissedMinutes.get(task) ?? 0;
    const keep = policy === 'skip' ? 0 : Math.max(0, Math.min(slots.length, (policy === 'once' ? 1 : maxRuns) - already));
    const reason = policy === 'skip' ? MISS_REASON.misfireSkip : policy === 'once' ? MISS_REASON.coalesced : MISS_REASON.catchUpLimit;
    run.push(...slots.slice(slots.length - keep));
    for (const due of slots.slice(0, slots.length - keep)) decide.push({ due, reason });
  }
  return { run: run.sort((a, b) => a.at.getTime() - b.at.getTime()), missed, decide };
}

function addTo(into: Map<CompiledTask, DueSlot[]>, slot: DueSlot): void {
  const list = into.get(slot.task);
  if (list === undefined) into.set(slot.task, [slot]);
  else list.push(slot);
}

function summarise(into: MissedSlots[], task: CompiledTask, slots: readonly DueSlot[], reason: MissReason): void {
  const [first] = slots;
  const last = slots[slots.length - 1];
  if (first === undefined || last === undefined) return;
  into.push({ name: task.definition.name, from: first.slot, to: last.slot, count: slots.length, reason });
}
