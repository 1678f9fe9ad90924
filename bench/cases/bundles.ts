/*
 * Budgets 1 and 2: the tick's and a task function's bundles as the plugin builds them (the code path of
 * this repository's `serverless package`, whose service has no serverless-esbuild), for the example
 * kernel; and a fresh process importing the tick bundle, against the baseline: a minimal handler
 * that only constructs the same DynamoDB and EventBridge clients, built in this run with the project's
 * esbuild and the plugin's options, the SDK as it ships. Beside it, not judged, the same handler with
 * Tickwork's own credential provider in the SDK's chain's place.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import TickworkPlugin, { FUNCTION_BUILD } from '../../infra/plugin.js';
import { loadKernel } from '../../src/local/loadKernel.js';
import { median, p90, type BudgetRow } from '../stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KIB = 1024;
const IMPORT_RUNS = 25;
/** The kernel the bench packages: the example app's. */
const KERNEL = 'example/kernel.ts';

/** Packages the example kernel through the plugin and returns its functions' bundles and environment. */
async function packageWithPlugin(): Promise<{ tick: string; task: string; environment: Record<string, string> }> {
  const functions: Record<string, Record<string, unknown>> = {};
  const serverless = {
    serviceDir: ROOT,
    getProvider: () => ({ getStage: () => 'bench' }),
    service: { service: 'tickwork', provider: { stage: 'bench', region: 'us-east-1' }, custom: { tickwork: { kernel: KERNEL } }, plugins: [], functions, resources: {} },
    classes: { Error },
  };
  await new TickworkPlugin(serverless, {}, {}).prepare({ packaging: true });
  const environment = functions.tick?.environment as Record<string, string>;
  return { tick: join(ROOT, '.tickwork/build/tick.mjs'), task: join(ROOT, '.tickwork/build/task.mjs'), environment };
}

/**
 * The baseline, judged: a handler that only constructs the DynamoDB and EventBridge clients,
 * built with the plugin's options (`FUNCTION_BUILD`) and the SDK as it ships. With `leanCredentials`,
 * shown beside it: the same handler built exactly as Tickwork's bundles are, whose alias puts Tickwork's
 * own credential provider (functions/lambdaCredentials.ts) in place of the SDK's default chain — which
 * makes it no longer a handler that only constructs the clients, but one with a piece of Tickwork's
 * cold-start work in it.
 */
async function buildBaseline(dir: string, leanCredentials: boolean): Promise<string> {
  const name = leanCredentials ? 'minimal-lean' : 'minimal';
  const entry = join(dir, `${name}.ts`);
  writeFileSync(
    entry,
    [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
      'const dynamodb = new DynamoDBClient({});',
      'const eventBridge = new EventBridgeClient({});',
      'export const handler = async () => ({ clients: [typeof dynamodb, typeof eventBridge] });',
      '',
    ].join('\n'),
  );
  // Resolved from the repository, so the same SDK versions as Tickwork's bundle.
  const { alias, ...options } = FUNCTION_BUILD;
  await build({ ...options, ...(leanCredentials ? { alias } : {}), entryPoints: [entry], outdir: dir, absWorkingDir: ROOT, nodePaths: [join(ROOT, 'node_modules')] });
  return join(dir, `${name}.mjs`);
}

/**
 * Three more builds of the tick, to show where its import goes (the note under the table; never
 * judged): its generated entry with the kernel replaced by an empty one, with Powertools' Logger and
 * Metrics replaced by empty classes (`powertoolsStubs.ts`), and with ICU's date formatting started.
 */
async function buildBreakdown(dir: string, tickEntry: string, zones: readonly string[]): Promise<{ emptyKernel: string; noPowertools: string; withZones: string }> {
  const source = readFileSync(tickEntry, 'utf8');
  const kernelImport = /^import kernel from .*$/m;
  if (!kernelImport.test(source)) throw new Error(`${tickEntry} imports no kernel`);
  // Beside the generated entry, so that it resolves `tickwork/...` as the entry does.
  const emptyEntry = join(dirname(tickEntry), 'bench-empty-kernel.ts');
  writeFileSync(emptyEntry, source.replace(kernelImport, 'const kernel = (): void => {};'));
  try {
    await build({ ...FUNCTION_BUILD, entryPoints: [emptyEntry], outfile: join(dir, 'empty-kernel.mjs') });
  } finally {
    rmSync(emptyEntry, { force: true });
  }
  const stubs = join(ROOT, 'bench/cases/powertoolsStubs.ts');
  await build({
    ...FUNCTION_BUILD,
    alias: { ...FUNCTION_BUILD.alias, '@aws-lambda-powertools/logger': stubs, '@aws-lambda-powertools/metrics': stubs },
    entryPoints: [tickEntry],
    outfile: join(dir, 'no-powertools.mjs'),
  });
  // Where the runtime's tz database is not the packaging machine's, the first tick's wall clocks in the
  // kernel's zones other than UTC start ICU's date formatting (src/evaluation/wallClock.ts): this build
  // starts it at import.
  const zonesEntry = join(dirname(tickEntry), 'bench-with-zones.ts');
  const startIcu = zones.map((zone) => `new Intl.DateTimeFormat('en-US', { timeZone: ${JSON.stringify(zone)}, hour: 'numeric' }).formatToParts(new Date());`);
  writeFileSync(zonesEntry, [source, ...startIcu, ''].join('\n'));
  try {
    await build({ ...FUNCTION_BUILD, entryPoints: [zonesEntry], outfile: join(dir, 'with-zones.mjs') });
  } finally {
    rmSync(zonesEntry, { force: true });
  }
  return { emptyKernel: join(dir, 'empty-kernel.mjs'), noPowertools: join(dir, 'no-powertools.mjs'), withZones: join(dir, 'with-zones.mjs') };
}

