/**
 * The table's key design: one partition per task (per deployment), so everything about a task —
 * its run records and its lease — is one Query away.
 *
 * | item        | pk                          | sk                 |
 * |-------------|-----------------------------|--------------------|
 * | run record  | `task#<deployment>#<name>`  | `run#<slot ISO>`   |
 * | overlap lease | `task#<deployment>#<name>` | `lease`           |
 * | missed slots  | `task#<deployment>#<name>`  | `missed#<first slot>#<reason>` |
 * | tick state, with the pauses and the queue's mark | `tick#<deployment>` | `state` |
 * | minutes a catch-up decided | `tick#<deployment>` | `covered#<last minute ISO>` |
 * | queued run    | `queue#<deployment>`        | `<due ISO>#<id>`   |
 *
 * Keys come from task names, never from expressions, so editing a frequency never orphans a lock.
 */
export const keys = {
  task: (deployment: string, task: string) => `task#${deployment}#${task}`,
  run: (slot: string) => `run#${slot}`,
  lease: 'lease',
  missed: (from: string, reason: string) => `missed#${from}#${reason}`,
  tick: (deployment: string) => `tick#${deployment}`,
  tickState: 'state',
  covered: (to: number) => `covered#${new Date(to).toISOString()}`,
  coveredPrefix: 'covered#',
  queue: (deployment: string) => `queue#${deployment}`,
  queued: (at: number, id: string) => `${new Date(at).toISOString()}#${id}`,
  /** Sorts after every queued run due at or before `at`. */
  queuedUntil: (at: number) => `${new Date(at).toISOString()}#\uffff`,
} as const;

/** Deployment id used when none is configured. */
export const DEFAULT_DEPLOYMENT = 'default';
