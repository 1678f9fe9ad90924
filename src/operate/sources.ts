import type { TaskDefinition } from '../kernel/types.js';
import type { RunRecord, Store } from '../store/Store.js';

/**
 * The store a task's claims, records and lease live in: `onOneServer()` tasks claim in the key space
 * every deployment shares (docs/design.md#a-slot-never-starts-twice), the rest in the deployment's.
 */
export function storeOf(store: Store, definition: Pick<TaskDefinition, 'onOneServer'>): Store {
  return definition.onOneServer ? store.shared() : store;
}

/** Claims made by a backfill (`tickwork backfill`, src/operate/backfill.ts) carry an owner with this prefix. */
export const BACKFILL_OWNER_PREFIX = 'backfill-';

/** Claims made by `tickwork run` and `tickwork work` carry an owner with this prefix (src/cli/commands/run.ts). */
export const CLI_OWNER_PREFIX = 'tickwork-cli-';

/**
 * Where a run came from, read off its record: a one-off's slot is `<due ISO>#<id>` (`dispatchAt`), a
 * backfill's and a local tick's claims carry their owner prefix, and anything else is a deployed tick's.
 */
export type RunSource = 'tick' | 'one-off' | 'backfill' | 'local-tick';

export function runSource(record: Pick<RunRecord, 'owner' | 'slot'>): RunSource {
  if (record.owner.startsWith(BACKFILL_OWNER_PREFIX)) return 'backfill';
  if (record.slot.includes('#')) return 'one-off';
  if (record.owner.startsWith(CLI_OWNER_PREFIX)) return 'local-tick';
  return 'tick';
}
