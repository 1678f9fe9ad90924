/**
 * `tickwork/lambda/tick`: the tick's handler with only the AWS clients its kernel uses. The
 * plugin's generated entry for a kernel names what it needs (see `infra/entries.ts`):
 *
 * ```ts
 * import { tickHandler } from 'tickwork/lambda/tick';
 * import { eventBridgeDispatcher } from 'tickwork/lambda/eventbridge'; // only with fan-out tasks
 * export const handler = tickHandler(kernel, { dispatcher: eventBridgeDispatcher });
 * ```
 *
 * so a kernel without fan-out never loads the EventBridge or Lambda client, and one whose tasks
 * neither write to S3 nor mail never loads S3 or SES: each is a few hundred KB of bundle and part
 * of every cold start. The task functions' handler is `tickwork/lambda/task`, apart, so neither bundle
 * carries the other's code; `tickwork/lambda` has both, with every client, for a stack of your own.
 */
import { TickworkError } from '../src/errors.js';
import type { ZoneOffsetTable } from '../src/evaluation/zoneOffsets.js';
import { buildSchedule, type Kernel } from '../src/kernel/buildSchedule.js';
import { zonesCheckedAtPackage } from '../src/kernel/timeZones.js';
import { createLogger } from '../src/log/createLogger.js';
import { createTickHandler, type TickHandler } from '../src/runner/createTickHandler.js';
import type { OutputSinks } from '../src/runner/deliverOutput.js';
import { createStore, deployment, functionSinks, offline, usePackagedZoneOffsets } from './runtime.js';
import type { DispatcherFactory } from './dispatchers.js';
import { requireEnv } from './env.js';
import { mapStackTracesLazily } from './sourceMaps.js';

export type { DispatcherFactory } from './dispatchers.js';

/** The optional parts of a Tickwork function; each brings its AWS client. */
export interface LambdaParts {
  /** The dispatcher of fan-out tasks; required by a tick whose kernel has any. */
  readonly dispatcher?: DispatcherFactory;
  /** Output on S3 and SES (`tickwork/lambda/output`), for tasks that write to S3 or mail their output. */
  readonly output?: () => OutputSinks;
  /** The offsets of the kernel's zones, worked out when the plugin packaged the function (`zoneOffsetTable`). */
  readonly zoneOffsets?: ZoneOffsetTable;
}

/** The tick Lambda's handler for `kernel`. Built once per container: the schedule is compiled here, not on every tick. */
export function tickHandler(kernel: Kernel, parts: LambdaParts = {}): TickHandler {
  mapStackTracesLazily();
  const logger = createLogger();
  usePackagedZoneOffsets(parts.zoneOffsets, logger);
  // The plugin checked this kernel's zones when it packaged the function (src/kernel/timeZones.ts).
  const schedule = zonesCheckedAtPackage(() => buildSchedule(kernel));
  const dispatcher = parts.dispatcher;
  if (dispatcher !== undefined) {
    const kind = requireEnv('TICKWORK_DISPATCHER');
    if (kind !== dispatcher.kind) {
      throw new TickworkError('INVALID_DISPATCHER', `TICKWORK_DISPATCHER is ${JSON.stringify(kind)}, but this function was packaged with the ${dispatcher.kind} dispatcher: package and deploy it again`);
    }
  }
  return createTickHandler({
    schedule,
    store: createStore(),
    logger,
    ...(dispatcher === undefined ? {} : { dispatcher: dispatcher.create(logger) }),
    deployment,
    stage: requireEnv('TICKWORK_STAGE'),
    sinks: functionSinks(parts.output),
    // serverless-offline hands over the Scheduler input unreplaced; it fires on the minute boundary,
    // so the moment it fires stands in for the scheduled time the Scheduler would have written.
    resolvePlaceholder: offline ? () => new Date() : undefined,
  });
}
