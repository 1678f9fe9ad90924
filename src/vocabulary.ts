/**
 * The words a run record, a tick report and a log line use for what happened to a slot. One
 * vocabulary: the store, the runner, the reports and the local pretty-printer all take their values
 * from these objects, so a status or reason cannot drift into a free string at a boundary.
 */

/**
 * Where a run stands.
 *
 * | status       | written by                                                        |
 * |--------------|-------------------------------------------------------------------|
 * | `dispatched` | the tick's claim of a fan-out slot, until its worker starts it    |
 * | `running`    | the tick's claim of an inline slot, or a worker's start           |
 * | `succeeded`, `failed`, `timed-out` | the run's outcome                           |
 * | `skipped`    | a slot decided not to run (see `SKIP_REASON`), with its reason    |
 * | `replaced`   | stopped for a newer slot (overlap policy `replace`), never restarted |
 */
export const RUN_STATUS = {
  dispatched: 'dispatched',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  timedOut: 'timed-out',
  replaced: 'replaced',
} as const;
export type RunStatus = (typeof RUN_STATUS)[keyof typeof RUN_STATUS];

/** Why a due slot did not start. Each is reported by the tick, and those marked * are also recorded on the slot. */
export const SKIP_REASON = {
  /** `environments()` ruled the stage out. Not recorded: every tick decides it alike. */
  environment: 'environment',
  /** * A `when()` condition said no. */
  whenFalse: 'when-false',
  /** * A `skip()` condition said yes. */
  skipTrue: 'skip-true',
  /** Outside its `between()` window. Not recorded: every tick decides it alike. */
  outsideBetween: 'outside-between',
  /** Inside its `unlessBetween()` window. Not recorded: every tick decides it alike. */
  insideUnlessBetween: 'inside-unless-between',
  /** * The scheduler or the task is paused. */
  paused: 'paused',
  /** Another tick (a duplicate delivery) holds the slot; its record is that tick's. */
  alreadyClaimed: 'already-claimed',
  /** * The task's lease is held by a run still going (`withoutOverlapping()`). */
  overlapping: 'overlapping',
  /** * Waiting behind the running one (`bufferOne`, `replace`); it runs when that ends. */
  buffered: 'buffered',
  /** * A buffered run dropped because a newer one took its place. */
  superseded: 'superseded',
  /** * A fan-out slot whose event could not be sent after every attempt. */
  undispatched: 'undispatched',
  /** A later tick already decided this minute (catch-up ran, coalesced or skipped its slots). */
  alreadyDecided: 'already-decided',
} as const;
export type SkipReason = (typeof SKIP_REASON)[keyof typeof SKIP_REASON];

/** Why a run is recorded `failed` without an error of the task's own. */
export const FAILURE_REASON = {
  /** A `when()`/`skip()` condition threw: the slot was decided failed, the action never ran. */
  conditionThrew: 'condition-threw',
  /**
   * The invocation that claimed the slot ended (crashed, timed out, or failed on a store fault) before
   * recording an outcome, and its Lambda retry found the claim: the run may or may not have done its work.
   */
  abandoned: 'abandoned',
} as const;
export type FailureReason = (typeof FAILURE_REASON)[keyof typeof FAILURE_REASON];

/** Why slots that were due never started: recorded per task as a summary (first, last, count). */
export const MISS_REASON = {
  /** Older than the task's catch-up window. */
  outsideCatchUpWindow: 'outside-catch-up-window',
  /** Policy `once`: a later missed slot ran for them. */
  coalesced: 'coalesced',
  /** Policy `skip`. */
  misfireSkip: 'misfire-skip',
  /** Policy `all`, beyond `maxRuns`. */
  catchUpLimit: 'catch-up-limit',
  /** Further back than any tick looks; the minutes were never evaluated (task `*`). */
  notEvaluated: 'not-evaluated',
  /** A queued run of a task the kernel no longer has. */
  unknownTask: 'unknown-task',
  /**
   * Its minute's tick began (moved the last evaluated minute past it) and then failed before claiming
   * it, and so did every Lambda retry of that tick: a later tick records it, one slot per claim
   * (`recoverRange`), once no attempt of that tick can still be running.
   */
  tickFailed: 'tick-failed',
} as const;
export type MissReason = (typeof MISS_REASON)[keyof typeof MISS_REASON];

/** Every reason a record or report can carry. */
export type RunReason = SkipReason | FailureReason | MissReason;
