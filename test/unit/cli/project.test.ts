import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Project } from '../../../src/cli/project.js';

function projectWith(serverlessYml: string | undefined): Project {
  const root = mkdtempSync(join(tmpdir(), 'tickwork-project-'));
  if (serverlessYml !== undefined) writeFileSync(join(root, 'serverless.yml'), serverlessYml);
  return new Project(root);
}

describe('the stage and region a command acts on by default', () => {
  it.each([
    ['a plain provider.stage and region', 'service: shop\nprovider:\n  stage: prod\n  region: eu-west-1\n', 'prod', 'eu-west-1'],
    ["the defaults of ${opt:stage, 'staging'}", "service: shop\nprovider:\n  stage: ${opt:stage, 'staging'}\n  region: ${opt:region, \"eu-central-1\"}\n", 'staging', 'eu-central-1'],
    ['a variable with no default', 'service: shop\nprovider:\n  stage: ${env:STAGE}\n', 'dev', undefined],
    ['no provider settings', 'service: shop\n', 'dev', undefined],
    ['a serverless.yml that is not YAML', 'service: [unclosed\n', 'dev', undefined],
  ])('%s', (_label, yml, stage, region) => {
    const project = projectWith(yml);
    expect(project.defaultStage()).toBe(stage);
    expect(project.defaultRegion()).toBe(region);
  });

  it('is dev, and the SDK\'s region, without a serverless.yml', () => {
    expect(projectWith(undefined).defaultStage()).toBe('dev');
    expect(projectWith(undefined).defaultRegion()).toBeUndefined();
  });
});
