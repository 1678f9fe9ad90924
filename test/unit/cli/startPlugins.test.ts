import { describe, expect, it } from 'vitest';
import { checkOfflinePlugins } from '../../../src/cli/commands/start.js';

describe('tickwork start: the plugins serverless-offline needs (checkOfflinePlugins)', () => {
  it('takes them listed by name or by path', () => {
    expect(() => checkOfflinePlugins(['tickwork/serverless', 'serverless-offline-aws-eventbridge', 'serverless-offline'], true)).not.toThrow();
    expect(() => checkOfflinePlugins(['tickwork/serverless', './node_modules/serverless-offline-aws-eventbridge', './node_modules/serverless-offline'], true)).not.toThrow();
  });

  it('asks for the local EventBridge only when fan-out goes through EventBridge', () => {
    expect(() => checkOfflinePlugins(['tickwork/serverless', 'serverless-offline'], false)).not.toThrow();
    expect(() => checkOfflinePlugins(['tickwork/serverless', 'serverless-offline'], true)).toThrow('add serverless-offline-aws-eventbridge to the plugins in serverless.yml');
  });

  it('names every missing one, in the order to list them; a list it cannot read is left to the Framework', () => {
    expect(() => checkOfflinePlugins(['tickwork/serverless'], true)).toThrow('add serverless-offline-aws-eventbridge and then serverless-offline to the plugins');
    expect(() => checkOfflinePlugins(undefined, true)).not.toThrow();
  });
});
