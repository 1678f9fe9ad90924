import { keys } from '../keys.js';
import { TTL_ATTRIBUTE } from '../tableDefinition.js';
import type { QueueMark, TickAdvance, TickStart, TickState, UnsettledRange } from '../Store.js';
import { pausesOf } from './DynamoPauses.js';
import { queueMarkOf, settleQueue } from './DynamoRunQueue.js';
import { keyOf, n, num, purgeAt, s, type DynamoTable, type Item } from './DynamoTable.js';

const MINUTE_MS = 60_000;
/** `previousTick` before the first tick ever. */
const NONE = -1;
/** Rounds of `advanceTick` before it gives up: each one means a rival tick moved the state meanwhile. */
const MAX_ROUNDS = 5;
/** An unsettled range's note on the tick-state item: `unsettled_<to, epoch ms>`, holding `from` (`NONE` before the first tick). */
const UNSETTLED_PREFIX = 'unsettled_';

/** The ranges noted unsettled on the tick-state item (see `UnsettledRange`). */
function unsettledOf(item: Item | undefined): UnsettledRange[] {
  const ranges: UnsettledRange[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    if (!name.startsWith(UNSETTLED_PREFIX) || value.N === undefined) continue;
    const to = Number(name.slice(UNSETTLED_PREFIX.length));
    if (Number.isSafeInteger(to)) ranges.push({ from: fromOf(Number(value.N)), to });
  }
  return ranges.sort((a, b) => a.to - b.to);
}

function fromOf(previousTick: number | undefined): number | undefined {
  return previousTick === undefined || previousTick === NONE ? undefined : previousTick;
}

/**
 * The deployment's tick state: one item with the last evaluated minute and the one before it — which
 * also holds the deployment's pauses (`DynamoPauses`) and its queue's mark (`DynamoRunQueue`), so the
 * write that begins a tick reads them too — and one small item for each catch-up range (a tick that found minutes missed), so a late or retried tick
 * for a minute inside such a range can tell that it was decided. See `TickAdvance`.
 */
export class DynamoTickState implements TickState {
  constructor(
    private readonly table: DynamoTable,
    private readonly deployment: string,
    private readonly retentionMs: number,
  ) {}

