import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KernelLoadError, TickworkError } from '../errors.js';
import { buildSchedule, type Kernel } from '../kernel/buildSchedule.js';
import type { Schedule } from '../kernel/Schedule.js';

/** The app's kernel, relative to the project root. `TICKWORK_KERNEL` overrides it (tests use this). */
export const DEFAULT_KERNEL_PATH = 'src/kernel.ts';

export function kernelPath(root: string): string {
  return resolve(root, process.env.TICKWORK_KERNEL ?? DEFAULT_KERNEL_PATH);
}

/**
 * Imports a kernel module and builds its schedule. Validation errors (`InvalidTaskError`,
 * `InvalidCronExpressionError`) pass through unchanged; anything else is wrapped with the path.
 * TypeScript kernels need a loader that understands TS (tsx, vitest).
 */
export async function loadKernel(path: string): Promise<Schedule> {
  if (!existsSync(path)) throw new KernelLoadError(`Kernel not found at ${path}`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (cause) {
    if (cause instanceof TickworkError) throw cause;
    throw new KernelLoadError(`Could not import the kernel ${path}: ${(cause as Error).message}`, { cause });
  }
  return buildSchedule(module.default as Kernel);
}
