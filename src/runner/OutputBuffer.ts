/** What a run may keep in memory; past it the oldest text is dropped (the end holds the errors). */
export const MAX_CAPTURED_BYTES = 1024 * 1024;

/** A run's captured output: everything written to it, in order, bounded to its last `limit` bytes. */
export class OutputBuffer {
  #chunks: string[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(readonly limit = MAX_CAPTURED_BYTES) {}

  write(text: string): void {
    if (text === '') return;
    this.#chunks.push(text);
    this.#bytes += Buffer.byteLength(text);
    while (this.#bytes > this.limit && this.#chunks.length > 1) {
      const oldest = this.#chunks.shift() ?? '';
      this.#bytes -= Buffer.byteLength(oldest);
      this.#dropped += Buffer.byteLength(oldest);
    }
  }

  /** The captured text, prefixed with a note if the start had to be dropped. */
  toString(): string {
    const text = this.#chunks.join('');
    return this.#dropped === 0 ? text : `…[${this.#dropped} bytes dropped]\n${text}`;
  }
}
