import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../../src/cli/program.js';
import { Project } from '../../../src/cli/project.js';

// A project whose serverless.yml sets the stage and region, so those options carry a known default.
const root = mkdtempSync(join(tmpdir(), 'tickwork-help-'));
writeFileSync(join(root, 'serverless.yml'), 'service: helped\nprovider:\n  name: aws\n  stage: qa\n  region: eu-west-3\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const program = createProgram(new Project(root), false);

describe('option help', () => {
  it.each(program.commands.map((command) => [command.name(), command] as const))('states each default of %s once', (_name, command) => {
    const help = command.createHelp();
    for (const option of command.options) {
      const text = help.optionDescription(option);
      expect(text.match(/default:/g)?.length ?? 0, `${option.flags}: ${text}`).toBeLessThanOrEqual(1);
    }
  });

  it("shows the stage and region from serverless.yml as their defaults, with where they come from", () => {
    const pause = program.commands.find((command) => command.name() === 'pause')!;
    const describe = (flag: string) => pause.createHelp().optionDescription(pause.options.find((option) => option.long === flag)!);
    expect(describe('--stage')).toBe('the stage to act on (default: "qa": provider.stage in serverless.yml, else "dev", env: TICKWORK_STAGE)');
    expect(describe('--region')).toBe('the table\'s AWS region (default: "eu-west-3": provider.region in serverless.yml)');
  });
});
