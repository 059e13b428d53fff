// The demo's unit economics (issue 17), so the profitability page is alive on first start:
// shared cost pools for every month of the period (allocated by the model over workflows,
// features and customers) and a monthly invoice per customer and feature, priced at a
// deterministic multiple of what it cost — most customers profitable, a few not. Everything goes
// through the real API (GraphQL for pools, POST /v1/revenue for revenue); ids are fixed, so a
// rerun stores nothing twice.
import { Decimal } from 'decimal.js';
import { unit } from './bills.ts';

const POOLS = [
  { name: 'Vector database', amount: '1200', rule: { method: 'proportional', measure: 'calls', dimension: 'feature' } },
  { name: 'GPU hosts', amount: '2000', rule: { method: 'proportional', measure: 'cost', dimension: 'workflow' } },
  { name: 'Observability', amount: '300', rule: { method: 'proportional', measure: 'calls', dimension: 'customer' } },
  { name: 'Support contract', amount: '150', rule: { method: 'even', dimension: 'workflow' } },
] as const;

async function graphql(apiUrl: string, key: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }),
  });
  const body = await res.json() as { data?: any; errors?: unknown };
  if (!res.ok || !body.data) throw new Error(`demo economics: ${res.status} ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The months (YYYY-MM) the period touches. */
function monthsOf(days: number, end: Date): string[] {
  const months = new Set<string>();
  for (let t = end.getTime() - days * 86_400_000; t <= end.getTime(); t += 86_400_000) months.add(new Date(t).toISOString().slice(0, 7));
  return [...months].sort();
}

async function ensurePools(apiUrl: string, key: string, months: string[]): Promise<number> {
  let n = 0;
  for (const month of months) {
    for (const pool of POOLS) {
      const { createCostPool: { id } } = await graphql(apiUrl, key, 'mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id } }',
        { i: { name: pool.name, amount: pool.amount, month } });
      await graphql(apiUrl, key, 'mutation ($id: ID!, $r: AllocationRuleInput!) { setAllocationRule(poolId: $id, rule: $r) { id } }', { id, r: pool.rule });
      n += 1;
    }
  }
  return n;
}

/** Each customer × feature × month's invoice: its direct cost × 0.6–4 (a few customers under 1). */
async function postRevenue(apiUrl: string, key: string, days: number, end: Date): Promise<number> {
  const query = `query ($from: String, $to: String) { timeseries(measures: ["total_cost"], granularity: month, by: ["customer_id", "feature"],
    timeRange: { from: $from, to: $to }, timezone: "UTC") { series { key { value } points { time measures { value } } } } }`;
  const from = new Date(end.getTime() - days * 86_400_000).toISOString();
  const { timeseries } = await graphql(apiUrl, key, query, { from, to: end.toISOString() });
  const entries = (timeseries.series as Array<{ key: Array<{ value: string | null }>; points: Array<{ time: string; measures: Array<{ value: string | null }> }> }>)
    .filter(({ key: [customer] }) => customer!.value)
    .flatMap(({ key: [customer, feature], points }) => points.filter((p) => p.measures[0]!.value).map((p) => {
      const month = p.time.slice(0, 7);
      const margin = unit(`${customer!.value}`) < 0.2 ? 0.6 : 1.5 + unit(`${customer!.value}:${feature!.value}`) * 2.5;
      return {
        id: `demo:${customer!.value}:${feature!.value ?? ''}:${month}`, day: `${month}-01`, customer_id: customer!.value, feature: feature!.value,
        amount: new Decimal(p.measures[0]!.value!).times(margin).toDecimalPlaces(2).toFixed(2), currency: 'USD',
      };
    }))
    .filter((e) => new Decimal(e.amount).gt(0));
  if (!entries.length) return 0;
  const res = await fetch(`${apiUrl}/v1/revenue`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(entries),
  });
  if (res.status !== 201) throw new Error(`POST /v1/revenue answered ${res.status}: ${await res.text()}`);
  return entries.length;
}

/** Pools for every month of the period and the customers' revenue; returns how many of each. */
export async function ensureDemoEconomics(apiUrl: string, key: string, { days, end }: { days: number; end: Date }) {
  return { pools: await ensurePools(apiUrl, key, monthsOf(days, end)), revenue: await postRevenue(apiUrl, key, days, end) };
}
