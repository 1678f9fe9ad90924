import { TickworkError } from '../src/errors.js';

/** Reads a variable the stack sets, failing the cold start with its name if it is missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new TickworkError('MISSING_ENVIRONMENT', `Environment variable ${name} is not set; the tickwork/serverless plugin sets it on every function it generates`);
  }
  return value;
}