  /**
   * Moves `lastTick` to `minute` and tells the tick which minutes it decides.
   *
   * - The next minute (or the first tick ever): one conditional UpdateItem that returns the state it
   *   replaced. Its retry after a lost reply finds its own write token.
   * - A gap: the state's move and the `covered#` range item go in one transaction, conditional on the
   *   `lastTick` just read, so no tick can ever see the state moved without its range.
   * - The minute already evaluated (a duplicate or a retry): the range is read from `previousTick`,
   *   the same answer the first attempt got.
   * - An older minute: see `#decidedLater`.
   *
   * A rival that moves the state between the read and the transaction sends the loop round again;
   * each round finds `lastTick` further on, so it ends.
   */
  async advanceTick(minute: number): Promise<TickAdvance> {
    return (await this.#advance(minute, false)).advance;
  }

  /**
   * `advanceTick`, with the pauses, the queue's mark and the unsettled ranges read from the item the
   * same request wrote or found (`ALL_NEW`, or `ALL_OLD` when its condition failed): they live on the
   * tick-state item for this, so an idle tick is this one request. A busy tick's note goes in the same
   * write as the move (`SET unsettled_<minute> = the lastTick it replaced`), so no tick can move the
   * state without its note; a move over a gap notes its range in the gap's transaction.
   */
  async beginTick(minute: number, options: { readonly busy?: boolean } = {}): Promise<TickStart> {
    const { advance, item, noted } = await this.#advance(minute, options.busy === true);
    const unsettled = unsettledOf(item);
    if (noted !== undefined && !unsettled.some((range) => range.to === noted.to)) unsettled.push(noted);
    return { advance, pauses: pausesOf(item), queue: queueMarkOf(item), unsettled };
  }

  async settleTick(minute: number): Promise<void> {
    // Unconditional: removing a note already gone changes nothing. Its own token attribute, so that it
    // never overwrites the token a lost-reply retry of an advance looks for.
    await this.table.update('settle the tick', this.#stateKey, { set: '', rest: 'REMOVE #note' }, { names: { '#note': `${UNSETTLED_PREFIX}${minute}` } }, 'settleToken');
  }

  settleQueue(seen: QueueMark): Promise<void> {
    return settleQueue(this.table, this.deployment, seen);
  }

  /** `noted`: the range the transaction over a gap noted, which the item read before it cannot show. */
  async #advance(minute: number, busy: boolean): Promise<{ advance: TickAdvance; item: Item | undefined; noted?: UnsettledRange }> {
    const note = busy ? { set: ', #note = if_not_exists(lastTick, :none)', names: { '#note': `${UNSETTLED_PREFIX}${minute}` } } : { set: '', names: undefined };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = await this.table.update(
        'advance the last tick',
        this.#stateKey,
        { set: `lastTick = :minute, previousTick = if_not_exists(lastTick, :none)${note.set}` },
        {
          condition: 'attribute_not_exists(lastTick) OR lastTick = :previous',
          ...(note.names === undefined ? {} : { names: note.names }),
          values: { ':minute': n(minute), ':previous': n(minute - MINUTE_MS), ':none': n(NONE) },
        },
      );
      const lastTick = num(step.item, 'lastTick');
      const item = step.item;
      if (step.written || lastTick === minute) return { advance: { decides: true, from: fromOf(num(item, 'previousTick')) }, item };
      if (lastTick === undefined) throw this.table.fail('advance the last tick', new Error('the tick state has no lastTick'));
      if (lastTick > minute) return { advance: await this.#decidedLater(minute, lastTick), item };
      if (await this.#closeGap(lastTick, minute)) return { advance: { decides: true, from: lastTick }, item, noted: { from: lastTick, to: minute } };
    }
    throw this.table.fail('advance the last tick', new Error(`the tick state kept moving for ${MAX_ROUNDS} rounds`));
  }

  /**
   * One transaction: `lastTick` from `from` to `to`, and the range `(from, to]` recorded — and noted
   * unsettled: whether missed minutes had slots is for the tick to work out. False if a rival moved the
   * state first.
   */
  async #closeGap(from: number, to: number): Promise<boolean> {
    const cancelled = await this.table.transact('advance the last tick over a gap', [
      {
        Update: {
          TableName: this.table.name,
          Key: keyOf(this.#stateKey),
          UpdateExpression: 'SET lastTick = :to, previousTick = :from, #note = :from',
          ConditionExpression: 'lastTick = :from',
          ExpressionAttributeNames: { '#note': `${UNSETTLED_PREFIX}${to}` },
          ExpressionAttributeValues: { ':to': n(to), ':from': n(from) },
        },
      },
      {
        Put: {
          TableName: this.table.name,
          Item: { pk: s(keys.tick(this.deployment)), sk: s(keys.covered(to)), from: n(from), to: n(to), [TTL_ATTRIBUTE]: purgeAt(to, this.retentionMs) },
        },
      },
    ]);
    return cancelled === undefined;
  }

  get #stateKey() {
    return { pk: keys.tick(this.deployment), sk: keys.tickState };
  }

  async lastTick(): Promise<number | undefined> {
    const item = await this.table.get('read the last tick', { pk: keys.tick(this.deployment), sk: keys.tickState });
    return num(item, 'lastTick');
  }

  /**
   * A tick for a minute older than the last one evaluated. If a catch-up range covers it, that range's
   * tick decided it — its own range when it ends at this minute (this is a late retry of that tick).
   * If none does, this minute's tick moved the state itself with no gap, and a retry of it decides its
   * own minute only (claims keep anything it already did from happening twice).
   */
  async #decidedLater(minute: number, lastTick: number): Promise<TickAdvance> {
    // Ranges never overlap, so the first one ending at or after `minute` is the only one that can hold it.
    const ranges = await this.table.query('read the minutes catch-up decided', {
      Limit: 1,
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
