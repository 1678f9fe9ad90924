import type { DueSlot } from '../evaluation/dueSlots.js';
import { excerpt } from '../output/excerpt.js';
import type { Store } from '../store/Store.js';
import { deliverOutput } from './deliverOutput.js';
import { outcomeFields } from './outcomeLog.js';
import { signalOf, type RunContext, type SlotResult } from './RunContext.js';
import { runTask, type TaskResult } from './runTask.js';

/** Runs a claimed slot and records its outcome on the claim owned by `recordOwner`. */
export async function runClaimed(
  input: RunContext,
  store: Store,
  due: DueSlot,
  recordOwner: string,
  lease: { fence: number; signal: AbortSignal; immediate: boolean } | undefined = undefined,
): Promise<SlotResult> {
  const result = await runTask(due, {
    deadline: input.deadline,
    now: input.now,
    logger: input.logger,
    commands: input.commands,
    ...signalOf(input.signal, lease?.signal),
    ...(lease === undefined ? {} : { fence: lease.fence, immediate: lease.immediate }),
  });
  return recordResult(input, store, due, recordOwner, result);
}

/** Writes a run's outcome on its record, delivers its output, logs it, and says what became of the slot. */
export async function recordResult(input: RunContext, store: Store, due: DueSlot, recordOwner: string, result: TaskResult, reason?: 'condition-threw'): Promise<SlotResult> {
  const { logger } = input;
  const { definition } = due.task;
  const name = definition.name;
  const { output, abandoned, ...outcome } = result;
  await store.completeRun({
    task: name,
    slot: due.slot,
    owner: recordOwner,
    finishedAt: input.now(),
    ...outcome,
    ...(reason === undefined ? {} : { reason }),
    ...(output === '' ? {} : { output: excerpt(output) }),
  });
  input.onRunRecorded?.({ task: name, status: result.status, durationMs: result.durationMs });
  await deliverOutput(definition, due.slot, result, input.sinks, logger);
  const fields = (outcome: string) => outcomeFields(input, { task: name, slot: due.slot, outcome, latenessMs: result.latenessMs, ...(reason === undefined ? {} : { reason }) });
  if (result.status === 'succeeded') {
    logger.info('task ran', { ...fields('ran'), durationMs: result.durationMs });
    return { kind: 'ran', name };
  }
  logger.info(`task ${result.status}`, { ...fields(result.status), durationMs: result.durationMs, error: result.error });
  return { kind: 'failed', name, error: result.error, abandoned, ...(result.status === 'replaced' ? { replaced: true } : {}) };
}
