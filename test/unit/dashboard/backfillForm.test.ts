import { describe, expect, it } from 'vitest';
import { backfillRequest } from '../../../src/dashboard/backfillForm.js';
import { InvalidBackfillError } from '../../../src/errors.js';
import { DEFAULT_BACKFILL_LIMIT, MAX_BACKFILL_LIMIT } from '../../../src/operate/backfill.js';

const request = (from: string, to = '2026-11-23T10:05:00Z', limit = '') => backfillRequest('greet', { from, to, limit });

describe('the dashboard\'s backfill form', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00.000Z'],
    ['2026-11-23T10:00:00.250Z', '2026-11-23T10:00:00.250Z'],
    // A datetime-local value carries no zone: the form says UTC, whatever the server's zone is.
    ['2026-11-23T10:00', '2026-11-23T10:00:00.000Z'],
    ['2026-11-23 10:00:30', '2026-11-23T10:00:30.000Z'],
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ['2026-11-23T11:00:00+01:00', '2026-11-23T10:00:00.000Z'],
    ['2026-11-23T11:00+0100', '2026-11-23T10:00:00.000Z'],
    [' 2026-11-23t10:00z ', '2026-11-23T10:00:00.000Z'],
  ])('reads from %j as %s', (from, iso) => {
    expect(request(from).from.toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2026-11-23T25:00Z', '23/11/2026', '2026-11-23T10:00:00Z trailing', '1700000000000'])('refuses from %j, naming the field', (from) => {
    const error = (() => {
      try {
        request(from);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidBackfillError);
    expect(error).toMatchObject({ field: 'from', message: `backfill from expects an ISO-8601 time such as 2026-11-23T10:05:00Z (one without a zone is UTC), got ${JSON.stringify(from)}` });
  });

  it('takes the CLI\'s default limit when none is given, and refuses one that is not a whole number from 1 to the ceiling', () => {
    expect(request('2026-11-23T10:00Z').limit).toBe(DEFAULT_BACKFILL_LIMIT);
    expect(request('2026-11-23T10:00Z', undefined, ' 7 ').limit).toBe(7);
    expect(request('2026-11-23T10:00Z', undefined, String(MAX_BACKFILL_LIMIT)).limit).toBe(MAX_BACKFILL_LIMIT);
    for (const limit of ['0', '-1', '2.5', 'ten', String(MAX_BACKFILL_LIMIT + 1)]) {
      expect(() => request('2026-11-23T10:00Z', undefined, limit)).toThrow(expect.objectContaining({ field: 'limit', message: `backfill limit expects a whole number from 1 to ${MAX_BACKFILL_LIMIT}, got ${JSON.stringify(limit)}` }));
    }
    expect(() => backfillRequest('greet', { from: '2026-11-23T10:00Z', to: 'soon', limit: '' })).toThrow(expect.objectContaining({ field: 'to' }));
  });
});
