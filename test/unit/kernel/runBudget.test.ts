import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../../../src/errors.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import type { TaskBuilder } from '../../../src/kernel/TaskBuilder.js';

type Build = (t: TaskBuilder) => TaskBuilder;

const inline = (parts: string, advice: string) =>
  `an inline run must start and finish within the tick's 117 s (${parts}); ${advice}, or run it in its own Lambda with onLambda({ timeout })`;
const ownLambda = (timeout: number, parts: string, advice: string) =>
  `a run in its own Lambda must start and finish within its timeout of ${timeout} s less a 3 s margin, ${timeout - 3} s (${parts}); ${advice}`;

describe('jitter() must fit the Lambda the run waits in', () => {
  it.each<[label: string, build: Build, jitter: number, message: string]>([
    ['inline jitter(300)', (t) => t.jitter(300), 300, inline('jitter 300 s + timeout 0 s', 'use at most jitter(116)')],
    ['inline jitter(117)', (t) => t.jitter(117), 117, inline('jitter 117 s + timeout 0 s', 'use at most jitter(116)')],
    ['inline jitter(100).timeout(30)', (t) => t.jitter(100).timeout(30), 100, inline('jitter 100 s + timeout 30 s', 'use at most jitter(86)')],
    ['inline timeout(30).jitter(100): the order does not matter', (t) => t.timeout(30).jitter(100), 100, inline('jitter 100 s + timeout 30 s', 'use at most jitter(86)')],
    ['inline timeout(200).jitter(1): no jitter fits', (t) => t.timeout(200).jitter(1), 1, inline('jitter 1 s + timeout 200 s', 'drop jitter() or shorten timeout()')],
    ['inline everyTenSeconds().jitter(70): the :50 slot waits 50 s first', (t) => t.everyTenSeconds().jitter(70), 70, inline('last slot at second 50 + jitter 70 s + timeout 0 s', 'use at most jitter(66)')],
    ["inline cron('0,45 * * * * *').jitter(80)", (t) => t.cron('0,45 * * * * *').jitter(80), 80, inline('last slot at second 45 + jitter 80 s + timeout 0 s', 'use at most jitter(71)')],
    ['runInBackground().jitter(300): 300 s Lambda', (t) => t.runInBackground().jitter(300), 300, ownLambda(300, 'jitter 300 s + timeout 0 s', 'use at most jitter(296), or raise onLambda({ timeout: 304 })')],
    ['jitter(60).onLambda({ timeout: 60 }): the order does not matter', (t) => t.jitter(60).onLambda({ timeout: 60 }), 60, ownLambda(60, 'jitter 60 s + timeout 0 s', 'use at most jitter(56), or raise onLambda({ timeout: 64 })')],
    ['onLambda({ timeout: 120 }).timeout(100).jitter(30)', (t) => t.onLambda({ timeout: 120 }).timeout(100).jitter(30), 30, ownLambda(120, 'jitter 30 s + timeout 100 s', 'use at most jitter(16), or raise onLambda({ timeout: 134 })')],
    ['everyTenSeconds().onLambda({ timeout: 60 }).jitter(10): the :50 slot waits in its Lambda too', (t) => t.everyTenSeconds().onLambda({ timeout: 60 }).jitter(10), 10, ownLambda(60, 'last slot at second 50 + jitter 10 s + timeout 0 s', 'use at most jitter(6), or raise onLambda({ timeout: 64 })')],
    ['onLambda({ timeout: 900 }).timeout(900).jitter(10): nothing to raise', (t) => t.onLambda({ timeout: 900 }).timeout(900).jitter(10), 10, ownLambda(900, 'jitter 10 s + timeout 900 s', 'drop jitter() or shorten timeout()')],
  ])('rejects %s when the schedule is built', (_label, build, jitter, message) => {
    const schedule = new Schedule();
    build(schedule.call(() => {}).name('x')); // the calls themselves are fine
    expect(() => schedule.tasks()).toThrow(InvalidTaskError);
    expect(() => schedule.tasks()).toThrow(`Task "x": jitter(${jitter}) cannot fit: ${message}`);
  });

  it.each<[label: string, build: Build]>([
    ['inline jitter(116)', (t) => t.jitter(116)],
    ['inline jitter(86).timeout(30)', (t) => t.jitter(86).timeout(30)],
    ['inline everyTenSeconds().jitter(66)', (t) => t.everyTenSeconds().jitter(66)],
    ['runInBackground().jitter(296)', (t) => t.runInBackground().jitter(296)],
    ['jitter(300).onLambda({ timeout: 304 })', (t) => t.jitter(300).onLambda({ timeout: 304 })],
    ['onLambda({ timeout: 600 }).timeout(300).jitter(250)', (t) => t.onLambda({ timeout: 600 }).timeout(300).jitter(250)],
    ['inline timeout(600) without jitter: not this check’s business', (t) => t.timeout(600)],
  ])('accepts %s', (_label, build) => {
    const schedule = new Schedule();
    build(schedule.call(() => {}).name('x'));
    expect(schedule.tasks()).toHaveLength(1);
  });

  it("checks a group's jitter against each task's own Lambda", () => {
    const schedule = new Schedule();
    schedule.group({ jitter: 200 }, (s) => {
      s.call(() => {}).name('fan-out').runInBackground();
      s.call(() => {}).name('inline');
    });
    expect(() => schedule.tasks()).toThrow(`Task "inline": jitter(200) cannot fit: ${inline('jitter 200 s + timeout 0 s', 'use at most jitter(116)')}`);
  });
});
