import { describe, expect, it } from 'vitest';
import { dueSlots } from '../../../src/evaluation/dueSlots.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';
import { filterReason } from '../../../src/runner/filters.js';

/** The filter verdict for a single every-minute task, configured by `configure`, at `iso`. */
async function verdict(configure: (t: TaskBuilder) => TaskBuilder, iso: string, stage = 'prod') {
  const schedule = new Schedule();
  configure(schedule.call(() => {}).name('t'));
  const [slot] = dueSlots(schedule.compiled(), new Date(iso));
  if (slot === undefined) throw new Error('expected the task to be due');
  return filterReason(slot, stage);
}

describe('filterReason', () => {
  it.each([
    ['no filters', (t: TaskBuilder) => t, undefined],
    ['environments match', (t: TaskBuilder) => t.environments('prod'), undefined],
    ['environments differ', (t: TaskBuilder) => t.environments('staging', 'dev'), 'environment'],
    ['when(true)', (t: TaskBuilder) => t.when(true), undefined],
    ['when(false)', (t: TaskBuilder) => t.when(false), 'when-false'],
    ['async when → false', (t: TaskBuilder) => t.when(async () => false), 'when-false'],
    ['skip(true)', (t: TaskBuilder) => t.skip(() => true), 'skip-true'],
    ['skip(false)', (t: TaskBuilder) => t.skip(false), undefined],
    ['every when must hold', (t: TaskBuilder) => t.when(true).when(false), 'when-false'],
  ])('%s', async (_label, configure, expected) => {
    expect(await verdict(configure, '2026-11-23T10:05:00Z')).toBe(expected);
  });

  it('gives conditions the slot, not the moment the tick ran', async () => {
    const seen: unknown[] = [];
    await verdict((t) => t.when((c) => (seen.push(c), true)), '2026-11-23T10:05:00Z', 'prod');
    expect(seen).toEqual([{ name: 't', scheduledAt: new Date('2026-11-23T10:05:00Z'), stage: 'prod' }]);
  });

  it.each([
    ['inside a window', '09:00', '17:00', '2026-11-23T10:05:00Z', undefined],
    ['at its start (inclusive)', '10:05', '17:00', '2026-11-23T10:05:00Z', undefined],
    ['at its end (inclusive)', '09:00', '10:05', '2026-11-23T10:05:00Z', undefined],
    ['outside a window', '11:00', '17:00', '2026-11-23T10:05:00Z', 'outside-between'],
    ['inside a window that wraps midnight', '22:00', '06:00', '2026-11-23T23:30:00Z', undefined],
    ['inside a wrapping window after midnight', '22:00', '06:00', '2026-11-23T05:59:00Z', undefined],
    ['outside a wrapping window', '22:00', '06:00', '2026-11-23T12:00:00Z', 'outside-between'],
    ['at midnight inside a wrapping window', '22:00', '06:00', '2026-11-23T00:00:00Z', undefined],
    ['just after a wrapping window ends', '22:00', '06:00', '2026-11-23T06:01:00Z', 'outside-between'],
    ['just before a wrapping window starts', '22:00', '06:00', '2026-11-23T21:59:00Z', 'outside-between'],
  ])('between: %s', async (_label, start, end, iso, expected) => {
    expect(await verdict((t) => t.between(start, end), iso)).toBe(expected);
  });

  it.each([
    ['inside a window', '09:00', '17:00', '2026-11-23T12:00:00Z', 'inside-unless-between'],
    ['at its start (inclusive)', '09:00', '17:00', '2026-11-23T09:00:00Z', 'inside-unless-between'],
    ['at its end (inclusive)', '09:00', '17:00', '2026-11-23T17:00:00Z', 'inside-unless-between'],
    ['just after its end', '09:00', '17:00', '2026-11-23T17:01:00Z', undefined],
    ['inside a window that wraps midnight, before midnight', '22:00', '06:00', '2026-11-23T23:59:00Z', 'inside-unless-between'],
    ['inside a window that wraps midnight, after midnight', '22:00', '06:00', '2026-11-23T02:00:00Z', 'inside-unless-between'],
    ['at midnight itself', '22:00', '06:00', '2026-11-23T00:00:00Z', 'inside-unless-between'],
    ['outside a wrapping window', '22:00', '06:00', '2026-11-23T12:00:00Z', undefined],
    ['a one-minute window', '12:00', '12:00', '2026-11-23T12:00:00Z', 'inside-unless-between'],
  ])('unlessBetween: %s', async (_label, start, end, iso, expected) => {
    expect(await verdict((t) => t.unlessBetween(start, end), iso)).toBe(expected);
  });

  it("judges windows on the task's wall clock", async () => {
    // 21:30 UTC is 22:30 in Paris in winter: inside a Paris 22:00–23:00 window.
    expect(await verdict((t) => t.timezone('Europe/Paris').between('22:00', '23:00'), '2026-01-15T21:30:00Z')).toBeUndefined();
    expect(await verdict((t) => t.between('22:00', '23:00'), '2026-01-15T21:30:00Z')).toBe('outside-between');
  });

  it('rejects when a condition throws, naming the condition', async () => {
    await expect(verdict((t) => t.when(() => { throw new RangeError('no db'); }), '2026-11-23T10:05:00Z'))
      .rejects.toThrow('when() condition threw: RangeError: no db');
  });
});
