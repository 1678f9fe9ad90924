import type { TaskDefinition } from '../kernel/types.js';
import type { Store } from '../store/Store.js';

/**
 * The store a task's claims, records and lease live in: `onOneServer()` tasks claim in the key space
 * every deployment shares (docs/design.md#a-slot-never-starts-twice), the rest in the deployment's.
 */
export function storeOf(store: Store, definition: Pick<TaskDefinition, 'onOneServer'>): Store {
  return definition.onOneServer ? store.shared() : store;
}
