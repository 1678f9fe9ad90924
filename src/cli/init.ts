import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { TickworkError } from '../errors.js';
import { DEFAULT_KERNEL_PATH } from '../local/loadKernel.js';

export const PLUGIN = 'tickwork/serverless';

/** What `tickwork init` wrote, one line per file, for the command to print. */
export interface InitResult {
  readonly changes: readonly string[];
}

const EXAMPLE_KERNEL = `import type { Schedule, TaskContext } from 'tickwork';

/**
 * Your schedule. The tick Lambda evaluates it once a minute; \`serverless package\` validates it and
 * bundles it into the tick. Try \`npx tickwork list\` to see when each task runs next.
 */
export default function schedule(schedule: Schedule): void {
  schedule
    .call(({ logger, slot }: TaskContext) => logger.info('still here', { slot }))
    .name('heartbeat')
    .description('Logs once an hour')
    .hourly();
}
`;

/**
 * Sets Tickwork up in the project at \`root\`: an example kernel if there is none, and in
 * serverless.yml the plugin (first in the list, so the functions it adds are there for the plugins
 * after it) and a \`custom.tickwork\` block — or a minimal serverless.yml if the project has none.
 * Comments and the rest of an existing file are kept. Running it again changes nothing.
 */
export function initProject(root: string, options: { readonly kernel?: string } = {}): InitResult {
  const kernel = options.kernel ?? DEFAULT_KERNEL_PATH;
  const configFile = serviceFile(root);
  // Read and check everything first: a bad serverless.yml must leave the project as it was.
  const document = existsSync(configFile) ? parseDocument(readFileSync(configFile, 'utf8')) : undefined;
  if (document !== undefined && document.errors.length > 0) {
    throw new TickworkError('INVALID_ARGUMENT', `serverless.yml is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  }
  const edits = document === undefined ? [] : [addPlugin(document), addCustomBlock(document, kernel), widenFrameworkVersion(document)].filter((edit): edit is string => edit !== undefined);

  const changes: string[] = [];
  const kernelFile = join(root, kernel);
  if (!existsSync(kernelFile)) {
    mkdirSync(dirname(kernelFile), { recursive: true });
    writeFileSync(kernelFile, EXAMPLE_KERNEL);
    changes.push(`created ${kernel} (an example kernel with one task)`);
  }
  if (document === undefined) {
    writeFileSync(configFile, minimalConfig(serviceName(root), kernel));
    changes.push(`created serverless.yml (service, provider, the ${PLUGIN} plugin and custom.tickwork)`);
  } else if (edits.length > 0) {
    writeFileSync(configFile, document.toString());
    changes.push(...edits.map((edit) => `${basename(configFile)}: ${edit}`));
  }
  const ignored = ignoreBuildFolder(root);
  if (ignored !== undefined) changes.push(ignored);
  return { changes };
}

/**
 * `.tickwork/` holds what the plugin builds and what `tickwork start` records while it runs: never
 * the project's to commit. Added to `.gitignore` (created if the project has none) unless it is there.
 */
function ignoreBuildFolder(root: string): string | undefined {
  const file = join(root, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (text !== undefined && text.split(/\r?\n/).some((line) => /^\/?\.tickwork\/?$/.test(line.trim()))) return undefined;
  const entry = `${BUILD_FOLDER_IGNORE}\n`;
  writeFileSync(file, text === undefined ? entry : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${entry}`);
  return text === undefined ? 'created .gitignore (.tickwork/)' : '.gitignore: added .tickwork/';
}

const BUILD_FOLDER_IGNORE = '# Tickwork: the plugin\'s build, and what `tickwork start` records while it runs\n.tickwork/';

/** The service's YAML file (`serverless.yml` or `.yaml`); one in code or JSON is the user's to edit. */
function serviceFile(root: string): string {
  for (const name of ['serverless.ts', 'serverless.js', 'serverless.cjs', 'serverless.mjs', 'serverless.json']) {
    if (existsSync(join(root, name))) {
      throw new TickworkError('INVALID_ARGUMENT', `${name} is not YAML, so tickwork init leaves it to you: add '${PLUGIN}' first in its plugins, and custom.tickwork.kernel if your kernel is not at ${DEFAULT_KERNEL_PATH}`);
    }
  }
  const yaml = join(root, 'serverless.yaml');
  return existsSync(yaml) ? yaml : join(root, 'serverless.yml');
}

function addPlugin(document: Document): string | undefined {
  const plugins = document.get('plugins', true);
  if (plugins === undefined || plugins === null) {
    document.set('plugins', document.createNode([PLUGIN]));
    return `added plugins: [${PLUGIN}]`;
  }
  // `plugins: { modules: [...] }` is the other form the Framework accepts.
  const list = isSeq(plugins) ? plugins : isMap(plugins) ? plugins.get('modules', true) : undefined;
  if (!isSeq(list)) throw new TickworkError('INVALID_ARGUMENT', 'serverless.yml: `plugins` must be a list (or have a `modules` list)');
  if (list.items.some((item) => String((item as { value?: unknown }).value ?? item) === PLUGIN)) return undefined;
  list.items.unshift(document.createNode(PLUGIN));
  return `added ${PLUGIN} first in plugins`;
}

/**
 * A service pinned to `frameworkVersion: '3'` is refused by osls 4, the CLI Tickwork's docs install;
 * `'>=3'` keeps serverless@3 and osls 3 content too.
 */
function widenFrameworkVersion(document: Document): string | undefined {
  if (String(document.get('frameworkVersion') ?? '').trim() !== '3') return undefined;
  document.set('frameworkVersion', '>=3');
  return "frameworkVersion '3' is now '>=3' (osls 4 refuses '3')";
}

function addCustomBlock(document: Document, kernel: string): string | undefined {
  if (document.hasIn(['custom', 'tickwork'])) return undefined;
  if (!document.has('custom')) document.set('custom', document.createNode({}));
  document.setIn(['custom', 'tickwork'], document.createNode({ kernel }));
  return `added custom.tickwork (kernel: ${kernel})`;
}

function serviceName(root: string): string {
  const packageFile = join(root, 'package.json');
  const fromPackage = existsSync(packageFile) ? (JSON.parse(readFileSync(packageFile, 'utf8')) as { name?: string }).name : undefined;
  const name = (fromPackage ?? basename(root)).replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9-]/g, '-');
  return /^[A-Za-z]/.test(name) ? name : `app-${name}`;
}

function minimalConfig(service: string, kernel: string): string {
  return `service: ${service}

provider:
  name: aws
  runtime: nodejs22.x
  stage: \${opt:stage, 'dev'}
  region: \${opt:region, 'us-east-1'}

plugins:
  - ${PLUGIN}

custom:
  # Every option and its default: the tickwork README, "Add Tickwork to your project".
  tickwork:
    kernel: ${kernel}
`;
}
