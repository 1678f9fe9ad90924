import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelLoadError } from '../../../src/errors.js';
import { loadKernel } from '../../../src/local/loadKernel.js';

describe('loadKernel', () => {
  it('names where a kernel\'s syntax error is, file:line:column, and leaves no compiled file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-kernel-syntax-'));
    const path = join(dir, 'kernel.ts');
    writeFileSync(path, ["import type { Schedule } from 'tickwork';", 'export default function (s: Schedule) {', "  s.call(() => {}).name('x').everyMinute(", '}', ''].join('\n'));
    const error = await loadKernel(path).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KernelLoadError);
    expect((error as Error).message).toMatch(new RegExp(`^Could not import the kernel ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*kernel\\.ts:4:1: Unexpected "}"$`));
    expect(readdirSync(dir)).toEqual(['kernel.ts']);
  });
});
