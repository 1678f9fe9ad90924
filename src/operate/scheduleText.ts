import cronstrue from 'cronstrue';
import type { TaskDefinition } from '../kernel/types.js';

/**
 * A task's schedule in words, with its zone: "At 02:00, Europe/Paris". The cron part comes from
 * cronstrue; what the expression alone does not say — seconds repeated inside a minute
 * (`everyTenSeconds()`), intervals counted from the epoch (`every(420)`) — is added from the
 * definition, so the words never promise fewer or more runs than the tick makes.
 *
 * @example
 * scheduleInWords({ expression: '0 2 * * *', timezone: 'Europe/Paris', repeatSeconds: undefined, intervalMinutes: undefined });
 * // 'At 02:00, Europe/Paris'
 */
export function scheduleInWords(definition: Pick<TaskDefinition, 'expression' | 'timezone' | 'repeatSeconds' | 'intervalMinutes'>): string {
  const { expression, timezone, repeatSeconds, intervalMinutes } = definition;
  let words = cronInWords(expression);
  if (intervalMinutes !== undefined) words = `Every ${intervalMinutes} minutes, counted from 1970-01-01 00:00 UTC`;
  if (repeatSeconds !== undefined) {
    words = expression.trim() === '* * * * *' ? `Every ${repeatSeconds} seconds` : `${words}, every ${repeatSeconds} seconds within each such minute`;
  }
  return `${words}, ${timezone}`;
}

/** cronstrue's sentence; the kernel validated the expression already, so a sentence it cannot make falls back to the expression. */
function cronInWords(expression: string): string {
  try {
    return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false, throwExceptionOnParseError: true });
  } catch {
    return expression;
  }
}
