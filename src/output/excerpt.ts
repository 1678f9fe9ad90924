import { TickworkError } from '../errors.js';

/** How much of a task's output goes into a log line or a run record. */
export const OUTPUT_EXCERPT_BYTES = 4096;

/**
 * The last `maxBytes` bytes of `text` in UTF-8, behind a `…[N bytes truncated]` line when anything was
 * cut. The tail is kept because a failing command usually says why at the end. The cut moves forward
 * to the next character boundary, so the excerpt may be a few bytes short of `maxBytes` and never holds
 * half a character; the marker comes on top of `maxBytes`.
 *
 * @param maxBytes how many bytes of output to keep. @default 4096
 *
 * @example
 * excerpt('a'.repeat(5000)); // '…[904 bytes truncated]\n' + 'a'.repeat(4096)
 */
export function excerpt(text: string, maxBytes: number = OUTPUT_EXCERPT_BYTES): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw new TickworkError('INVALID_OPTIONS', `excerpt() expects maxBytes to be a whole number ≥ 0, got ${String(maxBytes)}`);
  }
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let start = bytes.length - maxBytes;
  // UTF-8 continuation bytes look like 10xxxxxx; a character starts at the first byte that does not.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return `…[${start} bytes truncated]\n${bytes.subarray(start).toString('utf8')}`;
}
