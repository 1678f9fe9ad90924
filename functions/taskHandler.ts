/**
 * `tickwork/lambda/task`: the handler every fan-out task's function shares, with S3 and SES only when
 * the plugin's generated entry passes `tickwork/lambda/output` (see `infra/entries.ts` and
 * `functions/tickHandler.ts`).
 */
import { buildSchedule, type Kernel } from '../src/kernel/buildSchedule.js';
import { zonesCheckedAtPackage } from '../src/kernel/timeZones.js';
import { createTaskHandler, type TaskHandler } from '../src/runner/createTaskHandler.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';
import { createStore, deployment, functionSinks } from './runtime.js';
import { mapStackTracesLazily } from './sourceMaps.js';

/** The handler of every fan-out task's function for `kernel`; the event names the task. */
export function taskHandler(kernel: Kernel, parts: { readonly output?: () => OutputSinks } = {}): TaskHandler {
  mapStackTracesLazily();
  // The plugin checked this kernel's zones when it packaged the function (src/kernel/timeZones.ts).
  return createTaskHandler({ schedule: zonesCheckedAtPackage(() => buildSchedule(kernel)), store: createStore(), deployment, sinks: functionSinks(parts.output) });
}
