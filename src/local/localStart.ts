import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a running `tickwork start` says which DynamoDB Local holds its stage's table, so every other
 * command for that stage finds it without the endpoint being copied out of its log: one small file per
 * stage under the project's `.tickwork/` (git-ignored), written once the table is ready and removed when
 * `start` stops. A file left behind by a `start` that was killed names a process that is gone, and is
 * ignored.
 */
export interface LocalStart {
  readonly stage: string;
  readonly endpoint: string;
  readonly table: string;
  readonly pid: number;
}

function fileOf(root: string, stage: string): string {
  return join(root, '.tickwork', `start-${stage.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function recordLocalStart(root: string, start: LocalStart): void {
  mkdirSync(join(root, '.tickwork'), { recursive: true });
  writeFileSync(fileOf(root, start.stage), `${JSON.stringify(start)}\n`);
}

/** Removes the stage's file if it is this process's own (another `start` may have replaced it). */
export function forgetLocalStart(root: string, stage: string, pid: number = process.pid): void {
  if (findLocalStart(root, stage)?.pid === pid) rmSync(fileOf(root, stage), { force: true });
}

/** The running `tickwork start` of this stage, if there is one. */
export function findLocalStart(root: string, stage: string): LocalStart | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(fileOf(root, stage), 'utf8'));
  } catch {
    return undefined; // none, or unreadable: as if none
  }
  const start = parsed as Partial<LocalStart>;
  if (typeof start.endpoint !== 'string' || typeof start.pid !== 'number' || start.stage !== stage || typeof start.table !== 'string') return undefined;
  return isAlive(start.pid) ? (start as LocalStart) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but is another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
