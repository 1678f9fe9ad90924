import { describe, expect, it } from 'vitest';
import { parsePort } from '../../../src/cli/commands/dashboard.js';

describe('tickwork dashboard --port', () => {
  it.each([['0', 0], ['8080', 8080], ['65535', 65_535]])('takes %j', (value, port) => {
    expect(parsePort(value)).toBe(port);
  });

  it.each(['65536', '-1', '80.5', 'http', ''])('refuses %j with one line naming the option', (value) => {
    expect(() => parsePort(value)).toThrow(`--port expects a port number 0–65535 (0: a free one), got ${JSON.stringify(value)}`);
  });
});
