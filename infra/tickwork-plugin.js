// A local Serverless plugin: builds the kernel before `serverless package`/`deploy` and before
// `serverless offline`, so an invalid task stops the command with the task's name and the bad field
// instead of deploying a tick that fails every minute.
import { tsImport } from 'tsx/esm/api';

export default class TickworkPlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:package:initialize': () => this.validateKernel(),
      'before:offline:start:init': () => this.validateKernel(),
    };
  }

  async validateKernel() {
    const { loadKernel, kernelPath } = await tsImport('../src/local/loadKernel.ts', import.meta.url);
    const path = kernelPath(this.serverless.serviceDir);
    let tasks;
    try {
      tasks = (await loadKernel(path)).tasks();
    } catch (error) {
      throw new this.serverless.classes.Error(`Tickwork kernel ${path}: ${error.message}`, error.code ?? 'TICKWORK_KERNEL');
    }
    this.log?.notice?.(`Tickwork: kernel OK, ${tasks.length} task(s): ${tasks.map((t) => `${t.name} [${t.expression}]`).join(', ')}`);
  }
}
