/**
 * The delay, in milliseconds below `seconds * 1000`, that a task with `jitter(seconds)` waits after the
 * slot `slot`. Derived from FNV-1a of `name` and `slot` only, so every tick, retry and deployment agrees
 * on it, while similar tasks (`report:a`, `report:b`, …) spread across the window.
 */
export function jitterMs(name: string, slot: string, seconds: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${name}\u0000${slot}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % (seconds * 1000);
}
