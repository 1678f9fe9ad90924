import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { taskHandler } from '../../../functions/taskHandler.js';
import { tickHandler } from '../../../functions/tickHandler.js';
import { useZoneOffsets, wallClock } from '../../../src/evaluation/wallClock.js';
import { zoneOffsetTable, type ZoneOffsetTable } from '../../../src/evaluation/zoneOffsets.js';
import type { Schedule } from '../../../src/kernel/Schedule.js';

/** docs/design.md "Time zones": the tick's and the task functions' handlers take the offsets the plugin packaged with them. */
const kernel = (schedule: Schedule) => {
  schedule.call(() => {}).name('report').dailyAt('02:00').timezone('Europe/Paris');
};
const packaged = zoneOffsetTable(['Europe/Paris'], new Date())!;
const fromAnotherTz: ZoneOffsetTable = { ...packaged, tz: `${packaged.tz}-other` };
const DAY_MS = 24 * 3_600_000;
/** Each handler with a day inside the packaged window of its own (ICU's answers are cached per 15 minutes). */
const handlers = [
  ['tick', (zoneOffsets: ZoneOffsetTable) => tickHandler(kernel, { zoneOffsets }), new Date(Date.now() + 30 * DAY_MS)],
  ['task function', (zoneOffsets: ZoneOffsetTable) => taskHandler(kernel, { zoneOffsets }), new Date(Date.now() + 40 * DAY_MS)],
] as const;

beforeEach(() => {
  vi.stubEnv('TICKWORK_TABLE', 'tickwork-test');
  vi.stubEnv('TICKWORK_STAGE', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
});

afterEach(() => {
  useZoneOffsets(undefined);
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe.each(handlers)('the %s handler', (_, build, day) => {
  it('computes the wall clocks of its zones from the packaged offsets, without ICU, and says nothing', () => {
    const warned = vi.spyOn(Logger.prototype, 'warn');
    build(packaged);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    wallClock(day, 'Europe/Paris');
    expect(formatted).not.toHaveBeenCalled();
    expect(warned).not.toHaveBeenCalled();
  });

  it('where its runtime reads another tz database, leaves its wall clocks to ICU and warns once, naming both', () => {
    const warned = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    build(fromAnotherTz);
    const formatted = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    wallClock(day, 'Europe/Paris');
    expect(formatted).toHaveBeenCalled();
    expect(warned).toHaveBeenCalledTimes(1);
    expect(warned.mock.calls[0]?.[0]).toContain(`tz database ${fromAnotherTz.tz}, and this runtime reads ${process.versions.tz}`);
  });
});
