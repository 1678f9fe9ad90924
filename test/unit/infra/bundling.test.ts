import { describe, expect, it } from 'vitest';
import { bundledByServerlessEsbuild, type BundlingService } from '../../../infra/bundling.js';

const withEsbuild = (functions: BundlingService['functions'], extra: Partial<BundlingService> = {}): BundlingService => ({
  plugins: ['tickwork/serverless', 'serverless-esbuild'],
  provider: { runtime: 'nodejs22.x' },
  functions,
  ...extra,
});
const api = { handler: 'src/api.handler' };

describe("who bundles Tickwork's functions", () => {
  it('is the plugin when the service has no serverless-esbuild, packaged or served', () => {
    for (const packaging of [true, false]) {
      expect(bundledByServerlessEsbuild({ plugins: ['tickwork/serverless', 'serverless-offline'], provider: {}, functions: { api } }, packaging)).toBe(false);
      expect(bundledByServerlessEsbuild({ plugins: { modules: ['tickwork/serverless'] }, provider: {} }, packaging)).toBe(false);
    }
  });

  it('is the plugin when packaging a service whose own Node functions serverless-esbuild bundles', () => {
    expect(bundledByServerlessEsbuild(withEsbuild({ api }), true)).toBe(false);
    expect(bundledByServerlessEsbuild({ ...withEsbuild({ api }), plugins: { modules: ['serverless-esbuild'] } }, true)).toBe(false);
    // No runtime anywhere: the Framework's default is Node.
    expect(bundledByServerlessEsbuild(withEsbuild({ api }, { provider: {} }), true)).toBe(false);
  });

  it("is the plugin when packaging with serverless-esbuild's skipBuild, which bundles nothing", () => {
    expect(bundledByServerlessEsbuild(withEsbuild({ api }, { custom: { esbuild: { skipBuild: true } } }), true)).toBe(false);
    // By then serverless-esbuild has marked the service's own functions skipEsbuild; a variable gives a string.
    expect(bundledByServerlessEsbuild(withEsbuild({ api: { ...api, skipEsbuild: true } }, { custom: { esbuild: { skipBuild: 'true' } } }), true)).toBe(false);
    expect(bundledByServerlessEsbuild(withEsbuild({}, { custom: { esbuild: { skipBuild: true } } }), true)).toBe(false);
  });

  it('is serverless-esbuild under serverless-offline, which serves its build directory', () => {
    expect(bundledByServerlessEsbuild(withEsbuild({ api }), false)).toBe(true);
  });

  it('is serverless-esbuild when none of the service\'s functions is left for it to bundle', () => {
    expect(bundledByServerlessEsbuild(withEsbuild({}), true)).toBe(true);
    expect(bundledByServerlessEsbuild(withEsbuild(undefined), true)).toBe(true);
    expect(bundledByServerlessEsbuild(withEsbuild({ api: { ...api, skipEsbuild: true } }), true)).toBe(true);
    expect(bundledByServerlessEsbuild(withEsbuild({ worker: { handler: 'worker.handler', runtime: 'python3.12' } }), true)).toBe(true);
    expect(bundledByServerlessEsbuild(withEsbuild({ api }, { provider: { runtime: 'python3.12' } }), true)).toBe(true);
    expect(bundledByServerlessEsbuild(withEsbuild({ image: { image: 'repo@sha256:abc' } }), true)).toBe(true);
  });
});
