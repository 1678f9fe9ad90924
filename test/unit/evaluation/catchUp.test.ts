import { describe, expect, it } from 'vitest';
import { jitterMs } from '../../../src/evaluation/jitter.js';
import { MAX_LOOK_BACK_MINUTES, planCatchUp } from '../../../src/evaluation/planCatchUp.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';

const at = (iso: string) => Date.parse(iso);

function plan(configure: (t: TaskBuilder) => TaskBuilder, minute: string, lastTick: string | undefined, now = at(minute) + 500) {
  const schedule = new Schedule();
  configure(schedule.call(() => {}).name('t'));
  const result = planCatchUp(schedule.compiled(), { minute: new Date(minute), lastTick: lastTick === undefined ? undefined : at(lastTick), now });
  const decide = result.decide.map((d) => `${d.due.slot.slice(11, 19)} ${d.reason}`);
  return { run: result.run.map((s) => s.slot.slice(11, 19)), missed: result.missed, ...(decide.length === 0 ? {} : { decide }) };
}

describe('planCatchUp', () => {
  it('first tick ever: only its own minute', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:00:00Z', undefined)).toEqual({ run: ['10:00:00'], missed: [] });
  });

  it('no gap: only its own minute', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:01:00Z', '2026-11-23T10:00:00Z')).toEqual({ run: ['10:01:00'], missed: [] });
  });

  it('ticks missing for 3 minutes, policy once (default): the latest missed slot runs for all of them', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:04:00Z', '2026-11-23T10:00:00Z')).toEqual({
      run: ['10:03:00', '10:04:00'],
      missed: [{ name: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:00.000Z', count: 2, reason: 'coalesced' }],
    });
  });

  it('ticks missing for 3 minutes, policy all: every missed slot runs', () => {
    expect(plan((t) => t.everyMinute().catchUp({ policy: 'all' }), '2026-11-23T10:04:00Z', '2026-11-23T10:00:00Z'))
      .toEqual({ run: ['10:01:00', '10:02:00', '10:03:00', '10:04:00'], missed: [] });
  });

  it('ticks missing for 3 minutes, policy all with a bound: the most recent run, the rest are reported', () => {
    expect(plan((t) => t.everyMinute().catchUp({ policy: 'all', maxRuns: 2 }), '2026-11-23T10:04:00Z', '2026-11-23T10:00:00Z')).toEqual({
      run: ['10:02:00', '10:03:00', '10:04:00'],
      missed: [{ name: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:01:00.000Z', count: 1, reason: 'catch-up-limit' }],
    });
  });

  it('ticks missing for 3 minutes, policy skip: none of them run, all are reported', () => {
    expect(plan((t) => t.everyMinute().catchUp({ policy: 'skip' }), '2026-11-23T10:04:00Z', '2026-11-23T10:00:00Z')).toEqual({
      run: ['10:04:00'],
      missed: [{ name: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:03:00.000Z', count: 3, reason: 'misfire-skip' }],
    });
  });

  it('ticks missing for 2 hours: slots older than the 5-minute window are recorded as missed', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:00:00Z', '2026-11-23T08:00:00Z')).toEqual({
      run: ['09:59:00', '10:00:00'],
      missed: [
        { name: 't', from: '2026-11-23T08:01:00.000Z', to: '2026-11-23T09:54:00.000Z', count: 114, reason: 'outside-catch-up-window' },
        { name: 't', from: '2026-11-23T09:55:00.000Z', to: '2026-11-23T09:58:00.000Z', count: 4, reason: 'coalesced' },
      ],
    });
  });

  it('a task not due during the gap has nothing to catch up', () => {
    expect(plan((t) => t.dailyAt('03:00'), '2026-11-23T10:00:00Z', '2026-11-23T08:00:00Z')).toEqual({ run: [], missed: [] });
  });

  it('an hourly task whose slot fell in the gap, within its window', () => {
    expect(plan((t) => t.hourly().catchUp({ window: 120 }), '2026-11-23T10:30:00Z', '2026-11-23T09:45:00Z')).toEqual({ run: ['10:00:00'], missed: [] });
  });

  it('a gap longer than a day is reported, not walked', () => {
    const result = plan((t) => t.everyMinute(), '2026-11-23T10:00:00Z', '2026-11-20T10:00:00Z');
    expect(result.missed[0]).toEqual({
      name: '*', from: '2026-11-20T10:01:00.000Z', to: '2026-11-22T09:59:00.000Z', count: 3 * 1440 - 1 - MAX_LOOK_BACK_MINUTES, reason: 'not-evaluated',
    });
    expect(result.missed[1]).toMatchObject({ reason: 'outside-catch-up-window', count: MAX_LOOK_BACK_MINUTES - 5 });
  });

  it('a duplicate or stale tick evaluates its own minute only', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z')).toEqual({ run: ['10:00:00'], missed: [] });
    expect(plan((t) => t.everyMinute(), '2026-11-23T09:58:00Z', '2026-11-23T10:00:00Z')).toEqual({ run: ['09:58:00'], missed: [] });
  });

  it('a tick 90 s late still runs its minute (lateness is not a misfire)', () => {
    expect(plan((t) => t.everyMinute(), '2026-11-23T10:00:00Z', '2026-11-23T09:59:00Z', at('2026-11-23T10:01:30Z'))).toEqual({ run: ['10:00:00'], missed: [] });
  });

  it('a tick arriving at :45: past sub-minute slots follow the policy, each decided by its own claim; the rest run at their second', () => {
    const now = at('2026-11-23T10:00:45Z');
    // :00–:30 are past; :40 is 5 s behind, within the grace, so it counts as on time.
    expect(plan((t) => t.everyTenSeconds(), '2026-11-23T10:00:00Z', '2026-11-23T09:59:00Z', now)).toEqual({
      run: ['10:00:30', '10:00:40', '10:00:50'],
      missed: [],
      decide: ['10:00:00 coalesced', '10:00:10 coalesced', '10:00:20 coalesced'],
    });
    expect(plan((t) => t.everyTenSeconds().catchUp({ policy: 'skip' }), '2026-11-23T10:00:00Z', '2026-11-23T09:59:00Z', now)).toEqual({
      run: ['10:00:40', '10:00:50'],
      missed: [],
      decide: ['10:00:00 misfire-skip', '10:00:10 misfire-skip', '10:00:20 misfire-skip', '10:00:30 misfire-skip'],
    });
    expect(plan((t) => t.everyTenSeconds().catchUp({ policy: 'all', maxRuns: 2 }), '2026-11-23T10:00:00Z', '2026-11-23T09:59:00Z', now)).toEqual({
      run: ['10:00:20', '10:00:30', '10:00:40', '10:00:50'],
      missed: [],
      decide: ['10:00:00 catch-up-limit', '10:00:10 catch-up-limit'],
    });
  });

  it("a retry of a tick, a minute late, plans its missed minutes as the first attempt did; only its own minute's past slots differ, and go by claim", () => {
    const task = (t: TaskBuilder) => t.everyFifteenSeconds();
    // The first attempt arrived on time after a two-minute gap; Lambda retried it 65 s later.
    const first = plan(task, '2026-11-23T10:03:00Z', '2026-11-23T10:00:00Z', at('2026-11-23T10:03:01Z'));
    const retry = plan(task, '2026-11-23T10:03:00Z', '2026-11-23T10:00:00Z', at('2026-11-23T10:04:05Z'));
    const coalesced = [{ name: 't', from: '2026-11-23T10:01:00.000Z', to: '2026-11-23T10:02:30.000Z', count: 7, reason: 'coalesced' }];
    expect(first).toEqual({ run: ['10:02:45', '10:03:00', '10:03:15', '10:03:30', '10:03:45'], missed: coalesced });
    // policy once: a missed minute's slot already runs for the late ones, so the own minute's past slots are all coalesced.
    expect(retry).toEqual({
      run: ['10:02:45'],
      missed: coalesced,
      decide: ['10:03:00 coalesced', '10:03:15 coalesced', '10:03:30 coalesced', '10:03:45 coalesced'],
    });
  });

  it('rejects bad catch-up options at the call', () => {
    const builder = new Schedule().call(() => {}).name('t');
    expect(() => builder.catchUp({ policy: 'sometimes' as never })).toThrow(`Task "t": catchUp() expects policy 'once', 'all', 'skip', got "sometimes"`);
    expect(() => builder.catchUp({ window: 2000 })).toThrow('catchUp() expects a whole number from 0 to 1440, got 2000');
    expect(() => builder.catchUp({ retries: 1 } as never)).toThrow('catchUp() expects only window, policy, maxRuns, got "retries"');
  });
});

describe('jitter', () => {
  it('is fixed per (name, slot), within the window, and spreads similar tasks', () => {
    const slot = '2026-11-23T10:00:00.000Z';
    expect(jitterMs('report:a', slot, 30)).toBe(jitterMs('report:a', slot, 30));
    const offsets = Array.from({ length: 50 }, (_, i) => jitterMs(`report:${i}`, slot, 30));
    for (const offset of offsets) expect(offset).toBeGreaterThanOrEqual(0), expect(offset).toBeLessThan(30_000);
    expect(new Set(offsets.map((o) => Math.floor(o / 3_000))).size).toBeGreaterThanOrEqual(8); // ≥ 8 of 10 buckets used
    expect(jitterMs('report:a', '2026-11-23T10:01:00.000Z', 30)).not.toBe(jitterMs('report:a', slot, 30));
  });

  it('is validated at the call', () => {
    expect(() => new Schedule().call(() => {}).name('t').jitter(0)).toThrow('jitter() expects a whole number from 1 to 300, got 0');
  });
});
