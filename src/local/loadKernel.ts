import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KernelLoadError, TickworkError } from '../errors.js';
import { buildSchedule, type Kernel } from '../kernel/buildSchedule.js';
import type { Schedule } from '../kernel/Schedule.js';
import { readServerlessYml } from './serverlessYml.js';

/** The app's kernel, relative to the project root, unless `custom.tickwork.kernel` or `--kernel` names another. */
export const DEFAULT_KERNEL_PATH = 'src/kernel.ts';

/**
 * The kernel's path: `TICKWORK_KERNEL` (tests use it), else `configured`, else `custom.tickwork.kernel`
 * in the project's serverless.yml, else `src/kernel.ts`.
 */
export function kernelPath(root: string, configured?: string): string {
  return resolve(root, process.env.TICKWORK_KERNEL ?? configured ?? configuredKernel(root) ?? DEFAULT_KERNEL_PATH);
}

/** `custom.tickwork.kernel` from `<root>/serverless.yml`, when it is a plain path. */
function configuredKernel(root: string): string | undefined {
  const config = readServerlessYml(root) as { custom?: { tickwork?: { kernel?: unknown } } } | undefined;
  const kernel = config?.custom?.tickwork?.kernel;
  return typeof kernel === 'string' && !kernel.includes('${') ? kernel : undefined;
}

const TYPESCRIPT = /\.(c|m)?tsx?$/;

/**
 * Imports a kernel module and builds its schedule. A TypeScript kernel is first compiled with esbuild —
 * the bundler the plugin deploys it with — into a module beside it that keeps its package imports
 * external, so the kernel and Tickwork share one copy of the package (one command registry). Validation
 * errors (`InvalidTaskError`, `InvalidCronExpressionError`) pass through unchanged; anything else is
 * wrapped with the path.
 */
export async function loadKernel(path: string): Promise<Schedule> {
  if (!existsSync(path)) throw new KernelLoadError(`Kernel not found at ${path}`);
  const compiled = TYPESCRIPT.test(path) ? join(dirname(path), `.${basename(path)}.${process.pid}.tickwork.mjs`) : undefined;
  let module: { default?: unknown };
  try {
    if (compiled !== undefined) {
      await build({ entryPoints: [path], outfile: compiled, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
    }
    module = (await import(pathToFileURL(compiled ?? path).href)) as { default?: unknown };
  } catch (cause) {
    if (cause instanceof TickworkError) throw cause;
    // esbuild's syntax errors carry where they are: file:line:column, as an editor takes them.
    const detail = (cause as { errors?: EsbuildMessage[] }).errors?.map(located).join('; ') ?? (cause as Error).message;
    throw new KernelLoadError(`Could not import the kernel ${path}: ${detail}`, { cause });
  } finally {
    if (compiled !== undefined) rmSync(compiled, { force: true });
  }
  return buildSchedule(module.default as Kernel);
}

interface EsbuildMessage {
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number } | null;
}

function located({ text, location }: EsbuildMessage): string {
  return location ? `${location.file}:${location.line}:${location.column + 1}: ${text}` : text;
}