interface Probe {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKiB: number;
}

function probe(bundle: string, env: Record<string, string>): Probe {
  const run = spawnSync(process.execPath, [join(ROOT, 'bench/cases/importProbe.mjs'), bundle], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`importing ${bundle} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Probe;
}

export async function bundleCases(): Promise<BudgetRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-bench-bundle-'));
  try {
    const { tick, task, environment } = await packageWithPlugin();
    const minimal = await buildBaseline(dir, false);
    const lean = await buildBaseline(dir, true);
    const zones = [...new Set((await loadKernel(join(ROOT, KERNEL))).tasks().map((task) => task.timezone))].filter((zone) => zone !== 'UTC');
    const { emptyKernel, noPowertools, withZones } = await buildBreakdown(dir, join(ROOT, '.tickwork/entries/tick.ts'), zones);
    const sizes = { tick: statSync(tick).size, task: statSync(task).size, minimal: statSync(minimal).size, lean: statSync(lean).size };

    // As deployed: the environment the plugin gives the tick (NODE_OPTIONS included), placeholder
    // credentials and a region; nothing is sent at import.
    const env = {
      PATH: process.env.PATH ?? '',
      ...environment,
      ...(process.env.BENCH_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: 'bench',
    };
    const bundles = { tick, minimal, lean, emptyKernel, noPowertools, withZones };
    const runs = { tick: [] as Probe[], minimal: [] as Probe[], lean: [] as Probe[], emptyKernel: [] as Probe[], noPowertools: [] as Probe[], withZones: [] as Probe[] };
    // Alternating, after one untimed run of each (the file system cache), so drift hits all alike.
    for (const bundle of Object.values(bundles)) probe(bundle, env);
    for (let i = 0; i < IMPORT_RUNS; i++) {
      for (const which of Object.keys(runs) as (keyof typeof runs)[]) runs[which].push(probe(bundles[which], env));
    }
    const of = (which: keyof typeof runs, key: keyof Probe, scale = 1) => runs[which].map((r) => r[key] / scale);
    const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? environment.NODE_OPTIONS;
    const options = nodeOptions ? ` (NODE_OPTIONS=${nodeOptions})` : ' (no NODE_OPTIONS)';
    const part = (which: 'emptyKernel' | 'noPowertools' | 'withZones') => {
      const cpu = median(of(which, 'cpuMs'));
      return `${cpu.toFixed(1)} ms of CPU, ${(cpu / median(of('minimal', 'cpuMs'))).toFixed(2)}× the baseline (${(cpu / median(of('lean', 'cpuMs'))).toFixed(2)}× the handler with Tickwork's credential provider),`;
    };
    /** Row 2's three figures against `against`: the issue's handler (judged) or the one with Tickwork's credential provider (shown). */
    const importRows = (against: 'minimal' | 'lean', label: string) => [
      { case: `${label} CPU${options}`, median: median(of('tick', 'cpuMs')), p90: p90(of('tick', 'cpuMs')), baseline: median(of(against, 'cpuMs')), unit: 'ms' },
      { case: `${label} wall${options}`, median: median(of('tick', 'wallMs')), p90: p90(of('tick', 'wallMs')), baseline: median(of(against, 'wallMs')), unit: 'ms' },
      { case: `${label} peak memory (the process's VmHWM)`, median: median(of('tick', 'maxRssKiB', KIB)), p90: p90(of('tick', 'maxRssKiB', KIB)), baseline: median(of(against, 'maxRssKiB', KIB)), unit: 'MiB' },
    ];
    const [cpu, wall, memory] = importRows('minimal', '2. tick import,').map((row): BudgetRow => ({ ...row, judge: 'ratio', limit: 1.3 }));
    return [
      { case: '1. tick bundle, example kernel', median: sizes.tick / KIB, baseline: sizes.minimal / KIB, judge: 'value', limit: 600, unit: 'KiB' },
      { case: '1. task function bundle, example kernel', median: sizes.task / KIB, baseline: sizes.minimal / KIB, judge: 'value', limit: 600, unit: 'KiB' },
      {
        ...cpu!,
        note: `Rows 1–2: the baseline is the issue's minimal handler, which only constructs the DynamoDB and EventBridge clients, built with the plugin's esbuild options and the SDK as it ships (${(sizes.minimal / KIB).toFixed(0)} KiB; the issue measured it at 0.58 MB, before Tickwork had a credential provider of its own). Rows 2b, not judged: the same handler built exactly as Tickwork's bundles are, with Tickwork's own credential provider in place of the SDK's default chain (functions/lambdaCredentials.ts; ${(sizes.lean / KIB).toFixed(0)} KiB), against which the tick's ratio is what Tickwork's code, Powertools and the kernel cost beyond that saving.`,
      },
      {
        ...wall!,
        note: `Where the tick's import goes (row 2, not judged; the tick: ${median(of('tick', 'cpuMs')).toFixed(1)} ms of CPU): ${part('emptyKernel')} with the example kernel replaced by an empty one; ${part('noPowertools')} with Powertools' Logger and Metrics replaced by empty classes (bench/cases/powertoolsStubs.ts). The first tick computes the wall clocks of the kernel's zones other than UTC (${zones.join(', ') || 'none'}) from the offsets the plugin packaged, and starts no ICU; a runtime whose tz database is not the packaging machine's (process.versions.tz, here ${process.versions.tz ?? 'none'}) ignores them, and its first tick starts ICU's date formatting — with that started at import, ${part('withZones')}.`,
      },
      memory!,
      ...importRows('lean', "2b. tick import against the handler with Tickwork's credential provider,").map((row): BudgetRow => ({ ...row, judge: 'shown' })),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

