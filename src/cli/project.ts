// What the CLI reads from the project it runs in (the current directory): the kernel's path, and the
// table and deployment the serverless plugin gives the stage — the same defaults as infra/options.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DEFAULT_KERNEL_PATH, kernelPath } from '../local/loadKernel.js';
import { readServerlessYml } from '../local/serverlessYml.js';
import { UsageError } from './usage.js';

import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/localCredentials.js';
export { LOCAL_CREDENTIALS, LOCAL_REGION };

/** The options the DynamoDB commands share. */
export interface TableOptions {
  readonly stage: string;
  readonly table?: string;
  readonly deployment?: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** An AWS shared-config profile (`~/.aws/config`, `~/.aws/credentials`) for credentials and region. */
  readonly profile?: string;
}

/** The project: the directory `tickwork` runs in, with its serverless.yml. */
export class Project {
  readonly root: string;
  #config: ServerlessConfig | null | undefined;

  constructor(root: string = process.cwd()) {
    this.root = resolve(root);
  }

  /**
   * `--kernel`, else `TICKWORK_KERNEL`, else `custom.tickwork.kernel`, else `src/kernel.ts`; absolute.
   * A path that names no file is a mistake on the command line (or in its configuration), so it is a
   * usage error here, before anything loads; a kernel that exists but fails to load stays a failure.
   */
  kernel(option: string | undefined): string {
    const path = option === undefined ? kernelPath(this.root) : resolve(this.root, option);
    if (!existsSync(path)) {
      throw new UsageError(`no kernel file at ${relative(this.root, path) || path} (${path}): expected the kernel module named by --kernel, TICKWORK_KERNEL or custom.tickwork.kernel, else ${DEFAULT_KERNEL_PATH}`);
    }
    return path;
  }

  /** `--table`, else `custom.tickwork.table` (service and stage variables resolved), else `<service>-<stage>-tickwork`. */
  table(stage: string, option: string | undefined): string {
    if (option !== undefined) return option;
    const config = this.#serverless();
    if (config === null) throw new UsageError(`no serverless.yml in ${this.root} to name the table from: pass --table <name>`);
    const configured = config.custom?.tickwork?.table;
    if (configured !== undefined) {
      return this.#resolve(configured, stage, 'custom.tickwork.table') ?? unresolvable('custom.tickwork.table', configured, '--table <name>');
    }
    const service = this.#service(config);
    if (service === undefined) return unresolvable('service', config.service, '--table <name>');
    return `${service}-${stage}-tickwork`;
  }

  /**
   * The plugins serverless.yml lists (`plugins: [...]`, or `plugins: { modules: [...] }`), or undefined
   * when there is no serverless.yml or its list is not plain names.
   */
  plugins(): readonly string[] | undefined {
    const config = this.#serverless();
    const listed = config?.plugins;
    const list = Array.isArray(listed) ? listed : (listed as { modules?: unknown } | undefined)?.modules;
    return Array.isArray(list) && list.every((name) => typeof name === 'string') ? list : undefined;
  }

  /** How fan-out tasks are sent: `TICKWORK_DISPATCHER`, else `custom.tickwork.dispatcher`, else `eventbridge` — as the plugin reads it. */
  dispatcher(): string {
    const configured = this.#serverless()?.custom?.tickwork?.dispatcher;
    return process.env.TICKWORK_DISPATCHER || (typeof configured === 'string' ? configured : 'eventbridge');
  }

  /** `--deployment`, else `custom.tickwork.deployment`, else the stage: as the plugin does. */
  deployment(stage: string, option: string | undefined): string {
    if (option !== undefined) return option;
    const configured = this.#serverless()?.custom?.tickwork?.deployment;
    if (configured === undefined) return stage;
    return this.#resolve(configured, stage, 'custom.tickwork.deployment') ?? unresolvable('custom.tickwork.deployment', configured, '--deployment <name>');
  }

  /**
   * The stage when `--stage` is not given: `provider.stage` in serverless.yml — a plain value, or the
   * default of `${opt:stage, 'dev'}` — else `dev`, the Framework's own default. Never throws: a file
   * it cannot read leaves the default, and commands that need the file say why.
   */
  defaultStage(): string {
    return this.#providerSetting('stage') ?? 'dev';
  }

  /** The region when `--region` is not given: `provider.region` as `defaultStage` reads it, else the SDK's. */
  defaultRegion(): string | undefined {
    return this.#providerSetting('region');
  }

  #providerSetting(name: 'stage' | 'region'): string | undefined {
    let value: unknown;
    try {
      value = (this.#serverless() as { provider?: Record<string, unknown> } | null)?.provider?.[name];
    } catch {
      return undefined;
    }
    if (typeof value !== 'string' || value === '') return undefined;
    if (!value.includes('${')) return value;
    // `${opt:stage, 'dev'}`: the literal default after the last comma, when it is one.
    const fallback = /^\$\{[^{}]*,\s*['"]([^'"]+)['"]\s*\}$/.exec(value);
    return fallback?.[1];
  }

  /**
   * A client for `--endpoint` (DynamoDB Local, with its credentials), else for AWS with yours: those of
   * `--profile` when given (the SDK reads the shared config files for it, as `AWS_PROFILE` would),
   * else the SDK's default chain.
   */
  dynamoDbClient(options: TableOptions): DynamoDBClient {
    if (options.endpoint) return new DynamoDBClient({ endpoint: options.endpoint, region: options.region ?? LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    return new DynamoDBClient({ ...(options.region === undefined ? {} : { region: options.region }), ...(options.profile === undefined ? {} : { profile: options.profile }) });
  }

  #serverless(): ServerlessConfig | null {
    if (this.#config !== undefined) return this.#config;
    try {
      return (this.#config = (readServerlessYml(this.root) as ServerlessConfig | undefined) ?? null);
    } catch (error) {
      throw new UsageError(`cannot read ${join(this.root, 'serverless.yml')}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  #service(config: ServerlessConfig): string | undefined {
    const service = typeof config.service === 'object' && config.service !== null ? (config.service as { name?: unknown }).name : config.service;
    return typeof service === 'string' && !service.includes('${') ? service : undefined;
  }

  /** A plain string, or one whose only variables are the service and the stage; else undefined. */
  #resolve(value: unknown, stage: string, what: string): string | undefined {
    if (typeof value !== 'string' || value === '') throw new UsageError(`${what} in serverless.yml must be a string, got ${JSON.stringify(value)}`);
    let unresolved = false;
    const resolved = value.replace(/\$\{([^{}]*)\}/g, (whole, inner: string) => {
      const source = inner.split(',')[0]!.trim();
      if (source === 'sls:stage' || source === 'opt:stage' || source === 'self:provider.stage') return stage;
      if (source === 'self:service') {
        const service = this.#service(this.#serverless() ?? {});
        if (service !== undefined) return service;
      }
      unresolved = true;
      return whole;
    });
    return unresolved || resolved.includes('${') ? undefined : resolved;
  }
}

interface ServerlessConfig {
  readonly service?: unknown;
  readonly plugins?: unknown;
  readonly custom?: { readonly tickwork?: { readonly table?: unknown; readonly deployment?: unknown; readonly dispatcher?: unknown } };
}

function unresolvable(what: string, value: unknown, option: string): never {
  throw new UsageError(`${what} ${JSON.stringify(value ?? null)} in serverless.yml has variables tickwork cannot resolve: pass ${option}`);
}
