import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pickTask } from '../../../src/cli/commands/pickTask.js';
import { UsageError } from '../../../src/cli/usage.js';

/** The picker on plain streams: `answers` typed, everything it wrote returned beside its choice. */
async function pick(answers: string, end = true): Promise<{ chosen: Promise<string>; written: () => string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const chosen = pickTask(['greet', 'fails', 'remote'], input, output);
  input.write(answers);
  if (end) input.end();
  return { chosen, written: () => written };
}

describe('pickTask', () => {
  it('takes a number or a name, and asks again after anything else', async () => {
    const byNumber = await pick('0\nfoo\n3\n', false);
    await expect(byNumber.chosen).resolves.toBe('remote');
    expect(byNumber.written()).toBe(
      '  1. greet\n  2. fails\n  3. remote\nrun which task? [1-3] expected a number 1–3 or a task\'s name, got "0"\nrun which task? [1-3] expected a number 1–3 or a task\'s name, got "foo"\nrun which task? [1-3] ',
    );
    await expect((await pick(' fails \n', false)).chosen).resolves.toBe('fails');
  });

  it('is a usage error when the input ends with nothing chosen (Ctrl-D)', async () => {
    const { chosen } = await pick('nope\n');
    await expect(chosen).rejects.toThrow(new UsageError('no task chosen: tickwork test <task> runs one by name'));
  });
});
