// A local Serverless plugin. Before `serverless package`/`deploy` and `serverless offline` it builds
// the kernel, so an invalid task stops the command with the task's name and the bad field instead of
// deploying a tick that fails every minute. For packaging it also grants the tick exactly what the
// kernel's output options need (S3 objects, the SES sender), derived from the same definitions the
// tick runs — deploy and runtime cannot drift.
import { tsImport } from 'tsx/esm/api';

export default class TickworkPlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'before:package:initialize': () => this.prepare({ packaging: true }),
      'before:offline:start:init': () => this.prepare({ packaging: false }),
    };
  }

  async prepare({ packaging }) {
    const { loadKernel, kernelPath } = await tsImport('../src/local/loadKernel.ts', import.meta.url);
    const { kernelIamStatements } = await tsImport('../src/infra/kernelIam.ts', import.meta.url);
    const path = kernelPath(this.serverless.serviceDir);
    const provider = this.serverless.service.provider;
    try {
      const tasks = (await loadKernel(path)).tasks();
      this.log?.notice?.(`Tickwork: kernel OK, ${tasks.length} task(s): ${tasks.map((t) => `${t.name} [${t.expression}]`).join(', ')}`);
      if (!packaging) return;
      const statements = kernelIamStatements(tasks, provider.environment?.TICKWORK_MAIL_FROM);
      if (statements.length === 0) return;
      provider.iam ??= {};
      provider.iam.role ??= {};
      provider.iam.role.statements = [...(provider.iam.role.statements ?? []), ...statements];
      this.log?.notice?.(`Tickwork: granted the tick ${statements.length} statement(s) for task output`);
    } catch (error) {
      throw new this.serverless.classes.Error(`Tickwork kernel ${path}: ${error.message}`, error.code ?? 'TICKWORK_KERNEL');
    }
  }
}
