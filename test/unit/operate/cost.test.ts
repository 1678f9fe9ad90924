import { describe, expect, it } from 'vitest';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { estimateCost } from '../../../src/operate/cost.js';
import { PRICES } from '../../../src/operate/prices.js';

/** A December window: no daylight-saving change in it. */
const FROM = new Date('2026-12-01T00:00:00Z');

function fixture(): Schedule {
  const schedule = new Schedule();
  schedule.call(() => {}).name('every5').everyFiveMinutes();
  schedule.call(() => {}).name('daily').dailyAt('02:00').timezone('Europe/Paris').withoutOverlapping();
  schedule.call(() => {}).name('remote').hourly().onLambda({ memorySize: 512, timeout: 60 });
  schedule.call(() => {}).name('prod-only').everyMinute().environments('prod');
  schedule.call(() => {}).name('office').everyThirtyMinutes().between('09:00', '17:00');
  return schedule;
}

const item = (report: ReturnType<typeof estimateCost>, prefix: string) => report.lines.find((l) => l.item.startsWith(prefix))!;

describe('estimateCost', () => {
  it('counts each task\'s slots over the real 30 days, static filters applied for the stage', () => {
    const report = estimateCost(fixture().compiled(), { from: FROM, stage: 'dev' });
    expect(report).toMatchObject({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-31T00:00:00.000Z', region: 'us-east-1', pricesRecordedOn: PRICES.recordedOn });
    expect(report.tasks.map((t) => [t.task, t.runsIn, t.slots, t.memoryMb, t.runSeconds])).toEqual([
      ['every5', 'inline', 30 * 288, 256, 0.1],
      ['daily', 'inline', 30, 256, 0.1],
      ['remote', 'lambda', 30 * 24, 512, 60],
      ['prod-only', 'inline', 0, 256, 0.1], // environments('prod') on stage dev
      ['office', 'inline', 30 * 17, 256, 0.1], // 09:00, 09:30, …, 17:00: between() is inclusive
    ]);
    expect(estimateCost(fixture().compiled(), { from: FROM, stage: 'prod' }).tasks[3]!.slots).toBe(30 * 1_440);
  });

  it('prices the tick, the task Lambdas, DynamoDB\'s requests per slot and the EventBridge events', () => {
    const report = estimateCost(fixture().compiled(), { from: FROM, stage: 'dev' });
    const ticks = 43_200;
    const inlineRuns = 8_640 + 30 + 510;
    expect(item(report, 'Scheduler: tick').quantity).toBe(ticks);
    expect(item(report, 'Lambda: tick requests').quantity).toBe(ticks);
    // 100 ms a tick and 100 ms an inline run, at 256 MB.
    expect(item(report, 'Lambda: tick duration').quantity).toBeCloseTo((ticks + inlineRuns) * 0.1 * 0.25, 6);
    expect(item(report, 'Lambda: fan-out task requests').quantity).toBe(720);
    expect(item(report, 'Lambda: fan-out task duration').quantity).toBe(720 * 60 * 0.5);
    // Per tick 1 write, and 1 more per busy minute (every slot falls on one of every5's 8,640 minutes);
    // inline 2 (+2 withoutOverlapping); fan-out 3. No minute has 8 due slots, so all go alone.
    expect(item(report, 'DynamoDB: write').quantity).toBe(ticks + 8_640 + 8_640 * 2 + 30 * 4 + 510 * 2 + 720 * 3);
    // The tick's pauses and queue mark come back with its write (README "What each lock costs").
    expect(report.lines.filter((l) => l.item.startsWith('DynamoDB'))).toHaveLength(1);
    expect(item(report, 'EventBridge').quantity).toBe(720);
    for (const l of report.lines) expect(l.monthly).toBeCloseTo(l.quantity * l.unitPrice, 12);
    expect(report.total).toBeCloseTo(report.lines.reduce((sum, l) => sum + l.monthly, 0), 12);
    expect(report.total).toBeCloseTo(
      ticks * 1e-6 + (ticks + 720) * 0.2e-6 + ((ticks + inlineRuns) * 0.025 + 21_600) * 0.0000166667 + (ticks + 8_640 + 17_280 + 120 + 1_020 + 2_160) * 0.625e-6 + 720 * 1e-6,
      9,
    );
  });

  it('the idle floor is the tick alone, one write a minute; one Scheduler schedule per task has none but pays per slot', () => {
    const empty = estimateCost([], { from: FROM, stage: 'dev' });
    expect(empty.total).toBeCloseTo(empty.idleFloor, 12);
    expect(item(empty, 'DynamoDB: write').quantity).toBe(43_200);
    expect(empty.idleFloor).toBeCloseTo(43_200 * (1e-6 + 0.2e-6) + 43_200 * 0.1 * 0.25 * 0.0000166667 + 43_200 * 0.625e-6, 12);
    expect(empty.perTaskSchedules.total).toBe(0);

    const report = estimateCost(fixture().compiled(), { from: FROM, stage: 'dev' });
    const runs = 8_640 + 30 + 720 + 510;
    expect(report.idleFloor).toBeCloseTo(empty.idleFloor, 12);
    expect(report.perTaskSchedules.lines.map((l) => l.quantity)).toEqual([runs, runs, expect.closeTo((runs - 720) * 0.1 * 0.25 + 720 * 60 * 0.5, 6)]);
  });

  describe('writes together: a minute with 8 or more of them goes in transactions, 2 WRU a write; a busy minute settles its range in 1 more', () => {
    const minutes = 30 * 1_440;
    const hours = 30 * 24;
    const kernel = (inline: number, fanOut = 0, more: (schedule: Schedule) => void = () => {}) => {
      const schedule = new Schedule();
      for (let i = 0; i < inline; i++) schedule.call(() => {}).name(`inline-${i}`).everyMinute();
      for (let i = 0; i < fanOut; i++) schedule.call(() => {}).name(`remote-${i}`).everyMinute().onLambda({ timeout: 60 });
      more(schedule);
      return estimateCost(schedule.compiled(), { from: FROM, stage: 'dev' }).lines.find((l) => l.unit === 'WRU')!.quantity;
    };

    it('10 inline tasks every minute: claims and outcomes at 2 WRU; 7: at 1', () => {
      expect(kernel(10)).toBe(minutes * (1 + 1 + 10 * (2 + 2)));
      expect(kernel(7)).toBe(minutes * (1 + 1 + 7 * (1 + 1)));
    });

    it('counts each minute: 7 every minute and 1 hourly make 8 at minute 0 only', () => {
      const hourly = (schedule: Schedule) => void schedule.call(() => {}).name('hourly').hourly();
      expect(kernel(7, 0, hourly)).toBe(minutes * (1 + 1) + (minutes - hours) * 7 * (1 + 1) + hours * 8 * (2 + 2));
      // An hourly task alone: every tick's advance, and 720 busy minutes' claim, outcome and settle.
      expect(kernel(0, 0, hourly)).toBe(minutes + hours * (1 + 1 + 1));
    });

    it('fan-out claims count toward a busy minute; the worker writes its start and outcome alone, at 1 WRU', () => {
      // 10 claims a minute go together; the 6 inline outcomes do not.
      expect(kernel(6, 4)).toBe(minutes * (1 + 1 + 6 * (2 + 1) + 4 * (2 + 1 + 1)));
      expect(kernel(0, 10)).toBe(minutes * (1 + 1 + 10 * (2 + 1 + 1)));
      expect(kernel(0, 7)).toBe(minutes * (1 + 1 + 7 * (1 + 1 + 1)));
    });

    it('a sub-minute task counts each of its slots with its minute; withoutOverlapping() writes go alone', () => {
      // 6 slots a minute and 2 more tasks: 8 claims and 8 inline outcomes a minute.
      const tenSeconds = (schedule: Schedule) => void schedule.call(() => {}).name('ten-seconds').everyTenSeconds();
      expect(kernel(2, 0, tenSeconds)).toBe(minutes * (1 + 1 + 8 * (2 + 2)));
      const leased = (schedule: Schedule) => void schedule.call(() => {}).name('leased').everyMinute().withoutOverlapping();
      expect(kernel(7, 0, leased)).toBe(minutes * (1 + 1 + 8 * (2 + 2) + 1 * (1 + 1)));
    });
  });

  it('takes its assumptions: Lambda dispatch bills no events, a shorter fan-out run, a bigger tick', () => {
    const report = estimateCost(fixture().compiled(), { from: FROM, stage: 'dev', assumptions: { dispatcher: 'lambda', fanOutRunRatio: 0.5, tickMemoryMb: 512 } });
    expect(item(report, 'EventBridge').quantity).toBe(0);
    expect(item(report, 'Lambda: fan-out task duration').quantity).toBe(720 * 30 * 0.5);
    expect(report.tasks[0]!.memoryMb).toBe(512);
  });
});
