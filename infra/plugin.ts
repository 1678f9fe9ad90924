/**
 * `tickwork/serverless`: the Serverless Framework (v3 / osls) plugin. Name it in a service's
 * `plugins`, point `custom.tickwork.kernel` at a kernel, and `serverless package`/`deploy`/`offline`
 * add everything Tickwork needs beside the service's own functions, untouched:
 *
 * - the tick function, bundled with that same kernel (the file the plugin validates is the file it
 *   bundles), on an EventBridge Scheduler trigger once a minute;
 * - the DynamoDB table (`TickworkTable`) and the IAM for it;
 * - for fan-out tasks (`onLambda()`/`runInBackground()`): one function each, their EventBridge rules
 *   or Lambda permissions, roles and dead-letter queue (`src/infra/fanOutInfrastructure.ts`);
 * - the IAM for inline tasks' output (S3 objects, the SES sender).
 *
 * Bundling: the plugin bundles Tickwork's functions itself with esbuild into `.tickwork/build/` and
 * packages each on its own (`FUNCTION_BUILD`). serverless-esbuild, when the service uses it, bundles
 * them instead from their entries generated under `.tickwork/entries/`, in two cases: under
 * serverless-offline, which serves what serverless-esbuild builds, and when it would bundle no function
 * of the service's own (its packaging fails when it has none). An invalid kernel stops the command with
 * the task's name and the bad field.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEAD_LETTER_QUEUE_ID, fanOutInfrastructure, functionRole } from '../src/infra/fanOutInfrastructure.js';
import { schedulerRole, withdrawTickInvoke, type SharedRole } from '../src/infra/schedulerRole.js';
import { kernelIamStatements } from '../src/infra/kernelIam.js';
import { zoneOffsetTable } from '../src/evaluation/zoneOffsets.js';
import { TICK_TIMEOUT_SECONDS } from '../src/kernel/runBudget.js';
import { DEFAULT_KERNEL_PATH, kernelPath, loadKernel } from '../src/local/loadKernel.js';
import type { TaskDefinition } from '../src/kernel/types.js';
import { alarmResources, unalarmedTasks } from './alarms.js';
import { bundledByServerlessEsbuild } from './bundling.js';
import { entrySources } from './entries.js';
import { monitoredTasks } from '../src/infra/monitoredTasks.js';
import { tickworkOptions, type TickworkOptions } from './options.js';
import table from './table.json' with { type: 'json' };

/** The bits of the Serverless Framework's plugin API this plugin uses. */
interface Serverless {
  readonly serviceDir: string;
  getProvider(name: 'aws'): { getStage(): string };
  readonly service: {
    service: string;
    provider: {
      stage: string;
      region?: string;
      runtime?: string;
      environment?: Record<string, unknown>;
      iam?: { role?: { statements?: unknown[] } };
      /** The stack as the Framework compiles it, once packaging has begun. */
      compiledCloudFormationTemplate?: { Resources?: Record<string, unknown> };
    };
    custom?: Record<string, unknown>;
    plugins?: string[] | { modules?: string[] };
    functions: Record<string, Record<string, unknown>>;
    resources?: { Resources?: Record<string, unknown>; Outputs?: Record<string, unknown> };
  };
  readonly classes: { Error: new (message: string, code?: string) => Error };
  /** The command line as the Framework read it (`['deploy', 'function']`). */
  readonly processedInput?: { readonly commands?: readonly string[] };
}

interface PluginLog {
  notice?(message: string): void;
  warning?(message: string): void;
}

/**
 * The credential provider the Lambda bundles use in place of the SDK's default chain: the environment
 * Lambda sets, or container credentials (`functions/lambdaCredentials.ts`). Beside this module, built
 * (`.js`) or run from source (`.ts`).
 */
