// Issue 24's wall, through the real API, worker and database: a person who is a member of two of
// an organization's three workspaces never sees the third's figures — in the organization
// overview, in the explorer segmented by workspace (breakdown and timeseries), in exports and in
// embeds — while what they may see equals SQL over the raw events to the cent. A key reaches its own
// workspace only. Organization budgets show to whoever may read every workspace they cover, and
// alert the workspace-wide channels of each.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership, createApiKey, createOrganization, createWorkspaceIn } from '@spendgraph/db';
import { writeMorningReport } from '@spendgraph/insights';
import { createSemanticLayer } from '@spendgraph/semantic';
import { type Platform, graphqlData, ingestAndWait, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { person, signIn } from '@spendgraph/test-support/people';

const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = { from: '2026-11-01', to: '2026-11-20' };
const SQL_RANGE = ['2026-11-01T00:00:00Z', '2026-11-21T00:00:00Z'];

let p: Platform;
interface Ws { workspaceId: string; slug: string; key: string }
let a: Ws, b: Ws, c: Ws;
let session: string;
let admin: string;
/** What only the third workspace's events carry: none of it may appear in an answer to the two-of-three person. */
const HIDDEN = () => [c.slug, c.workspaceId, 'agent-c', 'model-c'];

async function workspace(organizationId: string): Promise<Ws> {
  const slug = `t-reach-${randomUUID().slice(0, 8)}`;
  const ws = await createWorkspaceIn(p.pool, organizationId, { slug });
  const { key } = await createApiKey(p.pool, ws.id, ['ingest', 'read', 'admin']);
  return { workspaceId: ws.id, slug, key };
}

const events = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({
  occurred_at: new Date(Date.UTC(2026, 10, 1 + (i % 19), 2 + (i % 19), i % 60)).toISOString(),
  provider: 'openai', model: i % 3 ? 'gpt-4o' : `model-${tag}`, agent: i % 4 ? `agent-${i % 3}` : `agent-${tag}`,
  cost: `${(i * 7919) % 1000}.${String((i * 104729) % 1_000_000_000).padStart(9, '0')}`,
}));

