import { keys } from '../keys.js';
import type { Pauses, PauseState, PauseStore } from '../Store.js';
import { keyOf, n, num, s, str, type DynamoTable } from './DynamoTable.js';

/** Pauses on DynamoDB: one partition per deployment, an item for the scheduler and one per paused task. */
export class DynamoPauses implements PauseStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
  ) {}

  async pause(request: { task?: string; note: string; pausedAt: number }): Promise<void> {
    // Unconditional: pausing again replaces the note, so a repeat is harmless.
    await this.table.put(`pause ${request.task ?? 'the scheduler'}`, { ...keyOf(this.#key(request.task)), note: s(request.note), pausedAt: n(request.pausedAt) });
  }

  async resume(task?: string): Promise<boolean> {
    const result = await this.table.delete(`resume ${task ?? 'the scheduler'}`, this.#key(task), {});
    return result.item !== undefined;
  }

  async pauses(): Promise<Pauses> {
    const items = await this.table.query('read the pauses', {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': s(keys.pause(this.deployment)) },
    });
    let all: PauseState | undefined;
    const tasks = new Map<string, PauseState>();
    const taskPrefix = keys.pauseTask('');
    for (const item of items) {
      const state = { note: str(item, 'note') ?? '', pausedAt: num(item, 'pausedAt') ?? 0 };
      const sk = str(item, 'sk') ?? '';
      if (sk === keys.pauseAll) all = state;
      else if (sk.startsWith(taskPrefix)) tasks.set(sk.slice(taskPrefix.length), state);
    }
    return { all, tasks };
  }

  #key(task: string | undefined) {
    return { pk: keys.pause(this.deployment), sk: task === undefined ? keys.pauseAll : keys.pauseTask(task) };
  }
}
