// The period vocabulary at the edges of days, months, years and DST changes.
import { describe, expect, it } from 'vitest';
import { absolutePeriod, bucketPartial, cubeDateRange, periodJson, previousPeriod, resolvePeriod } from '../src/index.ts';

const at = (iso: string) => new Date(iso);
const range = (text: string, tz: string, now: string) => periodJson(resolvePeriod(text, tz, at(now)));

describe('resolvePeriod', () => {
  it('counts today in `last N days`, in the requested time zone', () => {
    // 10:44 UTC on Dec 2 is 05:44 in New York: today there is Dec 2.
    expect(range('last 7 days', 'America/New_York', '2026-12-02T10:44:00Z')).toEqual({
      from: '2026-11-26T00:00:00-05:00', to: '2026-12-03T00:00:00-05:00', partial: true, timezone: 'America/New_York',
    });
    // 03:00 UTC on Dec 2 is still Dec 1 in New York.
    expect(range('today', 'America/New_York', '2026-12-02T03:00:00Z')).toMatchObject({ from: '2026-12-01T00:00:00-05:00', to: '2026-12-02T00:00:00-05:00' });
  });

  it('names whole previous units with `yesterday` and `last <unit>`', () => {
    expect(range('yesterday', 'UTC', '2027-01-01T00:00:00Z')).toEqual({ from: '2026-12-31T00:00:00Z', to: '2027-01-01T00:00:00Z', partial: false, timezone: 'UTC' });
    expect(range('last month', 'UTC', '2027-01-01T00:00:00Z')).toMatchObject({ from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z', partial: false });
    expect(range('last year', 'UTC', '2026-12-31T23:59:59.999Z')).toMatchObject({ from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
    expect(range('last week', 'UTC', '2026-12-02T10:00:00Z')).toMatchObject({ from: '2026-11-23T00:00:00Z', to: '2026-11-30T00:00:00Z' }); // Monday to Monday
  });

  it('starts a new period at the first instant of it', () => {
    expect(range('this month', 'UTC', '2026-12-01T00:00:00Z')).toMatchObject({ from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z', partial: true });
    expect(range('this month', 'UTC', '2026-11-30T23:59:59.999Z')).toMatchObject({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(range('this year', 'Asia/Tokyo', '2026-12-31T15:00:00Z')).toMatchObject({ from: '2027-01-01T00:00:00+09:00', to: '2028-01-01T00:00:00+09:00' });
  });

  it('gives a DST day its 23 or 25 hours', () => {
    const spring = resolvePeriod('today', 'America/New_York', at('2026-03-08T12:00:00Z'));
    expect((spring.to.getTime() - spring.from.getTime()) / 3_600_000).toBe(23);
    const fall = resolvePeriod('yesterday', 'America/New_York', at('2026-11-02T12:00:00Z'));
    expect((fall.to.getTime() - fall.from.getTime()) / 3_600_000).toBe(25);
    expect(cubeDateRange(spring)).toEqual(['2026-03-08T00:00:00.000', '2026-03-08T23:59:59.999']);
    // Wall-clock times of the zone, right after the change too (the semantic layer reads them with the zone's real offset).
    expect(cubeDateRange(resolvePeriod('last 24 hours', 'America/New_York', at('2026-03-08T07:30:00Z')))).toEqual(['2026-03-07T02:30:00.000', '2026-03-08T03:29:59.999']);
    // The first pass of the repeated hour has no reading of its own: given as the instant, with its offset.
    expect(cubeDateRange(absolutePeriod('2026-11-01T05:35:18.867Z', '2026-11-01T06:35:18.867Z', 'America/New_York'))).toEqual(['2026-11-01T01:35:18.867-04:00', '2026-11-01T01:35:18.867']);
  });

  it('does not round `last N hours` to whole hours', () => {
    expect(range('last 3 hours', 'UTC', '2026-12-02T10:44:30Z')).toMatchObject({ from: '2026-12-02T07:44:30Z', to: '2026-12-02T10:44:30Z', partial: false });
  });

  it('gives the period just before for comparisons', () => {
    const p = previousPeriod('last 7 days', 'UTC', at('2026-12-02T10:44:00Z'));
    expect(periodJson(p)).toMatchObject({ from: '2026-11-19T00:00:00Z', to: '2026-11-26T00:00:00Z', partial: false });
    expect(periodJson(previousPeriod('this month', 'UTC', at('2026-03-15T00:00:00Z')))).toMatchObject({ from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
  });

  it('refuses what it does not know, naming examples', () => {
    for (const bad of ['last', 'next week', 'last 0 days', 'this 3 days', 'last -1 days', 'from 7 days ago to now', 'this hour']) {
      expect(() => resolvePeriod(bad)).toThrow(/is not a period/);
    }
  });
});

describe('absolutePeriod', () => {
  it('reads local dates in the time zone, `to` inclusive', () => {
    expect(periodJson(absolutePeriod('2026-10-01', '2026-10-31', 'Europe/Berlin', at('2026-12-02T00:00:00Z')))).toEqual({
      from: '2026-10-01T00:00:00+02:00', to: '2026-11-01T00:00:00+01:00', partial: false, timezone: 'Europe/Berlin',
    });
    expect(periodJson(absolutePeriod('2026-10-01', '2026-10-31T23:59:59.999', 'UTC', at('2026-12-02T00:00:00Z'))).to).toBe('2026-11-01T00:00:00Z');
    expect(absolutePeriod('2026-12-01', null, 'UTC', at('2026-12-02T10:00:00Z')).to.toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });
});

describe('bucketPartial', () => {
  it('marks the bucket that holds now, and buckets cut by the range', () => {
    const now = at('2026-12-02T10:44:00Z');
    const p = resolvePeriod('last 7 days', 'UTC', now);
    expect(bucketPartial(at('2026-12-02T00:00:00Z'), 'day', p, now)).toBe(true);
    expect(bucketPartial(at('2026-12-01T00:00:00Z'), 'day', p, now)).toBe(false);
    expect(bucketPartial(at('2026-11-23T00:00:00Z'), 'week', p, now)).toBe(true); // starts before the range
  });
});
