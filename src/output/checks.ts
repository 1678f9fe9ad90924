import { TickworkError } from '../errors.js';

/**
 * Rejects option keys the owner does not know, so a misspelt `outboxdir` fails at construction
 * instead of silently falling back to nothing.
 */
export function assertKnownKeys(owner: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new TickworkError(
      'INVALID_OPTIONS',
      `${owner} got unknown option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; expected only ${known.join(', ')}`,
    );
  }
}

/** The message of whatever was thrown, for the tail of a delivery error. */
export function causeMessage(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
