import { InvalidTaskError } from '../errors.js';
import type { CommandHandler } from './types.js';

/**
 * Named console commands, like artisan's: the app registers them, `schedule.command(name, args)`
 * schedules them. A schedule checks every command it names is registered when it is built.
 */
export class CommandRegistry {
  readonly #handlers = new Map<string, CommandHandler>();

  /** Registers `handler` under `name`; registering a different handler under a taken name throws. */
  register(name: string, handler: CommandHandler): void {
    if (typeof name !== 'string' || !/^\S+$/.test(name)) {
      throw new InvalidTaskError(undefined, `registerCommand() expects a command name without spaces, got ${JSON.stringify(name)}`);
    }
    if (typeof handler !== 'function') {
      throw new InvalidTaskError(undefined, `registerCommand("${name}") expects a handler function`);
    }
    const existing = this.#handlers.get(name);
    if (existing !== undefined && existing !== handler) {
      throw new InvalidTaskError(undefined, `registerCommand("${name}"): a different handler is already registered under that name`);
    }
    this.#handlers.set(name, handler);
  }

  get(name: string): CommandHandler | undefined {
    return this.#handlers.get(name);
  }

  names(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}

/** The registry `registerCommand()` fills and schedules use unless given another. */
export const commands = new CommandRegistry();

/**
 * Registers a console command for `schedule.command()`.
 *
 * @example
 * registerCommand('cache:clear', async (args, { logger }) => { await cache.clear(); logger.info('cleared'); });
 */
export function registerCommand(name: string, handler: CommandHandler): void {
  commands.register(name, handler);
}
