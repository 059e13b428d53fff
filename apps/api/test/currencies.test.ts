// Currencies (docs/decisions/0023-currencies.md): events in several currencies on several days
// (Easter 2026's TARGET holidays and a weekend included) come out of GraphQL in the workspace's
// reporting currency equal to raw SQL converting each event at its own UTC day's ECB rate, to the
// cent (and far below it); one figure is re-derived in JS from the shipped ECB file. Importing the
// rates of a past day re-converts exactly that day, through roll-ups built before the import; a
// new reporting currency re-converts everything; budgets count every currency converted; bad
// currency codes and rate files get an error naming the field.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedRates } from '@spendgraph/fx';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, postEvents, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

type Ws = { workspaceId: string; key: string };
let p: Platform;

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-02T12:00:00Z') });
}, 240_000);
afterAll(async () => p?.stop());

const gql = (ws: Ws, query: string, vars: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, vars);
const errorOf = async (ws: Ws, query: string, vars: Record<string, unknown> = {}) => (await graphqlRequest(p.apiUrl, ws.key, query, vars)).body.errors?.[0];
const setCurrency = (ws: Ws, currency: string) => gql(ws, 'mutation ($c: String) { updateWorkspace(input: { currency: $c }) { currency } }', { c: currency });

/** A deterministic cost with up to 9 decimal places (never exactly on a half cent). */
const cost = (i: number) => new Decimal((i * 7919) % 100_000).dividedBy(1000).plus('0.000000007').plus(i % 3).toFixed();

const event = (at: string, currency: string, c: string, extra: Record<string, unknown> = {}) =>
  ({ id: randomUUID(), occurred_at: at, provider: 'openai', model: 'gpt-4o-mini', cost: c, currency, usage: { input_tokens: 10, output_tokens: 1 }, ...extra });

/**
 * The truth, from raw rows and the rates table only: each event's cost × (rate of the reporting
 * currency / rate of its currency), each the ECB rate of its UTC day or the latest earlier one.
 */
async function truth(ws: Ws, reporting: string): Promise<Map<string, Decimal>> {
  const { rows } = await p.pool.query(
    `WITH e AS (SELECT total_cost, currency, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM usage_events WHERE workspace_id = $1),
          r AS (SELECT e.*, (SELECT f.per_eur FROM fx_rates f WHERE f.currency = e.currency AND f.day <= e.day ORDER BY f.day DESC LIMIT 1) AS from_r,
                            (SELECT f.per_eur FROM fx_rates f WHERE f.currency = $2 AND f.day <= e.day ORDER BY f.day DESC LIMIT 1) AS to_r FROM e)
     SELECT day::text AS day, currency, sum(total_cost * CASE WHEN $2 = 'EUR' THEN 1 ELSE to_r END / CASE WHEN currency = 'EUR' THEN 1 ELSE from_r END)::text AS v
       FROM r GROUP BY 1, 2`,
    [ws.workspaceId, reporting],
  );
  return new Map(rows.map((r) => [`${r.day}|${r.currency}`, new Decimal(r.v)]));
}

const SERIES = `query ($from: String!, $to: String!) { timeseries(measures: ["total_cost", "calls"], granularity: day, by: ["currency"], timeRange: { from: $from, to: $to }) {
  series { key { value } points { time measures { measure value currency } } } } }`;

/** GraphQL's converted cost per `day|currency`, and the currency every money value says it is in. */
async function perDay(ws: Ws, from: string, to: string) {
  const { body } = await graphqlRequest(p.apiUrl, ws.key, SERIES, { from, to });
  expect(body.errors).toBeUndefined();
  const values = new Map<string, Decimal>();
  const currencies = new Set<string | null>();
  for (const s of body.data.timeseries.series) {
    for (const pt of s.points) {
      const total = pt.measures.find((m: any) => m.measure === 'total_cost');
      currencies.add(total.currency);
      expect(pt.measures.find((m: any) => m.measure === 'calls').currency).toBeNull();
      if (total.value !== null) values.set(`${pt.time.slice(0, 10)}|${s.key[0].value}`, new Decimal(total.value));
    }
  }
  return { values, currencies, usedPreAggregations: body.extensions.usedPreAggregations as string[] };
}

