import type { RunRecord } from '../store/Store.js';
import { STALE_RUN_MS } from '../runner/runSlot.js';
import { RUN_STATUS } from '../vocabulary.js';
import { iso } from './format.js';

/**
 * Whether `run` still says `running` at `now` though nothing is left running it: it started longer
 * ago than any Lambda invocation lasts (`STALE_RUN_MS`), so the invocation that ran it ended without
 * recording an outcome. A Lambda retry of that invocation settles such a record as `abandoned`
 * (docs/design.md "Failures and retries"); this is the one left when every retry failed too, or none came. Nothing
 * writes it: `why`, `monitor`, `history` and the dashboard read it so, and the monitor calls it a failure.
 */
export function isStranded(run: Pick<RunRecord, 'status' | 'claimedAt' | 'startedAt'>, now: number): boolean {
  return run.status === RUN_STATUS.running && startOf(run) < now - STALE_RUN_MS;
}

/** What a stranded run's record is read as, for the error column and `why`. */
export function strandedError(run: Pick<RunRecord, 'claimedAt' | 'startedAt'>): string {
  return `no outcome: started ${iso(startOf(run))}, longer ago than any Lambda invocation lasts (15 minutes), and the invocation that ran it ended without recording how it went; it may have done some, all or none of its work`;
}

/** When a run started: a worker's start, else the tick's claim (an inline claim is its start). */
export function startOf(run: Pick<RunRecord, 'claimedAt' | 'startedAt'>): number {
  return run.startedAt ?? run.claimedAt;
}
