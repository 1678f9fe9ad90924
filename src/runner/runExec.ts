import { spawn } from 'node:child_process';
import { CommandFailedError } from '../errors.js';

/** Time a command gets to exit after SIGTERM before it is killed. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs an `exec()` task's command. A string runs through `/bin/sh -c`; an argv array runs the program
 * directly, so its arguments are never re-parsed by a shell. stdout and stderr go to `write` as they
 * arrive. When `signal` aborts, the whole process group gets SIGTERM (a shell's children too), then
 * SIGKILL. Resolves on exit code 0; anything else rejects with `CommandFailedError`.
 */
export function runExec(
  command: string | readonly string[],
  options: { readonly signal: AbortSignal; readonly write: (text: string) => void; readonly cwd?: string },
): Promise<void> {
  const label = typeof command === 'string' ? command : command.join(' ');
  return new Promise((resolve, reject) => {
    const [file, args, shell] = typeof command === 'string' ? [command, [], true] : [command[0] ?? '', command.slice(1), false];
    const child = spawn(file, args, { shell, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    const capture = (text: string) => {
      options.write(text);
      const lines = text.trim().split('\n');
      lastLine = lines[lines.length - 1] ?? lastLine;
    };
    // A pipe splits output wherever it likes, '€' included: each stream decodes through its own
    // StringDecoder (setEncoding), which holds a character's first bytes until the rest arrive.
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', capture);
    }

    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });

    child.once('error', (error) => {
      options.signal.removeEventListener('abort', stop);
      reject(new CommandFailedError(`Command "${label}" could not start: ${error.message}`, null, { cause: error }));
    });
    child.once('close', (code, signal) => {
      options.signal.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      if (code === 0) return resolve();
      const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new CommandFailedError(`Command "${label}" ${how}${lastLine === '' ? '' : `: ${lastLine.trim()}`}`, code));
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
