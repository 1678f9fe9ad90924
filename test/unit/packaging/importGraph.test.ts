import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What each entry point loads, read from esbuild's import graph of the source (every package import
 * left external, so each shows up as a path): the kernel API and the testing helpers must never load
 * an AWS SDK client — a kernel, or a kernel's test, pays only for what it uses.
 */
async function packagesLoadedBy(entry: string): Promise<string[]> {
  const { metafile } = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  const imported = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  return [...new Set(imported)].sort();
}

describe('the import graph of the entry points', () => {
  it.each([
    ['tickwork', 'src/index.ts'],
    ['tickwork/testing', 'src/entry/testing.ts'],
  ])('%s loads no AWS SDK client', async (_name, entry) => {
    const loaded = await packagesLoadedBy(entry);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((path) => path.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it('tickwork/dynamodb loads the DynamoDB client and no other', async () => {
    const loaded = await packagesLoadedBy('src/entry/dynamodb.ts');
    expect(loaded.filter((path) => path.startsWith('@aws-sdk/client-'))).toEqual(['@aws-sdk/client-dynamodb']);
  });
});
