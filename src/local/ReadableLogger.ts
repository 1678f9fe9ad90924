import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { SERVICE_NAME } from '../log/createLogger.js';
import { renderLogLine } from './renderLogLine.js';

/**
 * A Powertools `Logger` for a person at a terminal: each line a task logs through `context.logger`
 * (and each line the runner logs about it: a failed hook, an abort ignored) is written as the one
 * readable line `tickwork start` shows for it (`renderLogLine`), to `write` — stderr for
 * `tickwork test`, so its stdout holds only the outcome, and with `--json` only JSON. The task gets
 * the same Logger API it has in Lambda; only where the line goes and how it reads differ.
 *
 * @example
 * const logger = new ReadableLogger((line) => process.stderr.write(line));
 * logger.createChild({ persistentKeys: { task: 'invoices:export', slot } }).info('exported', { count: 3 });
 * // 10:05:00  · invoices:export    exported {"count":3}
 */
export class ReadableLogger extends Logger {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void, options: ConstructorOptions = {}) {
    super({ serviceName: SERVICE_NAME, ...options });
    this.#write = write;
  }

  /** Children (`createChild`, as the runner makes one per run) write where their parent does. */
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new ReadableLogger(this.#write, options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    this.#write(`${renderLogLine(line) ?? line}\n`);
  }
}