function expectSame(actual: Map<string, Decimal>, expected: Map<string, Decimal>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, v] of expected) {
    const got = actual.get(k)!;
    expect(got.toFixed(2), k).toBe(v.toFixed(2));
    expect(got.minus(v).abs().lt('1e-9'), `${k}: ${got} vs ${v}`).toBe(true);
  }
}

const rateOf = (currency: string, day: string) => {
  const known = shippedRates().filter((r) => r.currency === currency && r.day <= day).sort((a, b) => b.day.localeCompare(a.day));
  return new Decimal(known[0]!.perEur);
};

describe('conversion at each day\'s reference rate', () => {
  let a: Ws;
  const CURRENCIES = ['USD', 'GBP', 'JPY', 'CHF', 'EUR'];
  // Thu; Good Friday and Easter Monday (no ECB rates); a Saturday; Tue; Fri; Mon after a weekend.
  const DAYS = ['2026-04-02', '2026-04-03', '2026-04-04', '2026-04-06', '2026-04-07', '2026-04-10', '2026-04-13'];
  const sent: Array<{ day: string; currency: string; cost: string }> = [];

  beforeAll(async () => {
    a = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    expect((await setCurrency(a, 'EUR')).updateWorkspace.currency).toBe('EUR');
    const events = [];
    let i = 1;
    for (const day of DAYS) {
      for (const currency of CURRENCIES) {
        for (const time of ['00:00:00', '13:05:00', '23:59:59.999']) {
          const c = currency === 'JPY' ? new Decimal(cost(i)).times(150).toFixed() : cost(i);
          events.push(event(`${day}T${time}Z`, currency, c));
          sent.push({ day, currency, cost: c });
          i++;
        }
      }
    }
    await ingestAndWait(p, a, events);
  }, 120_000);

  it('every day × currency total through GraphQL equals raw SQL conversion, and says it is in EUR', async () => {
    const got = await perDay(a, '2026-04-01', '2026-04-14');
    expect([...got.currencies]).toEqual(['EUR']);
    expectSame(got.values, await truth(a, 'EUR'));
  });

  it('one figure re-derived from the shipped ECB file: Easter Monday\'s GBP at the Thursday before\'s rate', async () => {
    const got = await perDay(a, '2026-04-06', '2026-04-06');
    const gbp = sent.filter((s) => s.day === '2026-04-06' && s.currency === 'GBP').reduce((s, x) => s.plus(x.cost), new Decimal(0));
    const expected = gbp.dividedBy(rateOf('GBP', '2026-04-02'));
    expect(rateOf('GBP', '2026-04-06').equals(rateOf('GBP', '2026-04-02'))).toBe(true); // no ECB rate on Easter Monday
    expect(got.values.get('2026-04-06|GBP')!.minus(expected).abs().lt('1e-9')).toBe(true);
  });

  it('breakdown and economics totals agree with the same truth', async () => {
    const expected = [...(await truth(a, 'EUR')).values()].reduce((s, v) => s.plus(v), new Decimal(0));
    const b = await gql(a, '{ breakdown(measures: ["total_cost"], by: ["currency"], timeRange: { from: "2026-04-01", to: "2026-04-14" }) { measures { value currency } } }');
    expect(b.breakdown.measures[0].currency).toBe('EUR');
    expect(new Decimal(b.breakdown.measures[0].value).minus(expected).abs().lt('1e-9')).toBe(true);
    const e = await gql(a, '{ economics(from: "2026-04-01", to: "2026-04-14", by: ["month"]) { directCost } }');
    expect(new Decimal(e.economics[0].directCost).minus(expected).abs().lt('1e-9')).toBe(true);
  });

  it('history (daily aggregates, archived days included) converts at the same rates', async () => {
    // An archived day (what retention leaves in usage_daily): GBP 12.5 on 2026-03-02.
    await p.pool.query(
      `INSERT INTO usage_daily (workspace_id, day, kind, provider, model, status, currency, unpriced, source, calls, total_cost)
       VALUES ($1, '2026-03-02T00:00:00Z', 'model_call', 'openai', 'gpt-4o-mini', 'ok', 'GBP', false, 'api', 1, 12.5)`, [a.workspaceId]);
    const { history } = await gql(a, `{ history(measures: ["total_cost"], granularity: day, by: ["currency"], timeRange: { from: "2026-03-01", to: "2026-04-14" }) {
      series { key { value } points { time measures { value currency } } } } }`);
    const got = new Map<string, Decimal>();
    for (const s of history.series) {
      for (const pt of s.points) if (pt.measures[0].value !== null) got.set(`${pt.time.slice(0, 10)}|${s.key[0].value}`, new Decimal(pt.measures[0].value));
    }
    const archived = got.get('2026-03-02|GBP')!;
    got.delete('2026-03-02|GBP');
    expectSame(got, await truth(a, 'EUR'));
    expect(archived.minus(new Decimal('12.5').dividedBy(rateOf('GBP', '2026-03-02'))).abs().lt('1e-9')).toBe(true);
  });

  it('a new reporting currency re-converts every day at its own rate', async () => {
    expect((await setCurrency(a, 'GBP')).updateWorkspace.currency).toBe('GBP');
    const got = await perDay(a, '2026-04-01', '2026-04-14');
    expect([...got.currencies]).toEqual(['GBP']);
    expectSame(got.values, await truth(a, 'GBP'));
    // GBP events are worth themselves again.
    const gbp = sent.filter((s) => s.day === '2026-04-07' && s.currency === 'GBP').reduce((s, x) => s.plus(x.cost), new Decimal(0));
    expect(got.values.get('2026-04-07|GBP')!.toFixed()).toBe(gbp.toFixed());
  });
});

