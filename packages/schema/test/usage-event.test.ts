import { describe, expect, it } from 'vitest';
import { OCCURRED_AT_MIN, parseEventBatch } from '../src/index.ts';

const event = (occurred_at: string) => ({ occurred_at, provider: 'openai', model: 'gpt-4o' });
const issues = (occurred_at: string) => {
  const r = parseEventBatch([event(occurred_at)]);
  return r.ok ? [] : r.issues;
};

describe('occurred_at', () => {
  // Postgres refuses year 0 inside the worker's COPY, after the 202: the API must refuse it.
  it.each(['0000-01-01T00:00:00Z', '1800-06-01T00:00:00Z', '1999-12-31T23:59:59.999Z', '2000-01-01T00:30:00+01:00'])('refuses %s, before 2000', (at) => {
    expect(issues(at)).toEqual([{ index: 0, path: 'occurred_at', message: `is before ${OCCURRED_AT_MIN}` }]);
  });

  it('accepts 2000-01-01T00:00:00Z and up to 24 hours ahead, not later', () => {
    expect(issues('2000-01-01T00:00:00Z')).toEqual([]);
    expect(issues(new Date(Date.now() + 23 * 3600_000).toISOString())).toEqual([]);
    expect(issues(new Date(Date.now() + 25 * 3600_000).toISOString())).toEqual([{ index: 0, path: 'occurred_at', message: 'is more than 24 hours in the future' }]);
  });
});

describe('id', () => {
  it('is stored in one spelling: an upper-case UUID is the same id as its lower-case form', () => {
    const r = parseEventBatch([{ ...event('2026-10-01T00:00:00Z'), id: '3F0C2D1E-0000-4000-8000-00000000ABCD' }]);
    expect(r.ok && r.events[0]!.event_id).toBe('3f0c2d1e-0000-4000-8000-00000000abcd');
  });
});
