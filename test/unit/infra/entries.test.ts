import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { entrySources, needsAwsOutput } from '../../../infra/entries.js';
import { zoneOffsetTable } from '../../../src/evaluation/zoneOffsets.js';

const importsOf = (source: string) => [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);

describe('entrySources: each function imports only the parts its tasks use (docs/design.md "Performance")', () => {
  it('a kernel of inline tasks with no S3 or mail output: the lean tick with no dispatcher and no output', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute().appendOutputTo('logs/beat.log');
    const { tick, task } = entrySources('../../src/kernel.ts', schedule.tasks(), 'eventbridge');
    expect(importsOf(tick)).toEqual(['../../src/kernel.ts', 'tickwork/lambda/tick']);
    expect(tick).toContain('export const handler = tickHandler(kernel);');
    expect(importsOf(task)).toEqual(['../../src/kernel.ts', 'tickwork/lambda/task']);
  });

  it('fan-out tasks bring the configured dispatcher to the tick; S3 output inline brings output to the tick, mail on a fan-out task to the task functions', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('export').everyFiveMinutes().onLambda({ timeout: 60 }).emailOutputOnFailure('ops@example.com');
    schedule.call(() => {}).name('report').hourly().sendOutputTo('s3://reports/hourly.log');
    const lambda = entrySources('./kernel.ts', schedule.tasks(), 'lambda');
    expect(importsOf(lambda.tick)).toEqual(['./kernel.ts', 'tickwork/lambda/tick', 'tickwork/lambda/invoke', 'tickwork/lambda/output']);
    expect(lambda.tick).toContain('export const handler = tickHandler(kernel, { dispatcher: invokeDispatcher, output: awsOutput });');
    expect(importsOf(lambda.task)).toEqual(['./kernel.ts', 'tickwork/lambda/task', 'tickwork/lambda/output']);
    expect(importsOf(entrySources('./kernel.ts', schedule.tasks(), 'eventbridge').tick)).toContain('tickwork/lambda/eventbridge');
  });

  it('the offsets of the kernel\'s zones, when it has any besides UTC, go to both handlers as written (docs/design.md "Time zones")', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('report').dailyAt('02:00').timezone('Europe/Paris');
    schedule.call(() => {}).name('export').hourly().timezone('America/New_York').onLambda({ timeout: 60 });
    const zoneOffsets = zoneOffsetTable(schedule.tasks().map((t) => t.timezone), new Date('2026-11-30T00:00:00Z'))!;
    const { tick, task } = entrySources('./kernel.ts', schedule.tasks(), 'eventbridge', zoneOffsets);
    const passed = (source: string) => JSON.parse(/zoneOffsets: (\{.*\}) \}\);$/m.exec(source)?.[1] ?? 'null');
    expect(passed(tick)).toEqual(zoneOffsets);
    expect(passed(task)).toEqual(zoneOffsets);
    expect(tick).toContain('export const handler = tickHandler(kernel, { dispatcher: eventBridgeDispatcher, zoneOffsets: {');
    expect(task).toContain('export const handler = taskHandler(kernel, { zoneOffsets: {');
    expect(Object.keys(zoneOffsets.zones)).toEqual(['America/New_York', 'Europe/Paris']);
  });

  it('needsAwsOutput: S3 targets and mail need the clients; local files do not', () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('file').everyMinute().sendOutputTo('/tmp/out.log');
    schedule.call(() => {}).name('s3').everyMinute().appendOutputTo('s3://bucket/key.log');
    schedule.call(() => {}).name('mail').everyMinute().emailOutputTo('ops@example.com');
    const [file, s3, mail] = schedule.tasks();
    expect([needsAwsOutput([file!]), needsAwsOutput([s3!]), needsAwsOutput([mail!])]).toEqual([false, true, true]);
  });
});
