/**
 * `tickwork/lambda/task`: the handler every fan-out task's function shares, with S3 and SES only when
 * the plugin's generated entry passes `tickwork/lambda/output` (see `infra/entries.ts` and
 * `functions/tickHandler.ts`).
 */
import { buildSchedule, type Kernel } from '../src/kernel/buildSchedule.js';
import { zonesCheckedAtPackage } from '../src/kernel/timeZones.js';
import { createLogger } from '../src/log/createLogger.js';
import { createTaskHandler, type TaskHandler } from '../src/runner/createTaskHandler.js';
import { createStore, deployment, functionSinks, usePackagedZoneOffsets } from './runtime.js';
import { mapStackTracesLazily } from './sourceMaps.js';
import type { LambdaParts } from './tickHandler.js';

/** The handler of every fan-out task's function for `kernel`; the event names the task. */
export function taskHandler(kernel: Kernel, parts: Pick<LambdaParts, 'output' | 'zoneOffsets'> = {}): TaskHandler {
  mapStackTracesLazily();
  const logger = createLogger();
  usePackagedZoneOffsets(parts.zoneOffsets, logger);
  // The plugin checked this kernel's zones when it packaged the function (src/kernel/timeZones.ts).
  return createTaskHandler({ schedule: zonesCheckedAtPackage(() => buildSchedule(kernel)), store: createStore(), logger, deployment, sinks: functionSinks(parts.output) });
}