/** A GraphQL request as someone (a session or a key), optionally acting in a named workspace. */
async function gql(credential: string, query: string, variables: Record<string, unknown> = {}, workspace?: string) {
  const res = await fetch(`${p.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...(workspace ? { 'x-spendgraph-workspace': workspace } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, text: await res.text() };
}
const data = async (credential: string, query: string, variables: Record<string, unknown> = {}, workspace?: string) => {
  const { text } = await gql(credential, query, variables, workspace);
  const body = JSON.parse(text);
  if (body.errors) throw new Error(`GraphQL errors: ${text}`);
  return body.data;
};
const expectHidden = (text: string) => { for (const h of HIDDEN()) expect(text).not.toContain(h); };

const sql = async (text: string, params: unknown[]) => (await p.pool.query(text, params)).rows;
const same = async (x: string | null, y: string | null) => (await sql('SELECT $1::numeric IS NOT DISTINCT FROM $2::numeric AS eq', [x, y]))[0].eq as boolean;
const ids = (...ws: Ws[]) => ws.map((w) => w.workspaceId);
async function sqlByAgent(ws: Ws[]) {
  return sql(`SELECT w.slug, e.agent, sum(e.total_cost)::text AS cost, count(*)::text AS calls FROM usage_events e JOIN workspaces w ON w.id = e.workspace_id
    WHERE e.workspace_id = ANY ($1) AND e.occurred_at >= $2 AND e.occurred_at < $3 GROUP BY 1, 2`, [ids(...ws), ...SQL_RANGE]);
}

beforeAll(async () => {
  p = await startPlatform({ worker: false, now: NOW });
  p.startWorker({ WORKER_QUEUES: 'ingest,budgets,alerts', BUDGET_EVAL_EVERY_MS: '0' });
  const org = await createOrganization(p.pool, { slug: `t-reach-${randomUUID().slice(0, 8)}` });
  [a, b, c] = [await workspace(org.id), await workspace(org.id), await workspace(org.id)];
  for (const [ws, tag, n] of [[a, 'a', 43], [b, 'b', 31], [c, 'c', 37]] as const) await ingestAndWait(p, ws, events(tag, n));
  const someone = await person(p.pool, 'two-of-three');
  await addMembership(p.pool, { userId: someone.id, workspaceId: a.workspaceId, role: 'viewer' });
  await addMembership(p.pool, { userId: someone.id, workspaceId: b.workspaceId, role: 'analyst' });
  session = ((await (await signIn(p.apiUrl, someone.email)).json()) as { session: string }).session;
  const all = await person(p.pool, 'org-admin');
  for (const ws of [a, b, c]) await addMembership(p.pool, { userId: all.id, workspaceId: ws.workspaceId, role: 'admin' });
  admin = ((await (await signIn(p.apiUrl, all.email)).json()) as { session: string }).session;
}, 180_000);
afterAll(async () => p?.stop());

const BREAKDOWN = `query ($w: [String!], $range: TimeRange) { breakdown(measures: ["total_cost", "calls", "avg_cost_per_call"], by: ["agent"], timeRange: $range, workspaces: $w) {
  measures { measure value share } children { dimension value label path { dimension value } measures { measure value share }
    children { dimension value path { dimension value } measures { measure value } } } } }`;
const TIMESERIES = `query ($w: [String!], $range: TimeRange) { timeseries(measures: ["total_cost"], granularity: day, timeRange: $range, workspaces: $w) {
  series { key { dimension value } label points { time measures { measure value } } } } }`;

describe('the overview', () => {
  it('lists the two workspaces and nothing of the third', async () => {
    const { text } = await gql(session, `query ($range: TimeRange) { organizationOverview(timeRange: $range, limit: 100) { totalCost workspaces { slug }
      topAgents { value } topModels { value } budgetsAtRisk { workspace } trend { byWorkspace { workspace } } } }`, { range: RANGE });
    const o = JSON.parse(text).data.organizationOverview;
    expect(o.workspaces.map((w: { slug: string }) => w.slug).sort()).toEqual([a.slug, b.slug].sort());
    expectHidden(text);
    const total = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = ANY ($1)', [ids(a, b)]))[0].v;
    expect(await same(o.totalCost, total)).toBe(true);
  });
});

describe('the explorer segmented by workspace', () => {
  it('groups a breakdown by workspace, then agent, exactly as SQL, over the two workspaces only', async () => {
    const { text } = await gql(session, BREAKDOWN, { w: [], range: RANGE });
    expectHidden(text);
    const root = JSON.parse(text).data.breakdown;
    expect(root.children.map((n: { value: string }) => n.value).sort()).toEqual([a.slug, b.slug].sort());
    const expected = await sqlByAgent([a, b]);
    const total = expected.reduce((s, r) => s + Number(r.calls), 0);
    expect(root.measures.find((m: { measure: string }) => m.measure === 'calls').value).toBe(String(total));
    // Averages over several workspaces are not derived from the parts.
    expect(root.measures.find((m: { measure: string }) => m.measure === 'avg_cost_per_call').value).toBeNull();
    for (const ws of root.children) {
      expect(ws).toMatchObject({ dimension: 'workspace', path: [{ dimension: 'workspace', value: ws.value }] });
      const rows = expected.filter((r) => r.slug === ws.value);
      expect(ws.children).toHaveLength(rows.length);
      for (const r of rows) {
        const child = ws.children.find((n: { value: string }) => n.value === r.agent);
        expect(child.path).toEqual([{ dimension: 'workspace', value: ws.value }, { dimension: 'agent', value: r.agent }]);
        expect(await same(child.measures[0].value, r.cost)).toBe(true);
        expect(child.measures[1].value).toBe(r.calls);
      }
    }
    const sum = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = ANY ($1) AND occurred_at >= $2 AND occurred_at < $3', [ids(a, b), ...SQL_RANGE]))[0].v;
    expect(await same(root.measures[0].value, sum)).toBe(true);
  });

  it('filters to one named workspace, and refuses the third by name, with no figure', async () => {
    const one = (await data(session, BREAKDOWN, { w: [b.slug], range: RANGE })).breakdown;
    expect(one.children.map((n: { value: string }) => n.value)).toEqual([b.slug]);
    const refused = await gql(session, BREAKDOWN, { w: [a.slug, c.slug], range: RANGE });
    const body = JSON.parse(refused.text);
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'workspaces[1]' });
    expect(body.data).toBeNull();
    // Acting in the third workspace is refused outright.
    expect((await gql(session, BREAKDOWN, { w: [], range: RANGE }, c.slug)).status).toBe(403);
  });

  it('keys each timeseries by its workspace; the points equal SQL per day; the third is absent', async () => {
    const { text } = await gql(session, TIMESERIES, { w: [], range: RANGE });
    expectHidden(text);
    const series = JSON.parse(text).data.timeseries.series;
    expect(series.map((s: { key: Array<{ value: string }> }) => s.key[0]!.value).sort()).toEqual([a.slug, b.slug].sort());
    for (const s of series) {
      const ws = s.key[0].value === a.slug ? a : b;
      const rows = await sql(`SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS time, sum(total_cost)::text AS cost
        FROM usage_events WHERE workspace_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1 ORDER BY 1`, [ws.workspaceId, ...SQL_RANGE]);
      expect(s.points.map((pt: { time: string }) => pt.time)).toEqual(rows.map((r) => r.time));
      for (const [i, r] of rows.entries()) expect(await same(s.points[i].measures[0].value, r.cost)).toBe(true);
    }
  });

  it('for a key, reaches its own workspace only', async () => {
    const root = (await graphqlData(p.apiUrl, c.key, BREAKDOWN, { w: [], range: RANGE })).breakdown;
    expect(root.children.map((n: { value: string }) => n.value)).toEqual([c.slug]);
    const refused = await gql(c.key, BREAKDOWN, { w: [a.slug], range: RANGE });
    expect(JSON.parse(refused.text).errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'workspaces[0]' });
  });
});

describe('exports and embeds', () => {
  const exportOf = (workspace: string, shape: string) => fetch(`${p.apiUrl}/v1/exports/${shape}?format=ndjson&from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z`, {
    headers: { authorization: `Bearer ${session}`, 'x-spendgraph-workspace': workspace },
  });

  it('exports each permitted workspace\'s own events and FOCUS rows, and refuses the third', async () => {
    for (const ws of [a, b]) {
      const res = await exportOf(ws.slug, 'events');
      expect(res.status).toBe(200);
      const text = await res.text();
      expectHidden(text);
      const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const count = (await sql('SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]))[0].n;
      expect(rows).toHaveLength(count);
      const focus = await exportOf(ws.slug, 'focus');
      expect(focus.status).toBe(200);
      expectHidden(await focus.text());
    }
    for (const shape of ['events', 'focus']) expect((await exportOf(c.slug, shape)).status).toBe(403);
    const viaGraphql = await gql(session, 'mutation { createExport(input: { shape: events, format: csv }) { id } }', {}, c.slug);
    expect(viaGraphql.status).toBe(403);
  });

  it('exports the organization\'s FOCUS rows as a section per permitted workspace, each summing to SQL, and nothing of the third', async () => {
    const res = await fetch(`${p.apiUrl}/v1/organization/exports/focus?format=ndjson&from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z`, { headers: { authorization: `Bearer ${session}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-spendgraph-workspaces')).toBe([a.slug, b.slug].sort().join(','));
    const text = await res.text();
    expectHidden(text);
    const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const organizationId = (await sql('SELECT organization_id FROM workspaces WHERE id = $1', [a.workspaceId]))[0].organization_id;
    expect(new Set(rows.map((r) => r.BillingAccountId))).toEqual(new Set([organizationId]));
    // One section per workspace, in slug order: the sub-account changes once.
    const order = [a, b].sort((x, y) => x.slug.localeCompare(y.slug)).map((w) => w.workspaceId);
    expect([...new Set(rows.map((r) => r.SubAccountId))]).toEqual(order);
    expect(rows.findIndex((r) => r.SubAccountId === order[1])).toBe(rows.filter((r) => r.SubAccountId === order[0]).length);
    for (const ws of [a, b]) {
      const billed = (await sql('SELECT coalesce(sum(v::numeric), 0)::text AS v FROM unnest($1::text[]) v', [rows.filter((r) => r.SubAccountId === ws.workspaceId).map((r) => r.BilledCost)]))[0].v;
      const own = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]))[0].v;
      expect(await same(billed, own)).toBe(true);
    }
    // A key: its own workspace's section only.
    const byKey = await fetch(`${p.apiUrl}/v1/organization/exports/focus?format=ndjson&from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z`, { headers: { authorization: `Bearer ${c.key}` } });
    expect(new Set((await byKey.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l).SubAccountId))).toEqual(new Set([c.workspaceId]));
  });

  it('embeds only what the workspace it was made in holds; the third cannot be embedded', async () => {
    const chart = { kind: 'breakdown', measures: ['total_cost', 'calls'], by: ['agent'], timeRange: RANGE };
    const made = (await data(session, 'mutation ($i: EmbedInput!) { createEmbedToken(input: $i) { token } }', { i: chart }, b.slug)).createEmbedToken; // an analyst there
    const res = await fetch(`${p.apiUrl}/v1/embeds/${encodeURIComponent(made.token)}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expectHidden(text);
    expect(text).not.toContain('agent-a');
    expect(text).toContain('agent-b');
    const refused = await gql(session, 'mutation ($i: EmbedInput!) { createEmbedToken(input: $i) { token } }', { i: chart }, c.slug);
    expect(refused.status).toBe(403);
  });
});

describe('the organization\'s morning report', () => {
  it('has a section per permitted workspace, each its stored report of the date, and nothing of the third', async () => {
    const semantic = await createSemanticLayer({ databaseUrl: p.env.DATABASE_URL!, preAggregationsSchema: p.env.SPENDGRAPH_ROLLUP_SCHEMA });
    try {
      for (const ws of [a, b, c]) await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: new Date('2026-11-20T07:00:00Z') });
    } finally {
      await semantic.close();
    }
    const QUERY = `query ($d: String) { organizationReport(forDate: $d) { forDate markdown sections { workspace name report { forDate markdown } } } }`;
    const { text } = await gql(session, QUERY, { d: '2026-11-19' });
    expectHidden(text);
    const r = JSON.parse(text).data.organizationReport;
    expect(r.forDate).toBe('2026-11-19');
    expect(r.sections.map((x: { workspace: string }) => x.workspace)).toEqual([a.slug, b.slug].sort());
    for (const x of r.sections) {
      const ws = x.workspace === a.slug ? a : b;
      const stored = (await sql(`SELECT markdown FROM reports WHERE workspace_id = $1 AND kind = 'morning' AND for_date = '2026-11-19'`, [ws.workspaceId]))[0].markdown;
      expect(x.report.markdown).toBe(stored);
      expect(r.markdown).toContain(`## ${x.name}`);
    }
    const third = (await sql(`SELECT markdown FROM reports WHERE workspace_id = $1`, [c.workspaceId]))[0].markdown as string;
    expect(third.length).toBeGreaterThan(0);
    // Without a date: the latest any permitted workspace has.
    expect((await data(session, QUERY, {})).organizationReport.forDate).toBe('2026-11-19');
    const bad = JSON.parse((await gql(session, QUERY, { d: 'yesterday' })).text);
    expect(bad.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'forDate' });
  });
});

