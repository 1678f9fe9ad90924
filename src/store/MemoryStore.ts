import type {
  ClaimResult,
  LeaseHolder,
  LeaseRequest,
  LeaseResult,
  MissedRecord,
  RunOutcome,
  RunRecord,
  SlotClaim,
  Store,
} from './Store.js';

/**
 * An in-process store with the same semantics as `DynamoDbStore`, for unit tests and for local runs
 * without Java. State lives in this object only: two processes never share it.
 */
export class MemoryStore implements Store {
  readonly #runs = new Map<string, RunRecord>();
  readonly #leases = new Map<string, LeaseHolder>();
  readonly #fences = new Map<string, number>();
  readonly #missed = new Map<string, MissedRecord>();
  #lastTick: number | undefined;

  async ensureTable(): Promise<void> {}

  async claimSlot(claim: SlotClaim): Promise<ClaimResult> {
    const key = runKey(claim.task, claim.slot);
    const existing = this.#runs.get(key);
    if (existing !== undefined) {
      return { claimed: false, holder: { owner: existing.owner, claimedAt: existing.claimedAt, status: existing.status } };
    }
    this.#runs.set(key, { ...claim, status: 'running' });
    return { claimed: true };
  }

  async completeRun(outcome: RunOutcome): Promise<boolean> {
    const key = runKey(outcome.task, outcome.slot);
    const existing = this.#runs.get(key);
    if (existing === undefined || existing.owner !== outcome.owner) return false;
    this.#runs.set(key, { ...existing, ...outcome });
    return true;
  }

  async getRun(task: string, slot: string): Promise<RunRecord | undefined> {
    return this.#runs.get(runKey(task, slot));
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    const held = this.#leases.get(request.task);
    if (held !== undefined && held.expiresAt >= request.now) return { acquired: false, holder: held };
    this.#leases.set(request.task, { owner: request.owner, slot: request.slot, expiresAt: request.expiresAt });
    const fence = (this.#fences.get(request.task) ?? 0) + 1;
    this.#fences.set(request.task, fence);
    return { acquired: true, fence };
  }

  async releaseLease(task: string, owner: string): Promise<boolean> {
    if (this.#leases.get(task)?.owner !== owner) return false;
    this.#leases.delete(task);
    return true;
  }

  async lastTick(): Promise<number | undefined> {
    return this.#lastTick;
  }

  async advanceTick(minute: number): Promise<boolean> {
    if (this.#lastTick !== undefined && this.#lastTick >= minute) return false;
    this.#lastTick = minute;
    return true;
  }

  async recordMissed(missed: MissedRecord): Promise<void> {
    const key = JSON.stringify([missed.task, missed.from, missed.reason]);
    if (!this.#missed.has(key)) this.#missed.set(key, missed);
  }

  /** Every missed record, for tests. */
  missed(): MissedRecord[] {
    return [...this.#missed.values()];
  }
}

function runKey(task: string, slot: string): string {
  return JSON.stringify([task, slot]);
}
