import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { keys } from '../keys.js';
import type { Pauses, PauseState, PauseStore } from '../Store.js';
import { keyOf, n, num, s, type DynamoTable, type Item } from './DynamoTable.js';

/** The attribute of the scheduler's pause, and the prefix of each task's, on the tick-state item. */
const PAUSE_ALL = 'pause';
const PAUSE_TASK = 'pause#';
/**
 * The write token a resume leaves on the item, one per pause, so two resumes a moment apart are told
 * apart. Named by a digest of the pause's attribute: an expression names the token as `#<attribute>`,
 * a placeholder of letters, digits and underscores that DynamoDB keeps short.
 */
function resumeToken(attribute: string): string {
  return `resumeToken_${createHash('sha256').update(attribute).digest('hex').slice(0, 20)}`;
}

/**
 * Pauses on DynamoDB: attributes of the deployment's tick-state item (`pause` for the scheduler,
 * `pause#<task>` for a task), each a map of note and time. On that item, the write that begins a tick
 * returns them (`DynamoTickState.beginTick`) and no tick reads them apart. Each write touches only its
 * own attribute, never the tick's fields, so pausing and ticking cannot undo each other.
 */
export class DynamoPauses implements PauseStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
  ) {}

  async pause(request: { task?: string; note: string; pausedAt: number }): Promise<void> {
    // Unconditional: pausing again replaces the note, so a repeat is harmless.
    await this.#send(`pause ${request.task ?? 'the scheduler'}`, {
      UpdateExpression: 'SET #pause = :pause',
      ExpressionAttributeNames: { '#pause': attributeOf(request.task) },
      ExpressionAttributeValues: { ':pause': { M: { note: s(request.note), pausedAt: n(request.pausedAt) } } },
    });
  }

  /**
   * Conditional on the pause being there, and stamped with a write token: the SDK's retry of a resume
   * whose reply was lost finds the pause gone and its own token, and answers "resumed" as the first
   * attempt would have, not "was not paused". A resume of nothing writes nothing.
   */
  async resume(task?: string): Promise<boolean> {
    const attribute = attributeOf(task);
    const result = await this.table.update(
      `resume ${task ?? 'the scheduler'}`,
      this.#key,
      { set: '', rest: 'REMOVE #pause' },
      { condition: 'attribute_exists(#pause)', names: { '#pause': attribute } },
      resumeToken(attribute),
    );
    return result.written;
  }

  async pauses(): Promise<Pauses> {
    return pausesOf(await this.table.get('read the pauses', this.#key));
  }

  get #key() {
    return { pk: keys.tick(this.deployment), sk: keys.tickState };
  }

  async #send(action: string, input: Pick<ConstructorParameters<typeof UpdateItemCommand>[0], 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<void> {
    try {
      await this.table.client.send(new UpdateItemCommand({ TableName: this.table.name, Key: keyOf(this.#key), ...input }));
    } catch (error) {
      throw this.table.fail(action, error);
    }
  }
}

function attributeOf(task: string | undefined): string {
  return task === undefined ? PAUSE_ALL : `${PAUSE_TASK}${task}`;
}

/** The pauses held on a tick-state item (none when there is no item). */
export function pausesOf(item: Item | undefined): Pauses {
  const stateOf = (value: Item[string] | undefined): PauseState => ({ note: value?.M?.note?.S ?? '', pausedAt: num(value?.M, 'pausedAt') ?? 0 });
  const tasks = new Map<string, PauseState>();
  for (const [attribute, value] of Object.entries(item ?? {})) {
    if (attribute.startsWith(PAUSE_TASK)) tasks.set(attribute.slice(PAUSE_TASK.length), stateOf(value));
  }
  return { all: item?.[PAUSE_ALL] === undefined ? undefined : stateOf(item[PAUSE_ALL]), tasks };
}
