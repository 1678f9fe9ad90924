import kernel from '../src/kernel.js';
import { buildSchedule } from '../src/index.js';
import { createTaskHandler } from '../src/runner/createTaskHandler.js';
import { createSinks, createStore, deployment } from './adapters.js';

// Every fan-out task's function runs this handler; the event names the task. Built once per container.
export const handler = createTaskHandler({
  schedule: buildSchedule(kernel),
  store: createStore(),
  deployment,
  sinks: createSinks(),
});