describe('organization budgets across the wall', () => {
  const FIELDS = 'id name spend organization { all workspaces home }';
  let id: string;

  it('shows an organization budget over all three only to whoever may read all three, in any of them', async () => {
    const created = (await data(admin, `mutation ($i: BudgetInput!) { createBudget(input: $i) { ${FIELDS} } }`, {
      i: { name: 'all three', wholeWorkspace: true, period: 'monthly', amount: '100000', mode: 'soft', organization: {} },
    }, a.slug)).createBudget;
    id = created.id;
    expect(created.organization).toEqual({ all: true, workspaces: [a.slug, b.slug, c.slug].sort(), home: a.slug });
    const month = (await sql(`SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = ANY ($1) AND occurred_at >= '2026-11-01' AND occurred_at <= $2`,
      [ids(a, b, c), NOW.toISOString()]))[0].v;
    expect(await same(created.spend, month)).toBe(true);
    // Listed in C too (not only where it was made), and on the organization page.
    const inC = (await data(admin, `{ budgets { ${FIELDS} } organizationBudgets { id } }`, {}, c.slug));
    expect(inC.budgets.map((x: { id: string }) => x.id)).toContain(id);
    expect(inC.organizationBudgets.map((x: { id: string }) => x.id)).toEqual([id]);
    // The two-of-three person would learn C's spend from it: not shown to them anywhere.
    for (const ws of [a, b]) {
      const { text } = await gql(session, `{ budgets { ${FIELDS} } organizationBudgets { id } budget(id: "${id}") { id } }`, {}, ws.slug);
      expect(text).not.toContain(id);
      expectHidden(text);
    }
  });

  it('can be changed and deleted from another workspace it covers', async () => {
    const changed = (await data(admin, `mutation { updateBudget(id: "${id}", input: { amount: "200000" }) { amount organization { home } } }`, {}, c.slug)).updateBudget;
    expect(changed).toEqual({ amount: '200000', organization: { home: a.slug } });
    // The audit entry (in C, where it was changed) has the row before and after.
    const [entry] = await sql(`SELECT before->>'amount' AS before, after->>'amount' AS after FROM audit_log
      WHERE workspace_id = $1 AND action = 'updateBudget' AND target_id = $2`, [c.workspaceId, id]);
    expect(entry).toEqual({ before: '100000', after: '200000' });
    const refused = await gql(session, `mutation { deleteBudget(id: "${id}") }`, {}, b.slug);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await data(admin, `mutation { deleteBudget(id: "${id}") }`, {}, b.slug)).deleteBudget).toBe(true);
    expect((await sql('SELECT count(*)::int AS n FROM budgets WHERE id = $1', [id]))[0].n).toBe(0);
  });

  it('alerts the workspace-wide channels of every workspace it covers, not of the others', async () => {
    const channel = async (ws: Ws) => (await data(admin, 'mutation ($i: AlertChannelInput!) { createAlertChannel(input: $i) { id } }',
      { i: { name: `ops ${ws.slug}`, type: 'email', target: `ops-${ws.slug}@example.test` } }, ws.slug)).createAlertChannel.id as string;
    const [inA, inB, inC] = [await channel(a), await channel(b), await channel(c)];
    const budget = (await data(admin, `mutation ($i: BudgetInput!) { createBudget(input: $i) { id } }`, {
      i: { name: 'a and b', wholeWorkspace: true, period: 'monthly', amount: '1', mode: 'soft', thresholds: [50], forecastAlerts: false, organization: { workspaces: [a.slug, b.slug] } },
    }, b.slug)).createBudget.id;
    const deliveries = await waitFor(async () => {
      const rows = await sql(`SELECT d.workspace_id, d.channel_id FROM alert_deliveries d JOIN budget_alerts al ON al.id = d.alert_id WHERE al.budget_id = $1`, [budget]);
      return rows.length >= 2 && rows;
    }, 30_000, 'the organization budget\'s alert deliveries');
    expect(deliveries.map((d) => d.channel_id).sort()).toEqual([inA, inB].sort());
    expect(deliveries.map((d) => d.channel_id)).not.toContain(inC);
    for (const d of deliveries) expect(d.workspace_id).toBe(d.channel_id === inA ? a.workspaceId : b.workspaceId);
  });
});
