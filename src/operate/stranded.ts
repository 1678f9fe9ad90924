import { MAX_LAMBDA_TIMEOUT_SECONDS, outlivedItsInvocation } from '../kernel/runBudget.js';
import type { RunRecord } from '../store/Store.js';
import { RUN_STATUS } from '../vocabulary.js';
import { iso } from './format.js';

type Started = Pick<RunRecord, 'claimedAt' | 'startedAt'>;

/**
 * Whether `run` still says `running` at `now` though nothing can be running it: it started longer ago
 * than any Lambda invocation lasts (`STALE_RUN_MS`), so the invocation that ran it ended without
 * recording an outcome, and no Lambda retry has settled it as `abandoned` (docs/design.md "Failures
 * and retries") — none did, or one is yet to come. Nothing writes this: `why`, `monitor`, `history`
 * and the dashboard read it so, and the monitor calls it a failure.
 */
export function isStranded(run: Pick<RunRecord, 'status'> & Started, now: number): boolean {
  return run.status === RUN_STATUS.running && outlivedItsInvocation(startOf(run), now);
}

/** How a stranded run's status reads in tables and badges. */
export const NO_OUTCOME = 'no outcome';

/** What a stranded run's record is read as, in the error column, the monitor and `why`. */
export function strandedError(run: Started): string {
  return (
    `${NO_OUTCOME}: started ${iso(startOf(run))}, longer ago than any Lambda invocation lasts (${MAX_LAMBDA_TIMEOUT_SECONDS / 60} minutes), ` +
    'and the invocation that ran it ended without recording how it went; it may have done some, all or none of its work'
  );
}

/** When a run started: a worker's start (its latest, for a run started again), else the tick's claim (an inline claim is its start). */
export function startOf(run: Started): number {
  return run.startedAt ?? run.claimedAt;
}

/** The fields a run's record gets when the run ends (`Store.completeRun`). */
export type Outcome = Partial<Pick<RunRecord, 'finishedAt' | 'durationMs' | 'latenessMs' | 'error' | 'reason' | 'output'>>;

/**
 * What `run`'s record says about how it ended: nothing while it says `running`, though a run started
 * again (a fan-out worker's retry) keeps its earlier attempt's outcome there until it records its own.
 */
export function outcomeOf(run: RunRecord): Outcome {
  return run.status === RUN_STATUS.running ? {} : run;
}
