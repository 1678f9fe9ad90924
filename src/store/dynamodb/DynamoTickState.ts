import { keys } from '../keys.js';
import { TTL_ATTRIBUTE } from '../tableDefinition.js';
import type { TickAdvance, TickState } from '../Store.js';
import { n, num, s, type DynamoTable } from './DynamoTable.js';

const MINUTE_MS = 60_000;
/** `previousTick` before the first tick ever. */
const NONE = -1;

/**
 * The deployment's tick state: one item with the last evaluated minute and the one before it, and one
 * small item for each catch-up range (a tick that found minutes missed), so a late or retried tick
 * for a minute inside such a range can tell that it was decided. See `TickAdvance`.
 */
export class DynamoTickState implements TickState {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
    private readonly retentionMs: number,
  ) {}

  /**
   * One UpdateItem that moves `lastTick` forward and returns the state before it (`ALL_OLD`), or — for a
   * minute not after `lastTick` — the state that stopped it (`ALL_OLD` on the failed condition). A
   * duplicate or retry of the latest minute reads the range from `previousTick`, so it is as safe to
   * repeat as the first attempt. Only a tick that closes a gap writes a second item; only a tick for
   * a minute older than `lastTick` reads one.
   */
  async advanceTick(minute: number): Promise<TickAdvance> {
    const result = await this.table.update(
      'advance the last tick',
      { pk: keys.tick(this.deployment), sk: keys.tickState },
      { set: 'lastTick = :minute, previousTick = if_not_exists(lastTick, :none)' },
      { condition: 'attribute_not_exists(lastTick) OR lastTick < :minute', values: { ':minute': n(minute), ':none': n(NONE) } },
    );
    const lastTick = num(result.item, 'lastTick');
    if (result.written || lastTick === minute) {
      const previous = num(result.item, 'previousTick');
      const from = previous === undefined || previous === NONE ? undefined : previous;
      if (from !== undefined && minute - from > MINUTE_MS) await this.#recordRange(from, minute);
      return { decides: true, from };
    }
    return this.#decidedLater(minute, lastTick ?? minute);
  }

  async lastTick(): Promise<number | undefined> {
    const item = await this.table.get('read the last tick', { pk: keys.tick(this.deployment), sk: keys.tickState });
    return num(item, 'lastTick');
  }

  /** Records that the tick for `to` decided the minutes after `from`; repeating it changes nothing. */
  async #recordRange(from: number, to: number): Promise<void> {
    await this.table.put(
      'record the minutes a catch-up decided',
      { pk: s(keys.tick(this.deployment)), sk: s(keys.covered(to)), from: n(from), to: n(to), [TTL_ATTRIBUTE]: n(Math.ceil((to + this.retentionMs) / 1000)) },
      { condition: 'attribute_not_exists(pk)' },
    );
  }

  /**
   * A tick for a minute older than the last one evaluated. If a catch-up range covers it, that range's
   * tick decided it — its own range when it ends at this minute (this is a late retry of that tick).
   * If none does, this minute's tick moved the state itself with no gap, and a retry of it decides its
   * own minute only (claims keep anything it already did from happening twice).
   */
  async #decidedLater(minute: number, lastTick: number): Promise<TickAdvance> {
    const ranges = await this.table.query('read the minutes catch-up decided', {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': s(keys.tick(this.deployment)), ':first': s(keys.covered(minute)), ':last': s(`${keys.coveredPrefix}\uffff`) },
    });
    for (const range of ranges) {
      const from = num(range, 'from');
      const to = num(range, 'to');
      if (from === undefined || to === undefined || !(from < minute && minute <= to)) continue;
      return to === minute ? { decides: true, from } : { decides: false, lastTick };
    }
    return { decides: true, from: minute - MINUTE_MS };
  }
}
