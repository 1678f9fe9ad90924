import type { DynamoDbStore } from '../../store/DynamoDbStore.js';
import type { ClaimResult, LeaseResult, RunOutcome, SlotClaim, LeaseRequest } from '../../store/Store.js';
import { FAILURE_REASON, RUN_STATUS } from '../../vocabulary.js';

/** The error an abandoned run's record carries. */
export const WORK_ABANDONED = 'Abandoned: tickwork work was stopped (a second Ctrl-C) while this run was going; it may have done some or all of its work';

interface Claimed {
  readonly store: DynamoDbStore;
  readonly task: string;
  readonly slot: string;
  readonly owner: string;
}

/**
 * The runs this process has claimed and not yet recorded, and the leases it holds, seen through the
 * store it hands the tick (`track`). When `tickwork work` is told to stop at once, `abandonAll` records
 * each such run `failed` with reason `abandoned` — as a Lambda retry records a run its crashed
 * attempt left (README "Under faults") — and frees its lease: the process is about to exit, so
 * nothing runs behind them any more.
 */
export class InFlightRuns {
  readonly #runs = new Map<string, Claimed>();
  readonly #leases = new Map<string, Omit<Claimed, 'slot'>>();

  /** `store` (and its shared view) with every claim, outcome, lease and release noted here. */
  track(store: DynamoDbStore): DynamoDbStore {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        switch (property) {
          case 'claimSlot':
            return async (claim: SlotClaim): Promise<ClaimResult> => {
              const result = await target.claimSlot(claim);
              // An inline run starts with its claim; a dispatched one is its worker's, a decided one has its outcome.
              if (result.claimed && claim.dispatch !== true && claim.decided === undefined) {
                this.#runs.set(key(claim.task, claim.slot, claim.owner), { store: target, task: claim.task, slot: claim.slot, owner: claim.owner });
              }
              return result;
            };
          case 'completeRun':
            return async (outcome: RunOutcome): Promise<boolean> => {
              const done = await target.completeRun(outcome);
              if (done) this.#runs.delete(key(outcome.task, outcome.slot, outcome.owner));
              return done;
            };
          case 'acquireLease':
            return async (request: LeaseRequest): Promise<LeaseResult> => {
              const result = await target.acquireLease(request);
              if (result.acquired) this.#leases.set(key(request.task, '', request.owner), { store: target, task: request.task, owner: request.owner });
              return result;
            };
          case 'releaseLease':
          case 'releaseLeaseTakingPending':
            return async (task: string, owner: string) => {
              const result = await target[property](task, owner);
              this.#leases.delete(key(task, '', owner));
              return result;
            };
          case 'shared':
            return () => this.track(target.shared());
          default: {
            const value: unknown = Reflect.get(target, property, receiver);
            // The store keeps private fields: its methods must run on the store itself, not on the proxy.
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          }
        }
      },
    });
  }

  /** Runs started and not recorded yet. */
  get size(): number {
    return this.#runs.size;
  }

  /** Records every run still going as abandoned and frees the leases; returns the runs recorded. */
  async abandonAll(now: number): Promise<Claimed[]> {
    const runs = [...this.#runs.values()];
    const leases = [...this.#leases.values()];
    await Promise.allSettled(
      runs.map(({ store, task, slot, owner }) =>
        store.completeRun({ task, slot, owner, status: RUN_STATUS.failed, reason: FAILURE_REASON.abandoned, error: WORK_ABANDONED, finishedAt: now, ifStatus: RUN_STATUS.running }),
      ),
    );
    await Promise.allSettled(leases.map(({ store, task, owner }) => store.releaseLease(task, owner)));
    return runs;
  }
}

function key(task: string, slot: string, owner: string): string {
  return JSON.stringify([task, slot, owner]);
}
