import { SERVICE_NAME } from '../log/createLogger.js';

const SYMBOL: Record<string, string> = { ran: '✔', failed: '✖', 'timed-out': '⏱', skipped: '↷', dispatched: '→', undispatched: '✖', replaced: '⇄' };

/** Keys Powertools and the tick add to every line; what is left is what the task chose to log. */
const STANDARD_KEYS = new Set([
  'level', 'message', 'timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size',
  'function_name', 'function_request_id', 'sampling_rate', 'xray_trace_id', 'task', 'slot',
]);

/**
 * Turns one of Tickwork's JSON log lines into the one-line summary `npm start` shows; returns
 * `undefined` for lines that are not a task outcome or tick summary (they pass through untouched).
 *
 * @example
 * renderLogLine('{"service":"tickwork","message":"task ran","task":"heartbeat","slot":"…","outcome":"ran","durationMs":3}')
 * // '12:01:00  ✔ heartbeat         ran in 3 ms'
 */
export function renderLogLine(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (entry.service !== SERVICE_NAME) return undefined;

  if (entry.message === 'tick done') {
    const fanOut = typeof entry.dispatched === 'number' && entry.dispatched > 0 ? `, ${entry.dispatched} dispatched` : '';
    const unsent = typeof entry.undispatched === 'number' && entry.undispatched > 0 ? `, ${entry.undispatched} not dispatched` : '';
    return `${clock(entry.tick)}  tick ${String(entry.tick)}: ${entry.due} due, ${entry.ran} ran${fanOut}${unsent}, ${entry.failed} failed, ${entry.skipped} skipped, ${entry.missed} missed`;
  }
  if (entry.message === 'task missed' && typeof entry.task === 'string') {
    const range = entry.from === entry.to ? clock(entry.from) : `${clock(entry.from)}–${clock(entry.to)}`;
    return `${clock(entry.to)}  ⚠ ${entry.task.padEnd(18)} missed ${entry.count} slot(s) ${range} (${entry.reason})`;
  }
  if (typeof entry.task !== 'string') return undefined;
  const outcome = entry.outcome;
  if (typeof outcome !== 'string' || !(outcome in SYMBOL)) {
    // A line the task logged itself through its context logger.
    const extra = Object.entries(entry).filter(([key]) => !STANDARD_KEYS.has(key));
    const suffix = extra.length === 0 ? '' : ` ${JSON.stringify(Object.fromEntries(extra))}`;
    return `${clock(entry.slot)}  · ${entry.task.padEnd(18)} ${String(entry.message)}${suffix}`;
  }

  const detail = {
    ran: () => `ran in ${entry.durationMs} ms`,
    failed: () => `failed after ${entry.durationMs} ms: ${entry.error}`,
    'timed-out': () => `timed out after ${entry.durationMs} ms`,
    skipped: () => `skipped (${entry.reason})`,
    dispatched: () => `dispatched to its own Lambda`,
    replaced: () => `stopped after ${entry.durationMs} ms, replaced by a newer slot`,
    undispatched: () => `not dispatched (attempt ${entry.attempt}${entry.requeued === true ? ', queued for the next tick' : ', given up'}): ${entry.error}`,
  }[outcome as keyof typeof SYMBOL];
  return `${clock(entry.slot)}  ${SYMBOL[outcome]} ${entry.task.padEnd(18)} ${detail?.()}`;
}

/** HH:MM:SS of an ISO slot, in UTC like the slot itself. */
function clock(iso: unknown): string {
  return typeof iso === 'string' && iso.length >= 19 ? iso.slice(11, 19) : '--:--:--';
}
