import { describe, expect, it } from 'vitest';
import kernel from '../../../example/kernel.js';
import { buildSchedule } from '../../../src/kernel/buildSchedule.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { InvalidCronExpressionError, InvalidTaskError, KernelLoadError, TickworkError } from '../../../src/errors.js';

const noop = () => {};

describe('TaskBuilder frequencies', () => {
  it.each([
    ['everyMinute', (s: Schedule) => s.call(noop).everyMinute(), '* * * * *'],
    ['everyFiveMinutes', (s: Schedule) => s.call(noop).everyFiveMinutes(), '*/5 * * * *'],
    ['cron', (s: Schedule) => s.call(noop).cron('0 2 * * *'), '0 2 * * *'],
    ['cron then everyFiveMinutes splices the minute only', (s: Schedule) => s.call(noop).cron('0 2 * * 1').everyFiveMinutes(), '*/5 2 * * 1'],
    ['default', (s: Schedule) => s.call(noop), '* * * * *'],
  ])('%s', (_label, build, expected) => {
    expect(build(new Schedule()).expression).toBe(expected);
  });
});

describe('Schedule.tasks()', () => {
  it('returns frozen definitions in declaration order', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('b').everyFiveMinutes().withoutOverlapping(10);
    schedule.call(noop).name('a').description('first letter');
    const tasks = schedule.tasks();
    expect(tasks.map((t) => [t.name, t.expression, t.withoutOverlapping])).toEqual([
      ['b', '*/5 * * * *', { expiresMinutes: 10, policy: 'skip' }],
      ['a', '* * * * *', false],
    ]);
    expect(Object.isFrozen(tasks)).toBe(true);
    expect(Object.isFrozen(tasks[0])).toBe(true);
    expect(tasks[1]?.description).toBe('first letter');
  });

  it('requires a name, naming the task by position and expression', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('ok');
    schedule.call(noop).cron('0 3 * * *');
    expect(() => schedule.tasks()).toThrow(new InvalidTaskError(undefined, `Task #2 (cron "0 3 * * *") has no name: call .name('...') — names key its locks and run records`));
  });

  it('rejects duplicate names', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('dup');
    schedule.call(noop).name('dup');
    expect(() => schedule.tasks()).toThrow('Task "dup": the name is already used by another task');
  });

  it('fails on a bad expression, naming the task and the field', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('reports:daily').cron('0 24 * * *');
    expect(() => schedule.tasks()).toThrow(InvalidCronExpressionError);
    expect(() => schedule.tasks()).toThrow(/Task "reports:daily": invalid cron expression "0 24 \* \* \*" in the hour \("24"\) field/);
  });

  it('validates option values at the call', () => {
    const builder = new Schedule().call(noop).name('t');
    expect(() => builder.withoutOverlapping(0)).toThrow('Task "t": withoutOverlapping() expects a whole number ≥ 1, got 0');
    expect(() => builder.withoutOverlapping(1.5)).toThrow(InvalidTaskError);
    expect(() => builder.name('  ')).toThrow('name() expects a non-empty string, got "  "');
    expect(() => new Schedule().call('nope' as never)).toThrow('schedule.call() expects a function, got "nope"');
  });

  it('is frozen once built: later edits throw instead of silently changing nothing', () => {
    const schedule = new Schedule();
    const builder = schedule.call(noop).name('t');
    schedule.tasks();
    expect(() => builder.everyFiveMinutes()).toThrow(TickworkError);
    expect(() => schedule.call(noop)).toThrow(/already built/);
  });
});

describe('buildSchedule', () => {
  it('builds the example kernel (whatever tasks it has: users edit it)', () => {
    expect(buildSchedule(kernel).tasks().length).toBeGreaterThan(0);
  });

  it('rejects a kernel that is not a function', () => {
    expect(() => buildSchedule({} as never)).toThrow(KernelLoadError);
  });
});
