// Asks a question on its surface and brings the answer to one shape: the tree's nodes by
// path, the series' points by key and time, or a budget's spend and when it was evaluated.
import type { Question } from './questions.ts';
import type { Key, Values } from './truth.ts';

export interface Api { url: string; key: string }

export type Answer =
  | { kind: 'tree'; nodes: Array<{ path: Key; values: Values }>; rollups?: string[] }
  | { kind: 'series'; points: Array<{ key: Key; time: string; values: Values }>; rollups?: string[] }
  | { kind: 'spend'; spend: string; evaluatedAt: string; budgetId: string }
  | { kind: 'refused'; code: string; message: string };

class Refused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

async function graphql(api: Api, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}, not JSON`, extensions: { code: String(res.status) } }] }))) as any;
  if (body.errors?.length) throw new Refused(String(body.errors[0].extensions?.code ?? res.status), body.errors[0].message);
  return body;
}

const timeRange = (q: Question) => (q.range ? q.range : null);

const NODE = 'value measures { measure value }';
const treeSelection = (depth: number): string => (depth === 0 ? NODE : `${NODE} children { ${treeSelection(depth - 1)} }`);

const valuesOf = (measures: Array<{ measure: string; value: string | null }>): Values =>
  Object.fromEntries(measures.map((m) => [m.measure, m.value]));

/** The GraphQL/embed tree, walked into nodes by path. */
function walk(node: any, path: Key, out: Array<{ path: Key; values: Values }>) {
  out.push({ path, values: valuesOf(node.measures) });
  for (const c of node.children ?? []) walk(c, [...path, c.value ?? null], out);
  return out;
}

function seriesPoints(ts: any) {
  return ts.series.flatMap((s: any) => s.points.map((p: any) => ({ key: s.key.map((k: any) => k.value), time: p.time, values: valuesOf(p.measures) })));
}

const ARGS = { measures: (q: Question) => q.measures, by: (q: Question) => q.by };

async function graphqlBreakdown(api: Api, q: Question): Promise<Answer> {
  const body = await graphql(api, `query ($m: [String!]!, $by: [String!]!, $f: [Filter!], $r: TimeRange, $tz: String) {
    breakdown(measures: $m, by: $by, filters: $f, timeRange: $r, timezone: $tz) { ${treeSelection(q.by.length)} } }`,
  { m: ARGS.measures(q), by: ARGS.by(q), f: q.filters, r: timeRange(q), tz: q.timezone });
  return { kind: 'tree', nodes: walk(body.data.breakdown, [], []), rollups: body.extensions?.usedPreAggregations ?? [] };
}

async function graphqlTimeseries(api: Api, q: Question): Promise<Answer> {
  const body = await graphql(api, `query ($m: [String!]!, $by: [String!], $f: [Filter!], $r: TimeRange, $tz: String, $g: Granularity!) {
    timeseries(measures: $m, by: $by, filters: $f, timeRange: $r, timezone: $tz, granularity: $g) { series { key { value } points { time measures { measure value } } } } }`,
  { m: q.measures, by: q.by, f: q.filters, r: timeRange(q), tz: q.timezone, g: q.granularity });
  return { kind: 'series', points: seriesPoints(body.data.timeseries), rollups: body.extensions?.usedPreAggregations ?? [] };
}

function exportQuery(q: Question, extra: Record<string, string>) {
  const p = new URLSearchParams({ format: 'json', measures: q.measures.join(','), timezone: q.timezone, ...extra });
  if (q.by.length) p.set('by', q.by.join(','));
  if (q.filters.length) p.set('filters', JSON.stringify(q.filters));
  if (q.range && 'relative' in q.range) p.set('relative', q.range.relative);
  else if (q.range) {
    p.set('from', q.range.from);
    if (q.range.to) p.set('to', q.range.to);
  }
  return p.toString();
}

async function rest(api: Api, path: string): Promise<any[]> {
  let res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.key}` } });
  // A workspace runs a bounded number of exports at once (429 + Retry-After): wait as a client should.
  for (let attempt = 0; res.status === 429 && attempt < 20; attempt++) {
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 250 * Math.min(Number(res.headers.get('retry-after') ?? 1), 4)));
    res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.key}` } });
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as any;
    throw new Refused(String(body.code ?? res.status), body.message ?? `HTTP ${res.status}`);
  }
  return (await res.json()) as any[];
}

async function restBreakdown(api: Api, q: Question): Promise<Answer> {
  const rows = await rest(api, `/v1/exports/breakdown?${exportQuery(q, {})}`);
  // One row per node, depth first; its path is in the `by` columns.
  const nodes = rows.map((row) => ({
    path: q.by.slice(0, row.depth).map((d) => (row[d] ?? null) as string | null),
    values: Object.fromEntries(q.measures.map((m) => [m, row[m] ?? null])),
  }));
  return { kind: 'tree', nodes };
}

async function restTimeseries(api: Api, q: Question): Promise<Answer> {
  const rows = await rest(api, `/v1/exports/timeseries?${exportQuery(q, { granularity: q.granularity! })}`);
  return { kind: 'series', points: rows.map((row) => ({ key: q.by.map((d) => row[d] ?? null), time: row.time, values: Object.fromEntries(q.measures.map((m) => [m, row[m] ?? null])) })) };
}

/** An embed token is made once per question (outside the compared moment); the answer is GET /v1/embeds/:token. */
export async function embedToken(api: Api, q: Question): Promise<string> {
  const kind = q.surface === 'embed-timeseries' ? 'timeseries' : 'breakdown';
  const body = await graphql(api, 'mutation ($i: EmbedInput!) { createEmbedToken(input: $i) { token } }', {
    i: { kind, measures: q.measures, by: q.by, filters: q.filters, timeRange: timeRange(q), timezone: q.timezone, ...(q.granularity ? { granularity: q.granularity } : {}) },
  });
  return body.data.createEmbedToken.token;
}

async function embed(api: Api, token: string): Promise<Answer> {
  const res = await fetch(`${api.url}/v1/embeds/${encodeURIComponent(token)}`);
  const body = (await res.json()) as any;
  if (res.status !== 200) throw new Refused(String(body.code ?? body.error ?? res.status), body.message ?? `HTTP ${res.status}`);
  return body.timeseries ? { kind: 'series', points: seriesPoints(body.timeseries) } : { kind: 'tree', nodes: walk(body.breakdown, [], []) };
}

/** A budget made now is evaluated now: its answer carries the spend and the moment. */
async function budget(api: Api, q: Question): Promise<Answer> {
  const b = q.budget!;
  const input = {
    name: `consistency ${q.id}`, period: b.period, ...(b.rollingDays ? { rollingDays: b.rollingDays } : {}), timezone: q.timezone,
    amount: '1000000', forecastAlerts: false, thresholds: [100],
    ...(b.scope.length ? { scope: b.scope } : { wholeWorkspace: true }),
  };
  const body = await graphql(api, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id spend evaluatedAt } }', { i: input });
  const made = body.data.createBudget;
  return { kind: 'spend', spend: made.spend, evaluatedAt: made.evaluatedAt, budgetId: made.id };
}

/** Budgets made for a question are removed after it (a failed removal changes no figure). */
export async function deleteBudget(api: Api, id: string) {
  await graphql(api, 'mutation ($id: ID!) { deleteBudget(id: $id) }', { id }).catch(() => {});
}

/** The answer, or the refusal (code and message) when the API says no. */
export async function ask(api: Api, q: Question, embedTokenFor?: string): Promise<Answer> {
  try {
    switch (q.surface) {
      case 'graphql-breakdown': return await graphqlBreakdown(api, q);
      case 'graphql-timeseries': return await graphqlTimeseries(api, q);
      case 'rest-breakdown': return await restBreakdown(api, q);
      case 'rest-timeseries': return await restTimeseries(api, q);
      case 'embed-breakdown':
      case 'embed-timeseries': return await embed(api, embedTokenFor!);
      case 'budget': return await budget(api, q);
    }
  } catch (e) {
    if (e instanceof Refused) return { kind: 'refused', code: e.code, message: e.message };
    // No answer at all (the API process is gone, a connection reset): a failure of the surface, not of the check.
    if (e instanceof TypeError) return { kind: 'refused', code: 'UNREACHABLE', message: `${e.message}: ${String((e as { cause?: unknown }).cause ?? '')}` };
    throw e;
  }
}
