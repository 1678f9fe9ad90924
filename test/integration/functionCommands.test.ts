import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offlineEnv, root, run, serverlessBin } from './cli.js';

/**
 * Commands that name one function, on this repository's service with the tests' app kernel and no AWS
 * credentials: Tickwork's functions exist for them (README "Deploying"), or they say what to run.
 */
describe('serverless commands that name a function', () => {
  // No credentials anywhere, so a command that gets as far as AWS stops there, deterministically.
  const env = offlineEnv({ AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent' });
  const serverless = (...args: string[]) => run(process.execPath, [serverlessBin, ...args, '--stage', 'pkgtest'], env);
  // The kernel test/fixtures/bad-kernel.ts fails to load (an hour of 25).
  const badKernelEnv = { ...env, TICKWORK_KERNEL: resolve(root, 'test/fixtures/bad-kernel.ts') };

  it('deploy function refuses the tick, saying to deploy the service, before anything is packaged or sent', async () => {
    const result = await serverless('deploy', 'function', '-f', 'tick');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Tickwork: "tick" is a function Tickwork generates from the kernel, which `serverless deploy function` cannot take: deploy it with `serverless deploy`');
  });

  it('invoke local refuses the tick, pointing at tickwork run and tickwork test', async () => {
    const result = await serverless('invoke', 'local', '-f', 'tick');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('`serverless invoke local` cannot take: run one tick here with `npx tickwork run`, or one task with `npx tickwork test <task>`');
  });

  it('rollback function refuses the tick, saying to roll the whole service back', async () => {
    const result = await serverless('rollback', 'function', '-f', 'tick', '--function-version', '3');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Tickwork: "tick" is a function Tickwork generates from the kernel, which `serverless rollback function` cannot take: roll the whole service back with `serverless rollback --timestamp <timestamp>`');
    expect(result.output).not.toContain('AWS provider credentials not found');
  });

  it('deploy list functions reads the kernel first (and stops at the missing credentials), so Tickwork\'s functions are listed', async () => {
    const result = await serverless('deploy', 'list', 'functions');
    expect(result.output).toContain('Tickwork: kernel OK');
    expect(result.output).toContain('AWS provider credentials not found');
    expect(result.code).not.toBe(0);
  });

  it('logs finds the tick (and stops at the missing credentials), where it answered that the function did not exist', async () => {
    const result = await serverless('logs', '-f', 'tick');
    expect(result.output).toContain('Tickwork: kernel OK');
    expect(result.output).not.toContain("doesn't exist in this Service");
    expect(result.output).toContain('AWS provider credentials not found');
    expect(result.code).not.toBe(0);
  });

  it('leaves a name that is no function at all to the Framework', async () => {
    const result = await serverless('deploy', 'function', '-f', 'taskNoSuchTask');
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Function "taskNoSuchTask" doesn\'t exist in this Service');
    expect(result.output).not.toContain('Tickwork generates');
  });

  it('info of the whole service goes on without Tickwork\'s functions when the kernel fails to load, saying why', async () => {
    const result = await run(process.execPath, [serverlessBin, 'info', '--stage', 'pkgtest'], badKernelEnv);
    expect(result.output).toContain("Tickwork kernel test/fixtures/bad-kernel.ts: ");
    expect(result.output).toContain("so `serverless info` goes on without Tickwork's functions");
    expect(result.output).toContain('AWS provider credentials not found');
    expect(result.code).not.toBe(0);
  });

  it('a function of the service\'s own is left to the Framework without reading the kernel', async () => {
    const service = resolve(root, 'test/fixtures/esbuild-service');
    const result = await run(process.execPath, [serverlessBin, 'invoke', '-f', 'hello', '--stage', 'pkgtest'], badKernelEnv, undefined, service);
    expect(result.output).not.toContain('Tickwork');
    expect(result.output).toContain('AWS provider credentials not found');
    expect(result.code).not.toBe(0);
  });

  it('deploy function refuses the tick without reading the kernel, so a kernel that fails to load does not hide why', async () => {
    const result = await run(process.execPath, [serverlessBin, 'deploy', 'function', '-f', 'tick', '--stage', 'pkgtest'], badKernelEnv);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Tickwork: "tick" is a function Tickwork generates from the kernel');
    expect(result.output).not.toContain('bad-kernel.ts');
  });

  it('logs reads the kernel but writes and bundles nothing (a running npm start keeps its bundles)', async () => {
    const service = resolve(root, 'test/fixtures/esbuild-service');
    const made = join(service, '.tickwork');
    rmSync(made, { recursive: true, force: true });
    try {
      const result = await run(process.execPath, [serverlessBin, 'logs', '-f', 'tick', '--stage', 'pkgtest'], { ...env, TICKWORK_KERNEL: resolve(root, 'test/fixtures/app/kernel.ts') }, undefined, service);
      expect(result.output).toContain('Tickwork: kernel OK');
      expect(result.output).toContain('AWS provider credentials not found');
      expect(existsSync(made)).toBe(false);
    } finally {
      rmSync(made, { recursive: true, force: true });
    }
  });
});
