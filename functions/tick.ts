import kernel from '../src/kernel.js';
import { buildSchedule, createTickHandler } from '../src/index.js';
import { createDispatcher, createSinks, createStore, deployment, offline } from './adapters.js';
import { createLogger } from '../src/log/createLogger.js';
import { requireEnv } from './env.js';

const logger = createLogger();

// Built once per container: the schedule is compiled here, not on every tick.
export const handler = createTickHandler({
  schedule: buildSchedule(kernel),
  store: createStore(),
  logger,
  dispatcher: createDispatcher(logger),
  deployment,
  stage: requireEnv('TICKWORK_STAGE'),
  sinks: createSinks(),
  // serverless-offline hands over the Scheduler input unreplaced; it fires on the minute boundary,
  // so the moment it fires stands in for the scheduled time the Scheduler would have written.
  resolvePlaceholder: offline ? () => new Date() : undefined,
});
