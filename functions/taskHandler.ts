/**
 * `tickwork/lambda/task`: the handler every fan-out task's function shares, with S3 and SES only when
 * the plugin's generated entry passes `tickwork/lambda/output` (see `infra/entries.ts` and
 * `functions/tickHandler.ts`).
 */
import { useZoneOffsets } from '../src/evaluation/wallClock.js';
import { buildSchedule, type Kernel } from '../src/kernel/buildSchedule.js';
import { zonesCheckedAtPackage } from '../src/kernel/timeZones.js';
import { createTaskHandler, type TaskHandler } from '../src/runner/createTaskHandler.js';
import { createStore, deployment, functionSinks } from './runtime.js';
import { mapStackTracesLazily } from './sourceMaps.js';
import type { LambdaParts } from './tickHandler.js';

/** The handler of every fan-out task's function for `kernel`; the event names the task. */
export function taskHandler(kernel: Kernel, parts: Pick<LambdaParts, 'output' | 'zoneOffsets'> = {}): TaskHandler {
  mapStackTracesLazily();
  useZoneOffsets(parts.zoneOffsets);
  // The plugin checked this kernel's zones when it packaged the function (src/kernel/timeZones.ts).
  return createTaskHandler({ schedule: zonesCheckedAtPackage(() => buildSchedule(kernel)), store: createStore(), deployment, sinks: functionSinks(parts.output) });
}
