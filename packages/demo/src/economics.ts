// The demo's unit economics (issue 17), so the profitability page is alive on first start:
// shared cost pools for every month of the period (allocated by the model over workflows,
// features and customers) and a monthly invoice per customer and feature, priced at a
// deterministic multiple of what it cost — most customers profitable, a few not. Pools are sized
// as shares of their month's direct cost (the month so far, for the current one), so the margins
// read alike whatever the demo's size; the vector database comes as an AWS-shaped FOCUS file
// (POST /v1/cost-pools/focus), the others by GraphQL. Everything goes through the real API; ids,
// names and months are fixed, so a rerun stores nothing twice (it updates the pools' amounts).
import { Decimal } from 'decimal.js';
import { unit } from './bills.ts';

/** Pools entered by GraphQL: a share of the month's direct cost each. */
const POOLS = [
  { name: 'GPU hosts', share: '0.10', rule: { method: 'proportional', measure: 'cost', dimension: 'workflow' } },
  { name: 'Observability', share: '0.015', rule: { method: 'proportional', measure: 'calls', dimension: 'customer' } },
  { name: 'Support contract', share: '0.01', rule: { method: 'even', dimension: 'workflow' } },
] as const;
/** The vector database, imported from a FOCUS file: its storage and compute lines, grouped by a tag column naming the pool. */
const VECTOR_DB = { name: 'Vector database', service: 'Amazon OpenSearch Service', share: '0.06', storage: '0.3', query: 'group_by=x_Pool&dimension=feature&measure=calls' };

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

/** Direct cost per month (YYYY-MM) of the period. */
async function monthlyCost(apiUrl: string, key: string, days: number, end: Date): Promise<Map<string, Decimal>> {
  const query = `query ($from: String, $to: String) { timeseries(measures: ["total_cost"], granularity: month, by: [],
    timeRange: { from: $from, to: $to }, timezone: "UTC") { series { points { time measures { value } } } } }`;
  const { timeseries } = await graphql(apiUrl, key, query, { from: new Date(end.getTime() - days * 86_400_000).toISOString(), to: end.toISOString() });
  const points = (timeseries.series[0]?.points ?? []) as Array<{ time: string; measures: Array<{ value: string | null }> }>;
  return new Map(points.map((p) => [p.time.slice(0, 7), new Decimal(p.measures[0]!.value ?? 0)]));
}

/** A pool's amount: its share of the month's cost in cents, at least one dollar. */
const amountOf = (cost: Decimal | undefined, share: string) => Decimal.max(1, (cost ?? new Decimal(0)).times(share).toDecimalPlaces(2));

/** The vector database's FOCUS file: per month, a storage and a compute line adding up to its amount. */
function vectorDbFocus(months: string[], costs: Map<string, Decimal>): string {
  const lines = months.flatMap((month) => {
    const amount = amountOf(costs.get(month), VECTOR_DB.share);
    const storage = amount.times(VECTOR_DB.storage).toDecimalPlaces(2);
    return ([['Storage', storage], ['Compute', amount.minus(storage)]] as const)
      .map(([usage, cost]) => `${month}-01T00:00:00Z,AWS,${VECTOR_DB.service},Databases,${usage},${cost.toFixed(2)},USD,${VECTOR_DB.name}`);
  });
  return `ChargePeriodStart,ServiceProviderName,ServiceName,ServiceCategory,ChargeDescription,BilledCost,BillingCurrency,x_Pool\n${lines.join('\n')}\n`;
}

async function ensurePools(apiUrl: string, key: string, months: string[], costs: Map<string, Decimal>): Promise<number> {
  let n = 0;
  for (const month of months) {
    for (const pool of POOLS) {
      const { createCostPool: { id } } = await graphql(apiUrl, key, 'mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id } }',
        { i: { name: pool.name, amount: amountOf(costs.get(month), pool.share).toFixed(), month } });
      await graphql(apiUrl, key, 'mutation ($id: ID!, $r: AllocationRuleInput!) { setAllocationRule(poolId: $id, rule: $r) { id } }', { id, r: pool.rule });
      n += 1;
    }
  }
  const res = await fetch(`${apiUrl}/v1/cost-pools/focus?${VECTOR_DB.query}`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body: vectorDbFocus(months, costs),
  });
  if (res.status !== 201) throw new Error(`POST /v1/cost-pools/focus answered ${res.status}: ${await res.text()}`);
  return n + ((await res.json()) as { pools: unknown[] }).pools.length;
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
  const costs = await monthlyCost(apiUrl, key, days, end);
  return { pools: await ensurePools(apiUrl, key, monthsOf(days, end), costs), revenue: await postRevenue(apiUrl, key, days, end) };
}
