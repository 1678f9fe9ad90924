import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initProject } from '../../../src/cli/init.js';
import { buildSchedule } from '../../../src/kernel/buildSchedule.js';

const project = () => mkdtempSync(join(tmpdir(), 'tickwork-init-'));

describe('tickwork init', () => {
  it('creates a kernel and a minimal serverless.yml in a project that has none, then changes nothing', async () => {
    const root = project();
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: '@acme/billing-jobs' }));
    const { changes } = initProject(root);
    expect(changes).toEqual([expect.stringMatching(/^created src\/kernel\.ts/), expect.stringMatching(/^created serverless\.yml/), 'created .gitignore (.tickwork/)']);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.tickwork\/$/m);
    const config = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'));
    expect(config).toMatchObject({ service: 'billing-jobs', provider: { name: 'aws', runtime: 'nodejs22.x' }, plugins: ['tickwork/serverless'], custom: { tickwork: { kernel: 'src/kernel.ts' } } });
    const kernel = (await import(join(root, 'src/kernel.ts'))).default;
    expect(buildSchedule(kernel).tasks().map((t) => t.name)).toEqual(['heartbeat']);
    expect(initProject(root).changes).toEqual([]);
  });

  it('adds the plugin first and the custom block to an existing serverless.yml, keeping its comments and functions', () => {
    const root = project();
    const before = ['service: shop # the storefront', 'plugins:', '  - serverless-esbuild', '  - serverless-offline', 'custom:', '  esbuild:', '    bundle: true', 'functions:', '  api:', '    handler: src/api.handler', ''].join('\n');
    writeFileSync(join(root, 'serverless.yml'), before);
    writeFileSync(join(root, '.gitignore'), 'node_modules/\n.serverless');
    const { changes } = initProject(root, { kernel: 'src/schedule/kernel.ts' });
    expect(changes).toEqual([
      'created src/schedule/kernel.ts (an example kernel with one task)',
      'serverless.yml: added tickwork/serverless first in plugins',
      'serverless.yml: added custom.tickwork (kernel: src/schedule/kernel.ts)',
      '.gitignore: added .tickwork/',
    ]);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^node_modules\/\n\.serverless\n# Tickwork: .*\n\.tickwork\/\n$/);
    const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
    expect(text).toContain('# the storefront');
    expect(parse(text)).toEqual({
      service: 'shop',
      plugins: ['tickwork/serverless', 'serverless-esbuild', 'serverless-offline'],
      custom: { esbuild: { bundle: true }, tickwork: { kernel: 'src/schedule/kernel.ts' } },
      functions: { api: { handler: 'src/api.handler' } },
    });
    expect(initProject(root, { kernel: 'src/schedule/kernel.ts' }).changes).toEqual([]);
  });

  it("widens a frameworkVersion of '3', which osls 4 refuses, to '>=3'; leaves any other alone", () => {
    const root = project();
    writeFileSync(join(root, 'serverless.yml'), "service: shop\nframeworkVersion: '3'\nplugins:\n  - serverless-offline\n");
    expect(initProject(root).changes).toContain("serverless.yml: frameworkVersion '3' is now '>=3' (osls 4 refuses '3')");
    expect(parse(readFileSync(join(root, 'serverless.yml'), 'utf8'))).toMatchObject({ frameworkVersion: '>=3' });
    const other = project();
    writeFileSync(join(other, 'serverless.yml'), "service: shop\nframeworkVersion: '^3.38.0'\n");
    initProject(other);
    expect(parse(readFileSync(join(other, 'serverless.yml'), 'utf8'))).toMatchObject({ frameworkVersion: '^3.38.0' });
  });

  it('refuses a serverless.yml that is not YAML, writing nothing', () => {
    const root = project();
    writeFileSync(join(root, 'serverless.yml'), 'service: [unclosed\n');
    expect(() => initProject(root)).toThrow(/serverless.yml is not valid YAML/);
    expect(readFileSync(join(root, 'serverless.yml'), 'utf8')).toBe('service: [unclosed\n');
    expect(existsSync(join(root, 'src/kernel.ts'))).toBe(false);
  });

  it('edits a serverless.yaml in place, and leaves a serverless.ts to the user', () => {
    const yaml = project();
    writeFileSync(join(yaml, 'serverless.yaml'), 'service: shop\n');
    expect(initProject(yaml).changes).toContain('serverless.yaml: added plugins: [tickwork/serverless]');
    expect(existsSync(join(yaml, 'serverless.yml'))).toBe(false);
    const code = project();
    writeFileSync(join(code, 'serverless.ts'), 'export default {};\n');
    expect(() => initProject(code)).toThrow(/serverless\.ts is not YAML, so tickwork init leaves it to you/);
    expect(existsSync(join(code, 'src/kernel.ts'))).toBe(false);
  });
});
