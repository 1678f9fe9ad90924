import { describe, expect, it } from 'vitest';
import { TickworkError } from '../../../src/errors.js';
import { excerpt, OUTPUT_EXCERPT_BYTES } from '../../../src/output/excerpt.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('excerpt', () => {
  it('returns text that fits unchanged, up to exactly maxBytes', () => {
    expect(excerpt('')).toBe('');
    expect(excerpt('short output\n')).toBe('short output\n');
    const exact = 'x'.repeat(OUTPUT_EXCERPT_BYTES);
    expect(excerpt(exact)).toBe(exact);
  });

  it('keeps the last 4096 bytes by default and says how many it dropped', () => {
    const text = `${'head\n'.repeat(200)}${'t'.repeat(4095)}!`;
    expect(excerpt(text)).toBe(`…[1000 bytes truncated]\n${'t'.repeat(4095)}!`);
  });

  it('counts bytes, not characters, and never splits a multi-byte character', () => {
    // 'a' is 1 byte, '€' is 3 (E2 82 AC): the last 5 bytes begin inside the second '€', so the cut
    // moves forward to the third and keeps 3 bytes.
    expect(excerpt('a€€€', 5)).toBe('…[7 bytes truncated]\n€');
    // '😀' is 4 bytes in UTF-8 and a surrogate pair in JavaScript.
    expect(excerpt('😀😀😀', 8)).toBe('…[4 bytes truncated]\n😀😀');
    expect(excerpt('😀😀😀', 7)).toBe('…[8 bytes truncated]\n😀');
    expect(excerpt('ok 😀', 3)).toBe('…[7 bytes truncated]\n');
  });

  it('keeps the longest tail that fits, for every cut of a mixed string', () => {
    const text = 'plain ascii, ünïcödé, €uro, 日本語, 😀 emoji — end';
    for (let maxBytes = 0; maxBytes <= bytes(text); maxBytes++) {
      const result = excerpt(text, maxBytes);
      if (maxBytes === bytes(text)) {
        expect(result).toBe(text);
        continue;
      }
      const match = /^…\[(\d+) bytes truncated\]\n([\s\S]*)$/u.exec(result);
      expect(match, `maxBytes ${maxBytes}`).not.toBeNull();
      const [, dropped, tail = ''] = match!;
      expect(text.endsWith(tail)).toBe(true);
      expect(bytes(tail)).toBeLessThanOrEqual(maxBytes);
      expect(Number(dropped)).toBe(bytes(text) - bytes(tail));
      // One more character would not have fitted: the cut only moved to a character boundary.
      const longer = [...text].slice(-([...tail].length + 1)).join('');
      expect(bytes(longer)).toBeGreaterThan(maxBytes);
      expect(tail).not.toContain('\uFFFD');
    }
  });

  it.each([-1, 1.5, Number.NaN])('rejects maxBytes %s', (maxBytes) => {
    expect(() => excerpt('x', maxBytes)).toThrow(TickworkError);
  });
});