export const LAMBDA_CREDENTIALS = fileURLToPath(new URL(`../functions/lambdaCredentials.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));

/**
 * How the plugin bundles Tickwork's functions (the bench builds with it too). `mainFields` puts
 * packages' ES modules first: the AWS SDK's let esbuild keep only the commands Tickwork sends, where
 * its CommonJS build brings every command of every client — about 40 % of the bundle, and of the cold
 * start. Source maps stay beside the bundle, read only when a stack trace is printed (see
 * `functions/sourceMaps.ts`), never at start-up.
 */
export const FUNCTION_BUILD = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  minify: true,
  // Names are not kept: about 6 % of the bundle. Tickwork's errors spell theirs out (src/errors.ts).
  keepNames: false,
  sourcemap: true,
  // The map is for stack traces (functions/sourceMaps.ts), which need positions, not the sources: two
  // thirds of the map, half of each function's zip, and memory and time at the first trace.
  sourcesContent: false,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tickworkCreateRequire } from 'node:module'; const require = __tickworkCreateRequire(import.meta.url);" },
  logLevel: 'silent',
  // A Lambda's credentials are in its environment: the default chain's profiles, SSO and web identity
  // (with the STS and SSO clients they bring) are a quarter of a bundle that never uses them.
  alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
} as const satisfies BuildOptions;

const TICK_FUNCTION = 'tick';
/** Commands that read the deployed functions (`serverless logs -f tick`): the plugin adds Tickwork's first. */
const NAMING_COMMANDS = new Set(['logs', 'info', 'invoke', 'metrics', 'deploy list functions']);
/** Commands that cannot take one of Tickwork's functions, and what to run instead. */
const ONE_FUNCTION_COMMANDS: Readonly<Record<string, string>> = {
  'deploy function': 'deploy it with `serverless deploy`: the tick and the task functions carry the same kernel and are deployed together',
  'invoke local': 'run one tick here with `npx tickwork run`, or one task with `npx tickwork test <task>`',
  'rollback function': 'roll the whole service back with `serverless rollback --timestamp <timestamp>` (`serverless deploy list` shows them): the tick and the task functions carry the same kernel and go back together',
};
const TICK_ROLE = 'TickworkTickRole';
/** serverless-offline-aws-eventbridge's section of `custom`. */
const EVENTBRIDGE_MOCK = 'serverless-offline-aws-eventbridge';
/** The role EventBridge Scheduler assumes to invoke the tick, and nothing else. */
const SCHEDULER_ROLE = 'TickworkSchedulerRole';
const WORK_DIR = '.tickwork';

export default class TickworkPlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  #prepared = false;
  /** The functions this plugin added to the service. */
  readonly #generated = new Set<string>();

  constructor(
    private readonly serverless: Serverless,
    private readonly options: { readonly function?: string } = {},
    private readonly utils: { log?: PluginLog } = {},
  ) {
    this.hooks = {
      initialize: () => this.#addForCommandsNamingThem(),
      'before:package:initialize': () => this.prepare({ packaging: true }),
      'before:offline:start': () => this.prepare({ packaging: false }),
      'before:offline:start:init': () => this.prepare({ packaging: false }),
      'after:package:compileEvents': async () => this.#unshareSchedulerPermission(),
    };
  }

  /**
   * Reads the kernel and adds Tickwork's functions and resources to the service. `build: false` writes
   * and bundles nothing (for commands that only read the functions' names, such as `serverless logs`).
   */
  async prepare({ packaging, build = true }: { packaging: boolean; build?: boolean }): Promise<void> {
    if (this.#prepared) return;
    this.#prepared = true;
    const service = this.serverless.service;
    const root = this.serverless.serviceDir;
    // The stage the command runs for: `--stage`, else `provider.stage`, else the Framework's default.
    const stage = this.serverless.getProvider('aws').getStage();
    const prefix = `${service.service}-${stage}-`;
    let path = kernelPath(root);
    try {
      const options = tickworkOptions(service.custom?.tickwork, { service: service.service, stage });
      path = kernelPath(root, options.kernel);
      const schedule = await loadKernel(path);
      const tasks = schedule.tasks();
      this.#notice(`Tickwork: kernel OK, ${tasks.length} task(s): ${tasks.map((t) => `${t.name} [${t.expression}]${t.lambda === false ? '' : ' (own Lambda)'}`).join(', ')}`);
      const environment = this.#environment(options, stage);
      if (!packaging && build) this.#pointEventBridgeMock();
      const entries = await this.#entries(root, path, tasks, options.dispatcher, { packaging, build });
      const fanOut = fanOutInfrastructure(tasks, {
        service: service.service,
        stage: stage,
        dispatcher: options.dispatcher,
        busName: options.bus,
        deployment: options.deployment,
        mailFrom: options.mailFrom,
        handler: entries.task.handler,
        environment,
        functionDefaults: entries.task.config,
      });
      const functions: Record<string, Record<string, unknown>> = {
        [TICK_FUNCTION]: {
          ...entries.tick.config,
          // A role of its own: the service's other functions gain no permission from Tickwork, and a
          // provider role given as an ARN needs no change.
          role: TICK_ROLE,
          name: `${service.service}-${stage}-${TICK_FUNCTION}`,
          handler: entries.tick.handler,
          description: 'Evaluates the Tickwork kernel for one scheduled minute and runs its due tasks',
          memorySize: options.tick.memorySize,
          // The run budget inline tasks are checked against at build (`src/kernel/runBudget.ts`).
          timeout: TICK_TIMEOUT_SECONDS,
          environment,
          events: [
            // EventBridge Scheduler, on the minute boundary; it writes the invocation's scheduled time
            // into the input, and the tick takes its minute from there, never from its own clock.
            // The Scheduler needs a role it may assume; left out, the Framework gives it the function's,
            // which only Lambda may assume, and the tick is never invoked.
            { schedule: { method: 'scheduler', rate: ['cron(* * * * ? *)'], input: { scheduledTime: '<aws.scheduler.scheduled-time>' }, roleArn: { 'Fn::GetAtt': [SCHEDULER_ROLE, 'Arn'] } } },
          ],
        },
        ...fanOut.functions,
      };
      for (const [key, config] of Object.entries(functions)) {
        if (service.functions[key] !== undefined) throw new Error(`serverless.yml already has a function "${key}"; Tickwork generates it`);
        service.functions[key] = config;
        this.#generated.add(key);
      }
      if (Object.keys(fanOut.functions).length > 0) {
        this.#notice(`Tickwork: ${Object.keys(fanOut.functions).length} fan-out function(s) via ${options.dispatcher}: ${Object.keys(fanOut.functions).join(', ')}`);
      }
      service.resources ??= {};
      service.resources.Resources ??= {};
      service.resources.Outputs ??= {};
      Object.assign(service.resources.Resources, { TickworkTable: { ...table, Properties: { ...table.Properties, TableName: options.table } } }, fanOut.resources);
      const monitored = monitoredTasks(schedule.compiled(), stage);
      for (const task of options.alarms === false ? [] : unalarmedTasks(monitored)) {
        this.#notice(`Tickwork: "${task.name}" runs less often than a CloudWatch alarm can look back (7 days, its grace included): no "has not succeeded" alarm; tickwork monitor still judges it with its grace`);
      }
      Object.assign(service.resources.Resources, alarmResources({
        alarms: options.alarms,
        prefix: `${service.service}-${stage}-`,
        tickFunctionName: `${service.service}-${stage}-${TICK_FUNCTION}`,
        deployment: options.deployment,
        deadLetterQueue: DEAD_LETTER_QUEUE_ID in fanOut.resources,
        monitored,
      }));
      Object.assign(service.resources.Outputs, { TickworkTableName: { Value: { Ref: 'TickworkTable' } } });
      const inline = tasks.filter((t) => t.lambda === false);
      Object.assign(service.resources.Resources, {
        [TICK_ROLE]: tickRole(`${prefix}${TICK_FUNCTION}`, [...fanOut.tickStatements, ...kernelIamStatements(inline, options.mailFrom)]),
        [SCHEDULER_ROLE]: schedulerRole(`${prefix}${TICK_FUNCTION}`),
      });
      if (!packaging) return;
      this.#keepOutOfOtherArtifacts();
    } catch (error) {
      const { message, code } = error as { message: string; code?: string };
      // Options and kernel errors name their own field; the kernel's path says which kernel it was.
      const where = /^(custom\.|TICKWORK_|serverless\.yml)/.test(message) ? 'Tickwork' : `Tickwork kernel ${relative(root, path) || DEFAULT_KERNEL_PATH}`;
      throw new this.serverless.classes.Error(`${where}: ${message}`, code ?? 'TICKWORK_KERNEL');
    }
  }

  /** What Tickwork's functions read at start-up (`functions/adapters.ts`); variables set in the shell override options. */
  #environment(options: TickworkOptions, stage: string): Record<string, string> {
    const service = this.serverless.service;
    return {
      TICKWORK_TABLE: options.table,
      TICKWORK_DEPLOYMENT: options.deployment,
      TICKWORK_STAGE: stage,
      TICKWORK_RETENTION_DAYS: String(options.retentionDays),
      TICKWORK_MAIL_FROM: options.mailFrom ?? '',
      TICKWORK_DISPATCHER: options.dispatcher,
      TICKWORK_BUS: options.bus,
      TICKWORK_FUNCTION_PREFIX: `${service.service}-${stage}-`,
    };
  }

  /**
   * Each function's handler and packaging: bundled here, unless serverless-esbuild is to bundle them
   * (`bundledByServerlessEsbuild`). With `build`, first writes the two handler entries — each imports
   * the kernel and a handler factory from `tickwork/lambda` — and bundles them when it is the plugin's
   * to do.
   */
  async #entries(root: string, kernel: string, tasks: readonly TaskDefinition[], dispatcher: TickworkOptions['dispatcher'], { packaging, build: write }: { packaging: boolean; build: boolean }): Promise<Record<'tick' | 'task', { handler: string; config: Record<string, unknown> }>> {
    const byServerlessEsbuild = bundledByServerlessEsbuild(this.serverless.service, packaging);
    if (write) await this.#writeEntries(root, kernel, tasks, dispatcher, byServerlessEsbuild);
    if (byServerlessEsbuild) {
      return {
        tick: { handler: `${WORK_DIR}/entries/tick.handler`, config: {} },
        task: { handler: `${WORK_DIR}/entries/task.handler`, config: {} },
      };
    }
    const own = (name: string) => ({
      handler: `${WORK_DIR}/build/${name}.handler`,
      config: { skipEsbuild: true, package: { individually: true, patterns: ['!**', `${WORK_DIR}/build/${name}.mjs`, `${WORK_DIR}/build/${name}.mjs.map`] } },
    });
    return { tick: own('tick'), task: own('task') };
  }

  async #writeEntries(root: string, kernel: string, tasks: readonly TaskDefinition[], dispatcher: TickworkOptions['dispatcher'], byServerlessEsbuild: boolean): Promise<void> {
    const entriesDir = join(root, WORK_DIR, 'entries');
    mkdirSync(entriesDir, { recursive: true });
    const kernelImport = relative(entriesDir, kernel).split('\\').join('/');
    // The kernel's zones were checked as it was built, so each is one ICU knows.
    const zoneOffsets = zoneOffsetTable(tasks.map((task) => task.timezone), new Date());
    if (zoneOffsets !== undefined) {
      this.#notice(`Tickwork: offsets of ${Object.keys(zoneOffsets.zones).join(', ')} packaged from tz database ${zoneOffsets.tz}; a runtime that reads another starts ICU on its first tick`);
    }
    const sources = entrySources(kernelImport.startsWith('.') ? kernelImport : `./${kernelImport}`, tasks, dispatcher, zoneOffsets);
    for (const [name, source] of Object.entries(sources)) writeFileSync(join(entriesDir, `${name}.ts`), source);
    if (byServerlessEsbuild) {
      this.#checkEsbuildCanRequire();
      return;
    }
    await build({ ...FUNCTION_BUILD, entryPoints: Object.keys(sources).map((name) => join(entriesDir, `${name}.ts`)), outdir: join(root, WORK_DIR, 'build') });
  }

  /**
   * The plugin's build output is for Tickwork's functions only: keep it out of the service's own
   * artifacts (each Tickwork function includes its own bundle back).
   */
  #keepOutOfOtherArtifacts(): void {
    const service = this.serverless.service as Serverless['service'] & { package?: { patterns?: string[] } };
    service.package ??= {};
    service.package.patterns = [...(service.package.patterns ?? []), `!${WORK_DIR}/**`];
  }

  /**
   * The AWS SDK inside the bundle is CommonJS and calls require(); an ESM bundle has none unless a
   * banner creates one, and without it the tick would fail at every cold start. Refused here instead.
   */
  #checkEsbuildCanRequire(): void {
    const esbuild = (this.serverless.service.custom?.esbuild ?? {}) as { format?: unknown; banner?: { js?: unknown } };
    if (esbuild.format !== 'esm' || String(esbuild.banner?.js ?? '').includes('createRequire')) return;
    throw new Error(
      "custom.esbuild bundles as ESM without a require(): the AWS SDK in Tickwork's functions needs one. Add to custom.esbuild: " +
        `banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } — or bundle as CommonJS`,
    );
  }

  /**
   * Commands that name a function (`serverless logs -f tick`) find Tickwork's only once the plugin has
   * read the kernel, which it otherwise does for a package or serverless-offline: add them first, so
   * `logs`, `invoke`, `metrics`, `info` and `deploy list functions` see them. `deploy function`,
   * `rollback function` and `invoke local` cannot take them: the tick and the task functions carry the
   * same kernel and deploy (and roll back) together, and a tick or a task runs locally through the
   * `tickwork` binary; they are refused with what to run instead.
   */
  async #addForCommandsNamingThem(): Promise<void> {
    const command = this.#command();
    const name = this.options.function;
    // The service's own function: nothing of Tickwork's is involved.
    if (name !== undefined && this.serverless.service.functions?.[name] !== undefined) return;
    const refused = ONE_FUNCTION_COMMANDS[command];
    if (refused === undefined ? !NAMING_COMMANDS.has(command) : name === undefined) return;
    if (name === undefined) {
      // `info` or `metrics` of the whole service asked for none of Tickwork's functions in particular: a
      // kernel that cannot be read leaves them out, said so, instead of failing the command, as before
      // the plugin added them here. A function it names still needs the kernel, whose error is the answer.
      try {
        await this.prepare({ packaging: false, build: false });
      } catch (error) {
        for (const key of this.#generated) delete this.serverless.service.functions[key];
        this.utils.log?.warning?.(`${(error as Error).message} — so \`serverless ${command}\` goes on without Tickwork's functions`);
      }
      return;
    }
    // The tick is Tickwork's whatever the kernel: refused without reading it.
    if (refused !== undefined && name === TICK_FUNCTION) throw this.#refusal(name, command, refused);
    await this.prepare({ packaging: false, build: false });
    if (refused !== undefined && this.#generated.has(name)) throw this.#refusal(name, command, refused);
  }

  /**
   * The Framework, compiling any `scheduler` schedule, lets the service's shared role
   * (`IamRoleLambdaExecution`) be assumed by EventBridge Scheduler and invoke every function with such a
   * schedule — the tick's included, though its schedule has a role of its own. Taken back here, so the
   * service's functions gain nothing from Tickwork (src/infra/schedulerRole.ts).
   */
  async #unshareSchedulerPermission(): Promise<void> {
    if (!this.#generated.has(TICK_FUNCTION)) return;
    const role = this.serverless.service.provider.compiledCloudFormationTemplate?.Resources?.IamRoleLambdaExecution as SharedRole | undefined;
    if (role === undefined) return;
    const ownSchedules = Object.entries(this.serverless.service.functions).some(([key, config]) =>
      !this.#generated.has(key) && ((config as { events?: { schedule?: { method?: string } }[] }).events ?? []).some((event) => event.schedule?.method === 'scheduler'));
    withdrawTickInvoke(role, (this.serverless.service.functions[TICK_FUNCTION] as { name: string }).name, { keepSchedulerTrust: ownSchedules });
  }

  /**
   * `tickwork start` picks the local EventBridge's ports (`--eventbridge-port`, `TICKWORK_EVENTBRIDGE_PORT`)
   * and points the tick's client at them; serverless-offline-aws-eventbridge, which reads its port from
   * `custom` when serverless-offline starts (after this hook: the plugin is listed first), is told the
   * same, or it would listen on its own default and every fan-out send would be refused.
   */
  #pointEventBridgeMock(): void {
    const port = process.env.TICKWORK_EVENTBRIDGE_PORT;
    const pubSubPort = process.env.TICKWORK_EVENTBRIDGE_PUBSUB_PORT;
    if (port === undefined && pubSubPort === undefined) return;
    const custom = (this.serverless.service.custom ??= {});
    const mock = (custom[EVENTBRIDGE_MOCK] ?? {}) as Record<string, unknown>;
    custom[EVENTBRIDGE_MOCK] = {
      ...mock,
      ...(port === undefined ? {} : { port: Number(port) }),
      ...(pubSubPort === undefined ? {} : { pubSubPort: Number(pubSubPort) }),
    };
  }

  #refusal(name: string, command: string, instead: string): Error {
    return new this.serverless.classes.Error(`Tickwork: "${name}" is a function Tickwork generates from the kernel, which \`serverless ${command}\` cannot take: ${instead}`, 'TICKWORK_FUNCTION');
  }

  #command(): string {
    return (this.serverless.processedInput?.commands ?? []).join(' ');
  }

  #notice(message: string): void {
    this.utils.log?.notice?.(message);
  }
}

/**
 * The tick's own role: its log group, its table (every DynamoDB action Tickwork uses, on that table
 * only), and what dispatch and the inline tasks' output need.
 */
function tickRole(functionName: string, statements: readonly unknown[]): Record<string, unknown> {
  return functionRole(functionName, 'tickwork-tick', [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      Resource: [{ 'Fn::GetAtt': ['TickworkTable', 'Arn'] }],
    },
    ...statements,
  ]);
}
