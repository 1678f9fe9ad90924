/**
 * The table's key design: one partition per task (per deployment), so everything about a task —
 * its run records and its lease — is one Query away.
 *
 * | item        | pk                          | sk                 |
 * |-------------|-----------------------------|--------------------|
 * | run record  | `task#<deployment>#<name>`  | `run#<slot ISO>`   |
 * | overlap lease | `task#<deployment>#<name>` | `lease`           |
 *
 * Keys come from task names, never from expressions, so editing a frequency never orphans a lock.
 */
export const keys = {
  task: (deployment: string, task: string) => `task#${deployment}#${task}`,
  run: (slot: string) => `run#${slot}`,
  lease: 'lease',
} as const;

/** Deployment id used when none is configured. */
export const DEFAULT_DEPLOYMENT = 'default';
