// `tickwork test` with no task name, at a terminal: a numbered list to pick from. node:readline is
// enough for one question, so no prompt library is added for it.
import { createInterface } from 'node:readline';
import { UsageError } from '../usage.js';

/**
 * Lists `names` numbered and asks for one, by number or by name, until the answer is one of them. The
 * list and the question go to stderr, so `--json` still prints only JSON on stdout. Ctrl-C or Ctrl-D
 * at the question chooses nothing: a usage error, as a missing name is without a terminal.
 *
 * @example
 *   1. greet
 *   2. fails
 * run which task? [1-2] 1
 */
export function pickTask(names: readonly string[], input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  const width = String(names.length).length;
  output.write(`${names.map((name, index) => `  ${String(index + 1).padStart(width)}. ${name}`).join('\n')}\n`);
  const prompt = `run which task? [1-${names.length}] `;
  const rl = createInterface({ input, output, terminal: (input as { isTTY?: boolean }).isTTY === true });
  return new Promise<string>((resolve, reject) => {
    let chosen: string | undefined;
    rl.on('line', (line) => {
      const answer = line.trim();
      const index = /^\d+$/.test(answer) ? Number(answer) - 1 : names.indexOf(answer);
      chosen = names[index];
      if (chosen !== undefined) {
        rl.close();
        return;
      }
      output.write(`expected a number 1–${names.length} or a task's name, got ${JSON.stringify(answer)}\n`);
      rl.prompt();
    });
    // Without a listener, Ctrl-C would only pause the question and leave the process waiting.
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => (chosen === undefined ? reject(new UsageError('no task chosen: tickwork test <task> runs one by name')) : resolve(chosen)));
    rl.setPrompt(prompt);
    rl.prompt();
  });
}
