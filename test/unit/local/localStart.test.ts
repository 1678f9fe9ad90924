import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLocalStart, forgetLocalStart, recordLocalStart } from '../../../src/local/localStart.js';

const root = () => mkdtempSync(join(tmpdir(), 'tw-local-start-'));
const start = { stage: 'dev', endpoint: 'http://127.0.0.1:8123', table: 'app-dev-tickwork', pid: process.pid };

describe('the running tickwork start of a stage', () => {
  it('is found for its stage only, while its process lives, and forgotten by it', () => {
    const dir = root();
    expect(findLocalStart(dir, 'dev')).toBeUndefined();
    recordLocalStart(dir, start);
    expect(findLocalStart(dir, 'dev')).toEqual(start);
    expect(findLocalStart(dir, 'prod')).toBeUndefined();
    forgetLocalStart(dir, 'dev', process.pid + 1); // not the writer: left alone
    expect(findLocalStart(dir, 'dev')).toEqual(start);
    forgetLocalStart(dir, 'dev');
    expect(findLocalStart(dir, 'dev')).toBeUndefined();
    expect(existsSync(join(dir, '.tickwork', 'start-dev.json'))).toBe(false);
  });

  it('ignores a file left by a start that was killed, and one that does not parse', () => {
    const dir = root();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    recordLocalStart(dir, { ...start, pid: Number(gone) });
    expect(findLocalStart(dir, 'dev')).toBeUndefined();
    writeFileSync(join(dir, '.tickwork', 'start-dev.json'), '{ not json');
    expect(findLocalStart(dir, 'dev')).toBeUndefined();
  });
});
