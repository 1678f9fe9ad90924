// A local Serverless plugin. Before `serverless package`/`deploy` and `serverless offline` it builds
// the kernel, so an invalid task stops the command with the task's name and the bad field instead of
// deploying a tick that fails every minute. From the same definitions the tick runs it then adds what
// the kernel needs — deploy and runtime cannot drift:
//   - one function per fan-out task (`runInBackground()`/`onLambda()`), its EventBridge rule, role and
//     dead-letter queue, and the tick's permission to dispatch to them (see src/infra/fanOutInfrastructure.ts);
//   - the IAM for the inline tasks' output options (S3 objects, the SES sender).
// Listed before serverless-offline-aws-eventbridge, which reads the functions in its own
// `before:offline:start` hooks: the fan-out functions must exist by then.
import { tsImport } from 'tsx/esm/api';

export default class TickworkPlugin {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.prepared = false;
    this.hooks = {
      'before:package:initialize': () => this.prepare({ packaging: true }),
      'before:offline:start': () => this.prepare({ packaging: false }),
      'before:offline:start:init': () => this.prepare({ packaging: false }),
    };
  }

  async prepare({ packaging }) {
    if (this.prepared) return;
    this.prepared = true;
    const { loadKernel, kernelPath } = await tsImport('../src/local/loadKernel.ts', import.meta.url);
    const { kernelIamStatements } = await tsImport('../src/infra/kernelIam.ts', import.meta.url);
    const { fanOutInfrastructure, DISPATCHER_KINDS } = await tsImport('../src/infra/fanOutInfrastructure.ts', import.meta.url);
    const path = kernelPath(this.serverless.serviceDir);
    const service = this.serverless.service;
    const provider = service.provider;
    const environment = provider.environment ?? {};
    try {
      const tasks = (await loadKernel(path)).tasks();
      const fanOut = tasks.filter((t) => t.lambda !== false);
      this.log?.notice?.(`Tickwork: kernel OK, ${tasks.length} task(s): ${tasks.map((t) => `${t.name} [${t.expression}]${t.lambda === false ? '' : ' (own Lambda)'}`).join(', ')}`);

      const dispatcher = environment.TICKWORK_DISPATCHER;
      if (!DISPATCHER_KINDS.includes(dispatcher)) {
        throw new Error(`TICKWORK_DISPATCHER must be one of ${DISPATCHER_KINDS.join(', ')}, got ${JSON.stringify(dispatcher)}`);
      }
      const infra = fanOutInfrastructure(tasks, {
        service: service.service,
        stage: provider.stage,
        dispatcher,
        busName: environment.TICKWORK_BUS,
        deployment: environment.TICKWORK_DEPLOYMENT,
        mailFrom: environment.TICKWORK_MAIL_FROM,
      });
      for (const [key, config] of Object.entries(infra.functions)) {
        if (service.functions[key] !== undefined) throw new Error(`serverless.yml already has a function "${key}"; Tickwork generates it for a fan-out task`);
        service.functions[key] = config;
      }
      if (fanOut.length > 0) {
        this.log?.notice?.(`Tickwork: ${fanOut.length} fan-out function(s) via ${dispatcher}: ${Object.keys(infra.functions).join(', ')}`);
      }
      // Offline too: serverless-offline-aws-eventbridge finds the bus's name in these resources.
      service.resources ??= {};
      service.resources.Resources ??= {};
      Object.assign(service.resources.Resources, infra.resources);
      if (!packaging) return;
      const inline = tasks.filter((t) => t.lambda === false);
      const statements = [...infra.tickStatements, ...kernelIamStatements(inline, environment.TICKWORK_MAIL_FROM)];
      if (statements.length === 0) return;
      provider.iam ??= {};
      provider.iam.role ??= {};
      provider.iam.role.statements = [...(provider.iam.role.statements ?? []), ...statements];
      this.log?.notice?.(`Tickwork: granted the tick ${statements.length} statement(s) for dispatch and task output`);
    } catch (error) {
      throw new this.serverless.classes.Error(`Tickwork kernel ${path}: ${error.message}`, error.code ?? 'TICKWORK_KERNEL');
    }
  }
}
