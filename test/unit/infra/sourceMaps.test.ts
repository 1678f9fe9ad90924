import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_BUILD } from '../../../infra/plugin.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'tickwork-sourcemaps-'));
const bundle = join(dir, 'entry.mjs');
/** The line and column of `new Error` in thrower.ts below, 1-based. */
const THROW_AT = { line: 4, column: 9 };

/**
 * A function throwing at a known place, bundled as the plugin bundles Tickwork's functions (minified,
 * a map beside the bundle); the entry installs the lazy mapping, then prints the stack the Lambda
 * runtime would log. The map is put beside the bundle only after start-up, when `MAP_AFTER_START` is set.
 */
beforeAll(async () => {
  writeFileSync(join(dir, 'thrower.ts'), ['// A comment line, so the throw is not on line 1.', 'export function reportFailure(detail: string): never {', '  const message = `failed: ${detail}`;', '  throw new Error(message);', '}', ''].join('\n'));
  writeFileSync(
    join(dir, 'entry.ts'),
    [
      `import { renameSync } from 'node:fs';`,
      `import { mapStackTracesLazily } from ${JSON.stringify(join(ROOT, 'functions/sourceMaps.ts'))};`,
      `import { reportFailure } from './thrower.ts';`,
      'mapStackTracesLazily();',
      'if (process.env.MAP_AFTER_START) renameSync(process.env.MAP_AFTER_START, new URL(import.meta.url).pathname + ".map");',
      'try { reportFailure("disk full"); } catch (error) { console.log((error as Error).stack); }',
      '',
    ].join('\n'),
  );
  await build({ ...FUNCTION_BUILD, entryPoints: [join(dir, 'entry.ts')], outdir: dir, absWorkingDir: ROOT });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stackOfRun(env: Record<string, string> = {}): string {
  const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('mapStackTracesLazily: stack traces through the source map, read at the first trace (docs/design.md "Performance")', () => {
  it('a frame of the minified bundle names the original file, line, column and function', () => {
    const stack = stackOfRun();
    expect(stack.split('\n')[0]).toBe('Error: failed: disk full');
    expect(stack).toContain(`reportFailure (${join(dir, 'thrower.ts')}:${THROW_AT.line}:${THROW_AT.column})`);
    expect(stack).not.toContain('entry.mjs:');
  });

  it('the map is read when a trace is formatted, not at start-up: one put beside the bundle after start-up is used', () => {
    const aside = join(dir, 'aside.map');
    renameSync(`${bundle}.map`, aside);
    try {
      expect(stackOfRun({ MAP_AFTER_START: aside })).toContain(`${join(dir, 'thrower.ts')}:${THROW_AT.line}:${THROW_AT.column}`);
    } finally {
      // The entry moved it back; if it did not, put it back for the other tests.
      try {
        renameSync(aside, `${bundle}.map`);
      } catch {}
    }
  });

  it('with no map beside the bundle, frames stay as V8 prints them', () => {
    const map = readFileSync(`${bundle}.map`);
    rmSync(`${bundle}.map`);
    try {
      const stack = stackOfRun();
      expect(stack.split('\n')[0]).toBe('Error: failed: disk full');
      expect(stack).toMatch(/entry\.mjs:\d+:\d+/);
      expect(stack).not.toContain('thrower.ts');
    } finally {
      writeFileSync(`${bundle}.map`, map);
    }
  });

  it('leaves stack traces to Node when it maps them itself (--enable-source-maps)', () => {
    const stack = stackOfRun({ NODE_OPTIONS: '--enable-source-maps' });
    // Node's own format: the original position, printed by Node, with the bundled position in the map's relative path.
    expect(stack).toContain(`thrower.ts:${THROW_AT.line}:${THROW_AT.column}`);
  });
});
