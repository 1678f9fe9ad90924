import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAFETY_MARGIN_SECONDS, TICK_TIMEOUT_SECONDS } from '../../../src/kernel/runBudget.js';
import { DEFAULT_SAFETY_MARGIN_MS } from '../../../src/runner/createTickHandler.js';

/**
 * The value at `path` (nested keys, two-space indents) of a YAML document, read as text: enough for
 * serverless.yml's plain keys without a YAML parser.
 */
function yamlScalar(text: string, path: readonly string[]): string | undefined {
  let depth = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent < depth * 2) return undefined; // left the block the path is in
    const match = new RegExp(`^ {${depth * 2}}${path[depth]}:\\s*(.*?)\\s*$`).exec(line);
    if (match === null) continue;
    if (depth === path.length - 1) return match[1];
    depth += 1;
  }
  return undefined;
}

describe('the tick budget the kernel checks against is the deployed one', () => {
  it("TICK_TIMEOUT_SECONDS is serverless.yml's functions.tick.timeout", () => {
    const yaml = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');
    expect(yamlScalar(yaml, ['functions', 'tick', 'timeout'])).toBe(String(TICK_TIMEOUT_SECONDS));
  });

  it("SAFETY_MARGIN_SECONDS is the handlers' default safety margin", () => {
    expect(SAFETY_MARGIN_SECONDS * 1000).toBe(DEFAULT_SAFETY_MARGIN_MS);
  });
});
