import { describe, expect, it } from 'vitest';
import { runExec } from '../../../src/runner/runExec.js';

/**
 * A node child that writes `steps` in order, each `[stream, utf8 text, from byte, to byte]`, pausing
 * between writes so that each lands in its own pipe chunk.
 */
function writer(steps: readonly [stream: 'stdout' | 'stderr', text: string, from: number, to: number][]): string[] {
  const script = `
    const steps = ${JSON.stringify(steps)};
    const next = (i) => {
      if (i === steps.length) return;
      const [stream, text, from, to] = steps[i];
      process[stream].write(Buffer.from(text, 'utf8').subarray(from, to), () => setTimeout(() => next(i + 1), 60));
    };
    next(0);`;
  return [process.execPath, '-e', script];
}

async function capture(command: readonly string[]): Promise<string> {
  const written: string[] = [];
  await runExec(command, { signal: new AbortController().signal, write: (text) => written.push(text) });
  return written.join('');
}

describe('runExec decodes UTF-8 per stream, across chunks', () => {
  it.each([
    ["'€' written a byte at a time on stdout", writer([['stdout', '€', 0, 1], ['stdout', '€', 1, 2], ['stdout', '€', 2, 3]]), '€'],
    ["'€' split across writes on stderr", writer([['stderr', 'a€', 0, 2], ['stderr', 'a€', 2, 4]]), 'a€'],
    [
      "'€' on stdout and '£' on stderr, their bytes interleaved",
      writer([['stdout', '€', 0, 1], ['stderr', '£', 0, 1], ['stdout', '€', 1, 3], ['stderr', '£', 1, 2]]),
      '€£',
    ],
  ])('%s', async (_label, command, expected) => {
    const output = await capture(command);
    expect(output).toBe(expected);
    expect(output).not.toContain('\uFFFD');
  });
});
