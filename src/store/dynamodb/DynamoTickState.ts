import { keys } from '../keys.js';
import { TTL_ATTRIBUTE } from '../tableDefinition.js';
import { RENOTE_AFTER_MS, type QueueMark, type TickAdvance, type TickBeginning, type TickStart, type TickState, type UnsettledRange } from '../Store.js';
import { pausesOf } from './DynamoPauses.js';
import { queueMarkOf, settleQueue } from './DynamoRunQueue.js';
import { keyOf, n, num, purgeAt, s, type DynamoTable, type Item } from './DynamoTable.js';

const MINUTE_MS = 60_000;
/** `previousTick` before the first tick ever. */
const NONE = -1;
/** Rounds of `advanceTick` before it gives up: each one means a rival tick moved the state meanwhile. */
const MAX_ROUNDS = 5;
/**
 * An unsettled range's note on the tick-state item, two attributes named by its `to` (epoch ms):
 * `unsettled_<to>` holds `from` (`NONE` before the first tick), `begun_<to>` when an attempt of its
 * tick last began.
 */
const UNSETTLED_PREFIX = 'unsettled_';
const BEGUN_PREFIX = 'begun_';
/** The token attribute of the notes' own writes (`WRITE_TOKEN`): never the one an advance's lost-reply retry looks for. */
const NOTE_TOKEN = 'noteToken';
const noteNames = (to: number) => ({ '#note': `${UNSETTLED_PREFIX}${to}`, '#begun': `${BEGUN_PREFIX}${to}` });

/** The ranges noted unsettled on the tick-state item (see `UnsettledRange`). */
function unsettledOf(item: Item | undefined): UnsettledRange[] {
  const ranges: UnsettledRange[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    if (!name.startsWith(UNSETTLED_PREFIX) || value.N === undefined) continue;
    const to = Number(name.slice(UNSETTLED_PREFIX.length));
    if (Number.isSafeInteger(to)) ranges.push({ from: fromOf(Number(value.N)), to, begunAt: num(item, `${BEGUN_PREFIX}${to}`) ?? to });
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
    return (await this.#advance(minute, undefined)).advance;
  }

  /**
   * `advanceTick`, with the pauses, the queue's mark and the unsettled ranges read from the item the
   * same request wrote or found (`ALL_NEW`, or `ALL_OLD` when its condition failed): they live on the
   * tick-state item for this, so an idle tick is this one request. A busy tick's note goes in the same
   * write as the move (`SET unsettled_<minute> = the lastTick it replaced, begun_<minute> = now`), so
   * no tick can move the state without its note; a move over a gap notes its range in the gap's
   * transaction. An attempt that finds its own note a minute old or more stamps it begun again (a
   * Lambda retry, a late duplicate: one more write, on those paths only).
   */
  async beginTick(minute: number, noting?: TickBeginning): Promise<TickStart> {
    const { advance, item, noted, moved } = await this.#advance(minute, noting);
    const unsettled = unsettledOf(item);
    if (noted !== undefined && !unsettled.some((range) => range.to === noted.to)) unsettled.push(noted);
    const own = unsettled.findIndex((range) => range.to === minute);
    if (noting !== undefined && advance.decides && own >= 0 && unsettled[own]!.begunAt < noting.now - RENOTE_AFTER_MS) {
      if (await this.#renote(minute, noting.now)) unsettled[own] = { ...unsettled[own]!, begunAt: noting.now };
    }
    return { advance, pauses: pausesOf(item), queue: queueMarkOf(item), unsettled, moved };
  }

  async settleTick(minute: number): Promise<void> {
    // Unconditional: removing a note already gone changes nothing. Its own token attribute, so that it
    // never overwrites the token a lost-reply retry of an advance looks for.
    await this.table.update('settle the tick', this.#stateKey, { set: '', rest: 'REMOVE #note, #begun' }, { names: noteNames(minute) }, NOTE_TOKEN);
  }

  async unsettled(): Promise<UnsettledRange[]> {
    return unsettledOf(await this.table.get('read the unsettled ticks', this.#stateKey));
  }

  /** Stamps the range ending at `minute` begun at `now`, only while it is still noted. Whether it was. */
  async #renote(minute: number, now: number): Promise<boolean> {
    const step = await this.table.update('note the tick begun again', this.#stateKey, { set: '#begun = :now' }, { condition: 'attribute_exists(#note)', names: noteNames(minute), values: { ':now': n(now) } }, NOTE_TOKEN);
    return step.written;
  }

  settleQueue(seen: QueueMark): Promise<void> {
    return settleQueue(this.table, this.deployment, seen);
  }

  /** `noted`: the range the transaction over a gap noted, which the item read before it cannot show. */
  async #advance(minute: number, noting: TickBeginning | undefined): Promise<{ advance: TickAdvance; item: Item | undefined; noted?: UnsettledRange; moved: boolean }> {
    // The next minute's range (or the first tick's) is the minute alone, whatever `from` turns out to be.
    const note = noting?.busy(minute - MINUTE_MS) === true;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = await this.table.update(
        'advance the last tick',
        this.#stateKey,
        { set: `lastTick = :minute, previousTick = if_not_exists(lastTick, :none)${note ? ', #note = if_not_exists(lastTick, :none), #begun = :now' : ''}` },
        {
          condition: 'attribute_not_exists(lastTick) OR lastTick = :previous',
          ...(note ? { names: noteNames(minute) } : {}),
          values: { ':minute': n(minute), ':previous': n(minute - MINUTE_MS), ':none': n(NONE), ...(note ? { ':now': n(noting!.now) } : {}) },
        },
      );
      const lastTick = num(step.item, 'lastTick');
      const item = step.item;
      if (step.written || lastTick === minute) return { advance: { decides: true, from: fromOf(num(item, 'previousTick')) }, item, moved: step.written };
      if (lastTick === undefined) throw this.table.fail('advance the last tick', new Error('the tick state has no lastTick'));
      if (lastTick > minute) return { advance: await this.#decidedLater(minute, lastTick), item, moved: false };
      const begunAt = noting?.busy(lastTick) === true ? noting.now : undefined;
      if (await this.#closeGap(lastTick, minute, begunAt)) {
        return { advance: { decides: true, from: lastTick }, item, moved: true, ...(begunAt === undefined ? {} : { noted: { from: lastTick, to: minute, begunAt } }) };
      }
    }
    throw this.table.fail('advance the last tick', new Error(`the tick state kept moving for ${MAX_ROUNDS} rounds`));
  }

  /**
   * One transaction: `lastTick` from `from` to `to`, and the range `(from, to]` recorded — and, with
   * `begunAt` (the range is busy), noted unsettled. False if a rival moved the state first.
   */
  async #closeGap(from: number, to: number, begunAt: number | undefined): Promise<boolean> {
    const cancelled = await this.table.transact('advance the last tick over a gap', [
      {
        Update: {
          TableName: this.table.name,
          Key: keyOf(this.#stateKey),
          ...(begunAt === undefined
            ? { UpdateExpression: 'SET lastTick = :to, previousTick = :from', ExpressionAttributeValues: { ':to': n(to), ':from': n(from) } }
            : {
                UpdateExpression: 'SET lastTick = :to, previousTick = :from, #note = :from, #begun = :begunAt',
                ExpressionAttributeNames: noteNames(to),
                ExpressionAttributeValues: { ':to': n(to), ':from': n(from), ':begunAt': n(begunAt) },
              }),
          ConditionExpression: 'lastTick = :from',
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
