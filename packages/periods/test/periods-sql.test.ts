// Differential: the period vocabulary against PostgreSQL's calendar arithmetic (date_trunc in
// the time zone) at the edges of days, months and years, both DST changes, and seeded random
// instants, so the vocabulary holds at any hour of any day.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { resolvePeriod } from '../src/index.ts';

const local = '($1::timestamptz AT TIME ZONE $2::text)';
const at = (t: string) => `((${t}) AT TIME ZONE $2::text)`;
const SQL: Record<string, [string, string]> = {
  'today': [`date_trunc('day', ${local})`, `date_trunc('day', ${local}) + interval '1 day'`],
  'yesterday': [`date_trunc('day', ${local}) - interval '1 day'`, `date_trunc('day', ${local})`],
  'last 7 days': [`date_trunc('day', ${local}) - interval '6 days'`, `date_trunc('day', ${local}) + interval '1 day'`],
  'last 30 days': [`date_trunc('day', ${local}) - interval '29 days'`, `date_trunc('day', ${local}) + interval '1 day'`],
  'last 90 days': [`date_trunc('day', ${local}) - interval '89 days'`, `date_trunc('day', ${local}) + interval '1 day'`],
  'this week': [`date_trunc('week', ${local})`, `date_trunc('week', ${local}) + interval '1 week'`],
  'last week': [`date_trunc('week', ${local}) - interval '1 week'`, `date_trunc('week', ${local})`],
  'this month': [`date_trunc('month', ${local})`, `date_trunc('month', ${local}) + interval '1 month'`],
  'last month': [`date_trunc('month', ${local}) - interval '1 month'`, `date_trunc('month', ${local})`],
  'last 3 months': [`date_trunc('month', ${local}) - interval '2 months'`, `date_trunc('month', ${local}) + interval '1 month'`],
  'this quarter': [`date_trunc('quarter', ${local})`, `date_trunc('quarter', ${local}) + interval '3 months'`],
  'this year': [`date_trunc('year', ${local})`, `date_trunc('year', ${local}) + interval '1 year'`],
  'last year': [`date_trunc('year', ${local}) - interval '1 year'`, `date_trunc('year', ${local})`],
};

const EDGES = [
  '2026-12-02T10:44:00Z', '2026-12-02T00:00:00Z', '2026-12-01T23:59:59.999Z',
  '2026-12-01T04:59:59.999Z', '2026-12-01T05:00:00Z', '2026-11-30T15:00:00Z',
  '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00Z', '2025-12-31T15:00:00Z', '2026-01-01T04:59:59.999Z',
  '2026-03-08T06:59:59.999Z', '2026-03-08T07:00:00Z', '2026-03-09T03:59:59.999Z', '2026-03-09T04:00:00Z',
  '2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-02T04:59:59.999Z', '2026-11-02T05:00:00Z',
  '2028-02-29T12:00:00Z', '2026-03-29T01:00:00Z', // a leap day; Europe's spring change
];
const ZONES = ['UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'];

function randomInstants(n: number, seed = 7) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lo = Date.parse('2024-01-01T00:00:00Z');
  const hi = Date.parse('2028-01-01T00:00:00Z');
  return Array.from({ length: n }, () => new Date(lo + Math.floor(rnd() * (hi - lo))).toISOString());
}

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
});
afterAll(async () => client?.end());

it.each(ZONES)('agrees with PostgreSQL in %s at the edges and at 150 random instants', async (tz) => {
  const names = Object.keys(SQL);
  const cols = names.flatMap((n, i) => [`${at(SQL[n]![0])} AS f${i}`, `${at(SQL[n]![1])} AS t${i}`]).join(', ');
  for (const now of [...EDGES, ...randomInstants(150)]) {
    const { rows: [r] } = await client.query(`SELECT ${cols}`, [now, tz]);
    for (const [i, name] of names.entries()) {
      const p = resolvePeriod(name, tz, new Date(now));
      expect([p.from.toISOString(), p.to.toISOString()], `${name} in ${tz} at ${now}`).toEqual([r[`f${i}`].toISOString(), r[`t${i}`].toISOString()]);
      expect(p.partial).toBe(p.to.getTime() > Date.parse(now));
    }
  }
});
