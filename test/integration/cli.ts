import { execFile, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const serverlessBin = createRequire(import.meta.url).resolve('osls/bin/serverless.js');

/** The kernel the integration tests' app runs (`test/fixtures/app/`). */
export const APP_KERNEL = 'test/fixtures/app/kernel.ts';

/** The environment of a machine with no AWS credentials and no network, as CI has. */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') || key === 'AWS_CA_BUNDLE'));
  // The tests' own app kernel, never the example one a user edits; a test may name another.
  return { ...env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', TICKWORK_KERNEL: APP_KERNEL, ...extra };
}

export interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to completion, collecting stdout and stderr together. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, cwd = root): Promise<Finished> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** A run of the built `tickwork` binary, with stdout and stderr apart: `--json` must leave stdout pure. */
export interface TickworkRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built binary (dist/: a kernel it loads imports `tickwork` from there, as in a user's
 * project) to completion.
 */
export function runTickwork(args: readonly string[], env: NodeJS.ProcessEnv, { cwd = root, timeoutMs = 30_000 }: { cwd?: string; timeoutMs?: number } = {}): Promise<TickworkRun> {
  return new Promise((done) => {
    execFile(process.execPath, [resolve(root, 'dist/src/cli/main.js'), ...args], { cwd, env, timeout: timeoutMs }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The names in a zip archive (a packaged function), sorted. */
export function zipEntries(zip: string): string[] {
  return readZip(zip, 'print("\\n".join(archive.namelist()))').split('\n').filter((line) => line !== '').sort();
}

/** One file of a zip archive, as text. */
export function zipText(zip: string, name: string): string {
  return readZip(zip, `sys.stdout.write(archive.read(${JSON.stringify(name)}).decode("utf-8"))`);
}

function readZip(zip: string, script: string): string {
  const read = spawnSync('python3', ['-c', `import sys, zipfile; archive = zipfile.ZipFile(sys.argv[1]); ${script}`, zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (read.status !== 0) throw new Error(`could not read ${zip}: ${read.stderr}`);
  return read.stdout;
}
