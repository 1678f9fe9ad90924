import type { RunContext } from './RunContext.js';

/**
 * The fields every "task …" log line carries, one JSON line per slot outcome, so a log query can follow
 * a run without knowing which code path wrote it (docs: README "What a tick does", step 5):
 *
 * | field        | what                                                                               |
 * |--------------|------------------------------------------------------------------------------------|
 * | `task`       | the task's name                                                                    |
 * | `slot`       | the slot's identity (ISO instant, or `<ISO>#<id>` for a one-off)                   |
 * | `runId`      | the invocation that decided or ran it: the tick's request id, or the worker's      |
 * | `attempt`    | which start of the run this is: a fan-out worker's count, else 1                   |
 * | `latenessMs` | how long after its slot the run started, when it started                          |
 * | `outcome`    | `ran`, `failed`, `timed-out`, `replaced`, `skipped`, `missed`, `dispatched`, `undispatched` |
 * | `reason`     | why it was skipped or failed without an error of its own, when there is one        |
 */
export interface OutcomeFields {
  readonly task: string;
  readonly slot: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly latenessMs?: number;
  readonly attempt?: number;
}

/** The outcome fields with the invocation's run id and attempt filled in from `input`. */
export function outcomeFields(input: Pick<RunContext, 'owner' | 'runId' | 'attempt'>, fields: OutcomeFields): Record<string, unknown> {
  return { runId: input.runId ?? input.owner, attempt: input.attempt ?? 1, ...fields };
}
