import { describe, expect, it } from 'vitest';
import { offlineEnv, run, serverlessBin } from './cli.js';

/**
 * Commands that name one function, on this repository's service with the tests' app kernel and no AWS
 * credentials: Tickwork's functions exist for them (README "Deploying"), or they say what to run.
 */
describe('serverless commands that name a function', () => {
  // No credentials anywhere, so a command that gets as far as AWS stops there, deterministically.
  const env = offlineEnv({ AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent' });
  const serverless = (...args: string[]) => run(process.execPath, [serverlessBin, ...args, '--stage', 'pkgtest'], env);

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
});