describe('importing the rates of a past day', () => {
  let b: Ws;
  const DAY = '2024-03-13';
  const DAYS = ['2024-03-12', DAY, '2024-03-14'];
  let removed: Array<{ currency: string; per_eur: string }>;

  beforeAll(async () => {
    b = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    // The day is missing from the rates (as a day after the shipped file's end would be); its
    // events convert at the day before's rates until it is imported.
    removed = (await p.pool.query(`DELETE FROM fx_rates WHERE day = $1 RETURNING currency, per_eur::text`, [DAY])).rows;
    expect(removed.length).toBeGreaterThan(20);
    const events = DAYS.flatMap((day, d) => ['EUR', 'GBP', 'USD', 'SEK'].map((c, i) => event(`${day}T1${i}:00:00Z`, c, cost(d * 10 + i + 1))));
    await ingestAndWait(p, b, events);
  }, 120_000);
  afterAll(async () => {
    // Whatever happened, the shared database gets the shipped rates of the day back.
    const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM fx_rates WHERE day = $1', [DAY]);
    if (rows[0].n === 0) for (const r of removed) await p.pool.query(`INSERT INTO fx_rates (currency, day, per_eur, source) VALUES ($1, $2, $3, 'shipped')`, [r.currency, DAY, r.per_eur]);
  });

  it('changes exactly that day\'s converted figures, read through roll-ups built before', async () => {
    const before = await perDay(b, DAYS[0]!, DAYS[2]!);
    expect(before.usedPreAggregations.length).toBeGreaterThan(0);
    expectSame(before.values, await truth(b, 'USD'));
    // SEK on the day converts at the 12th's rates.
    const sek = before.values.get(`${DAY}|SEK`)!;

    const header = ['Date', ...removed.map((r) => r.currency), ''].join(',');
    const line = [DAY, ...removed.map((r) => r.per_eur), ''].join(',');
    const imported = (await gql(b, 'mutation ($f: String!) { importFxRates(file: $f) { added unchanged kept eventsReconverted latestDay } }', { f: `${header}\n${line}\n` })).importFxRates;
    expect(imported).toMatchObject({ added: removed.length, unchanged: 0, kept: 0 });
    expect(imported.eventsReconverted).toBeGreaterThanOrEqual(3); // EUR, GBP and SEK events of the day (USD is the reporting currency)

    const after = await perDay(b, DAYS[0]!, DAYS[2]!);
    expect(after.usedPreAggregations.length).toBeGreaterThan(0);
    expectSame(after.values, await truth(b, 'USD'));
    for (const [k, v] of before.values) {
      if (k.startsWith(DAY) && !k.endsWith('USD')) expect(after.values.get(k)!.equals(v), k).toBe(false);
      else expect(after.values.get(k)!.toFixed(), k).toBe(v.toFixed());
    }
    const sekCost = new Decimal(cost(1 * 10 + 3 + 1));
    expect(after.values.get(`${DAY}|SEK`)!.minus(sekCost.times(rateOf('USD', DAY)).dividedBy(rateOf('SEK', DAY))).abs().lt('1e-9')).toBe(true);
    expect(sek.equals(after.values.get(`${DAY}|SEK`)!)).toBe(false);

    // The same file again changes nothing; a differing rate for a stored day is kept, not applied.
    const again = (await gql(b, 'mutation ($f: String!) { importFxRates(file: $f) { added unchanged kept eventsReconverted } }', { f: `${header}\n${line}\n` })).importFxRates;
    expect(again).toEqual({ added: 0, unchanged: removed.length, kept: 0, eventsReconverted: 0 });
    const changed = (await gql(b, 'mutation ($f: String!) { importFxRates(file: $f) { added kept eventsReconverted } }', { f: `Date,GBP,\n${DAY},9.99,\n` })).importFxRates;
    expect(changed).toEqual({ added: 0, kept: 1, eventsReconverted: 0 });
    const audit = await p.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'importFxRates'`, [b.workspaceId]);
    expect(audit.rows[0].n).toBe(3);
  });

  it('refuses files it cannot read, naming the field', async () => {
    const imp = 'mutation ($f: String!) { importFxRates(file: $f) { added } }';
    expect((await errorOf(b, imp, { f: 'Date,USD,\n2026-05-04,-1.1,\n' })).extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'file.rate', line: 2 });
    expect((await errorOf(b, imp, { f: 'Day,USD,\n2026-05-04,1.1,\n' })).extensions).toMatchObject({ field: 'file.Date' });
    expect((await errorOf(b, imp, { f: 'Date,usd,\n2026-05-04,1.1,\n' })).extensions).toMatchObject({ field: 'file.currency' });
    expect((await errorOf(b, imp, { f: '<gesmes:Envelope><Cube><Cube time="2026-05-04"><Cube currency="USD" rate="abc"/></Cube></Cube></gesmes:Envelope>' })).extensions).toMatchObject({ field: 'file.rate' });
    const reader = await workspaceWithKey(p.pool, ['read']);
    expect((await errorOf(reader, imp, { f: 'Date,USD,\n2026-05-04,1.1,\n' })).extensions.code).toBe('FORBIDDEN');
  });
});

describe('budgets and bad currency codes', () => {
  let c: Ws;
  beforeAll(async () => {
    c = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    await setCurrency(c, 'EUR');
    // Today is after the shipped history's last day: the newest rates apply.
    await ingestAndWait(p, c, [
      event('2026-12-02T08:00:00Z', 'USD', '10.5'), event('2026-12-02T09:00:00Z', 'EUR', '3.25'),
      event('2026-12-02T10:00:00Z', 'GBP', '7.125'), event('2026-12-02T11:00:00Z', 'JPY', '1500'),
    ]);
  }, 120_000);

  it('a budget counts every currency, converted to the reporting currency', async () => {
    const budget = (await gql(c, `mutation { createBudget(input: { name: "all", period: daily, amount: "100", wholeWorkspace: true }) { currency spend } }`)).createBudget;
    const expected = [...(await truth(c, 'EUR')).values()].reduce((s, v) => s.plus(v), new Decimal(0));
    expect(budget.currency).toBe('EUR');
    expect(new Decimal(budget.spend).minus(expected).abs().lt('1e-9')).toBe(true);
    const direct = new Decimal('10.5').dividedBy(rateOf('USD', '2026-12-02')).plus('3.25')
      .plus(new Decimal('7.125').dividedBy(rateOf('GBP', '2026-12-02'))).plus(new Decimal(1500).dividedBy(rateOf('JPY', '2026-12-02')));
    expect(new Decimal(budget.spend).minus(direct).abs().lt('1e-9')).toBe(true);
    const other = await errorOf(c, `mutation { createBudget(input: { name: "usd", period: daily, amount: "1", currency: "USD", wholeWorkspace: true }) { id } }`);
    expect(other.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.currency' });
  });

  it('the FOCUS export states its costs in the reporting currency', async () => {
    const res = await fetch(`${p.apiUrl}/v1/exports/focus?format=ndjson&from=2026-12-02&to=2026-12-02`, { headers: { authorization: `Bearer ${c.key}` } });
    expect(res.status).toBe(200);
    const rows = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(new Set(rows.map((r) => r.BillingCurrency))).toEqual(new Set(['EUR']));
    const billed = rows.reduce((s, r) => s.plus(r.BilledCost!), new Decimal(0));
    const expected = [...(await truth(c, 'EUR')).values()].reduce((s, v) => s.plus(v), new Decimal(0));
    expect(billed.minus(expected).abs().lt('1e-9')).toBe(true);
  });

  it('pools and revenue in other currencies convert at their own day\'s rate; margin = revenue − true cost', async () => {
    const pool = (await gql(c, 'mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id currency } }', { i: { name: 'gpu', amount: '1000', month: '2026-12', currency: 'GBP' } })).createCostPool;
    expect(pool.currency).toBe('GBP');
    await gql(c, 'mutation ($id: ID!) { setAllocationRule(poolId: $id, rule: { method: proportional, measure: cost, dimension: workflow }) { id } }', { id: pool.id });
    const res = await fetch(`${p.apiUrl}/v1/revenue`, {
      method: 'POST', headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'r-usd', day: '2026-12-02', customer_id: 'acme', amount: '50', currency: 'USD' }]),
    });
    expect(res.status).toBe(201);
    const [row] = (await gql(c, '{ economics(from: "2026-12-01", to: "2026-12-31", by: ["month"]) { directCost allocatedCost trueCost revenue margin } }')).economics;
    // Pools convert at the rate of their month's first day, revenue at its own day's (both the newest shipped rates here).
    expect(new Decimal(row.allocatedCost).minus(new Decimal(1000).dividedBy(rateOf('GBP', '2026-12-01'))).abs().lt('1e-9')).toBe(true);
    expect(new Decimal(row.revenue).minus(new Decimal(50).dividedBy(rateOf('USD', '2026-12-02'))).abs().lt('1e-9')).toBe(true);
    expect(new Decimal(row.margin).equals(new Decimal(row.revenue).minus(row.directCost).minus(row.allocatedCost))).toBe(true);
    const bad = await errorOf(c, 'mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id } }', { i: { name: 'x', amount: '1', month: '2026-12', currency: 'XYZ' } });
    expect(bad.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.currency' });
  });

  it('bad currency codes get a 400 naming the field', async () => {
    for (const currency of ['usd', 'XYZ', 'EURO']) {
      const res = await postEvents(p.apiUrl, c.key, [event('2026-12-02T08:00:00Z', currency, '1')]);
      expect(res.status, currency).toBe(400);
      expect(((await res.json()) as any).issues[0]).toMatchObject({ index: 0, path: 'currency' });
    }
    const noRates = await errorOf(c, 'mutation { updateWorkspace(input: { currency: "ARS" }) { currency } }');
    expect(noRates.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currency' });
    const notIso = await errorOf(c, 'mutation { updateWorkspace(input: { currency: "XYZ" }) { currency } }');
    expect(notIso.extensions).toMatchObject({ field: 'input.currency' });
    const coverage = (await gql(c, '{ fxRates { firstDay latestDay currencies } }')).fxRates;
    expect(coverage.firstDay).toBe('1999-01-04');
    expect(coverage.latestDay >= '2026-04-13').toBe(true);
    expect(coverage.currencies).toEqual(expect.arrayContaining(['EUR', 'USD', 'GBP', 'JPY']));
  });
});
