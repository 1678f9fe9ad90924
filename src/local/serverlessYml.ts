import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Short-form CloudFormation tags (`!Ref`, `!GetAtt`, …) a serverless.yml may hold: read as plain values, never used. */
const CLOUDFORMATION_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Equals', 'Not', 'And', 'Or', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Condition'].flatMap(
  (name) => [
    { tag: `!${name}`, resolve: (value: string) => value },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (value: unknown) => value },
    { tag: `!${name}`, collection: 'map' as const, resolve: (value: unknown) => value },
  ],
);

/**
 * `<root>/serverless.yml` (or `.yaml`) as plain data, or undefined when the project has none. Serverless variables
 * (`${…}`) are left as written: callers use only values they can read without the Framework.
 * Throws the YAML parser's error for a file that is not YAML.
 */
export function readServerlessYml(root: string): Record<string, unknown> | undefined {
  const file = ['serverless.yml', 'serverless.yaml'].map((name) => join(root, name)).find((path) => existsSync(path));
  if (file === undefined) return undefined;
  return (parse(readFileSync(file, 'utf8'), { customTags: (tags) => [...tags, ...CLOUDFORMATION_TAGS], logLevel: 'silent' }) ?? {}) as Record<string, unknown>;
}
