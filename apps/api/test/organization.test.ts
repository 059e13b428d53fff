// The organization overview through the real API, worker and database: a person who is a member
// of two of an organization's three workspaces sees those two, to the cent of SQL over their raw
// events, and nothing of the third (nor of another organization's workspace they belong to).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership, createApiKey, createOrganization, createWorkspaceIn, ensureWorkspace } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { person, signIn } from '@spendgraph/test-support/people';

const NOW = new Date('2026-11-20T12:00:00Z');
const RANGE = { from: '2026-11-01', to: '2026-11-20' };
const SQL_RANGE = ['2026-11-01T00:00:00Z', '2026-11-21T00:00:00Z'];

let p: Platform;
interface Ws { workspaceId: string; slug: string; key: string }
let a: Ws, b: Ws, c: Ws, elsewhere: Ws;
let session: string;

const OVERVIEW = `query ($range: TimeRange, $limit: Int) { organizationOverview(timeRange: $range, limit: $limit, granularity: day) {
  organization { slug } period { from to } totalCost calls
  workspaces { slug role totalCost calls share }
  trend { time partial totalCost byWorkspace { workspace totalCost } }
  topAgents { value totalCost calls byWorkspace { workspace totalCost } }
  topModels { value totalCost calls } topPlans { value totalCost calls }
  budgetsAtRisk { workspace budget { name state } }
} }`;

async function workspace(organizationId: string | null): Promise<Ws> {
  const slug = `t-org-${randomUUID().slice(0, 8)}`;
  const ws = organizationId ? await createWorkspaceIn(p.pool, organizationId, { slug }) : await ensureWorkspace(p.pool, slug);
  const { key } = await createApiKey(p.pool, ws.id, ['ingest', 'read', 'admin']);
  return { workspaceId: ws.id, slug, key };
}

/** Events of awkward exact costs on several days, agents, models and plans; `tag` marks values only this workspace has. */
function events(tag: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    occurred_at: new Date(Date.UTC(2026, 10, 1 + (i % 19), 3 + (i % 17), i % 60)).toISOString(),
    provider: 'openai', model: i % 3 ? 'gpt-4o' : `model-${tag}`,
    agent: i % 4 ? `agent-${i % 3}` : `agent-${tag}`, plan_id: i % 5 ? `plan-${i % 2}` : `plan-${tag}`,
    cost: `${(i * 7919) % 1000}.${String((i * 104729) % 1_000_000_000).padStart(9, '0')}`,
  }));
}

const overview = async (credential: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${p.apiUrl}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...headers },
    body: JSON.stringify({ query: OVERVIEW, variables: { range: RANGE, limit: 100 } }),
  });
  return { status: res.status, body: (await res.json()) as any };
};
/** The overview of a request that must succeed (its errors fail the test). */
const overviewData = async (credential: string, headers: Record<string, string> = {}) => {
  const { body } = await overview(credential, headers);
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data.organizationOverview;
};

async function sqlTotal(workspaceIds: string[]) {
  const { rows } = await p.pool.query(
    `SELECT sum(total_cost)::text AS cost, count(*)::text AS calls FROM usage_events WHERE workspace_id = ANY($1) AND occurred_at >= $2 AND occurred_at < $3`,
    [workspaceIds, ...SQL_RANGE]);
  return rows[0] as { cost: string; calls: string };
}

async function sqlBy(column: 'agent' | 'model' | 'plan_id', workspaceIds: string[]) {
  const { rows } = await p.pool.query(
    `SELECT ${column} AS value, sum(total_cost)::text AS "totalCost", count(*)::text AS calls FROM usage_events
      WHERE workspace_id = ANY($1) AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1`, [workspaceIds, ...SQL_RANGE]);
  return rows;
}

/** Decimal strings compared as numbers of the database: `1.50` and `1.5` are equal. */
const same = async (x: string | null, y: string | null) => (await p.pool.query('SELECT $1::numeric IS NOT DISTINCT FROM $2::numeric AS eq', [x, y])).rows[0].eq;

beforeAll(async () => {
  p = await startPlatform({ worker: false, now: NOW });
  // Hard budgets are checked after each batch; no schedule (this file's evaluations are the ones it causes).
  p.startWorker({ WORKER_QUEUES: 'ingest,budgets,alerts', BUDGET_EVAL_EVERY_MS: '0' });
  const org = await createOrganization(p.pool, { slug: `t-org-${randomUUID().slice(0, 8)}` });
  [a, b, c] = [await workspace(org.id), await workspace(org.id), await workspace(org.id)];
  elsewhere = await workspace(null);
  for (const [ws, tag, n] of [[a, 'a', 61], [b, 'b', 47], [c, 'c', 53], [elsewhere, 'x', 13]] as const) await ingestAndWait(p, ws, events(tag, n));
  // A hard monthly budget over its limit in A and in C: only A's may be shown.
  for (const ws of [a, c]) {
    await graphqlData(p.apiUrl, ws.key, 'mutation ($input: BudgetInput!) { createBudget(input: $input) { id } }',
      { input: { name: `cap ${ws.slug}`, wholeWorkspace: true, period: 'monthly', amount: '10', mode: 'hard' } });
  }
  const someone = await person(p.pool, 'two-of-three');
  await addMembership(p.pool, { userId: someone.id, workspaceId: a.workspaceId, role: 'viewer' });
  await addMembership(p.pool, { userId: someone.id, workspaceId: b.workspaceId, role: 'analyst' });
  await addMembership(p.pool, { userId: someone.id, workspaceId: elsewhere.workspaceId, role: 'owner' });
  const res = await signIn(p.apiUrl, someone.email);
  session = ((await res.json()) as { session: string }).session;
}, 180_000);
afterAll(async () => p?.stop());

describe('organizationOverview for a member of two of three workspaces', () => {
  it('lists exactly the two workspaces, to the cent of SQL over their raw events, and nothing of the third', async () => {
    for (const acting of [a.slug, b.slug]) {
      const { status, body } = await overview(session, { 'x-spendgraph-workspace': acting });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const o = body.data.organizationOverview;
      expect(o.workspaces.map((w: { slug: string }) => w.slug).sort()).toEqual([a.slug, b.slug].sort());
      expect(Object.fromEntries(o.workspaces.map((w: { slug: string; role: string }) => [w.slug, w.role]))).toEqual({ [a.slug]: 'viewer', [b.slug]: 'analyst' });
      const text = JSON.stringify(body);
      for (const hidden of [c.slug, 'agent-c', 'model-c', 'plan-c', elsewhere.slug, 'agent-x', `cap ${c.slug}`]) expect(text).not.toContain(hidden);

      const sql = await sqlTotal([a.workspaceId, b.workspaceId]);
      expect(await same(o.totalCost, sql.cost)).toBe(true);
      expect(o.calls).toBe(sql.calls);
      for (const w of o.workspaces) {
        const own = await sqlTotal([w.slug === a.slug ? a.workspaceId : b.workspaceId]);
        expect(await same(w.totalCost, own.cost)).toBe(true);
      }
    }
  });

  it('ranks agents, models and plans over both workspaces exactly as SQL groups their events', async () => {
    const o = await overviewData(session);
    const permitted = [a.workspaceId, b.workspaceId];
    for (const [field, column] of [['topAgents', 'agent'], ['topModels', 'model'], ['topPlans', 'plan_id']] as const) {
      const expected = await sqlBy(column, permitted);
      expect(o[field]).toHaveLength(expected.length);
      for (const row of expected) {
        const got = o[field].find((g: { value: string | null }) => g.value === row.value);
        expect(got, `${field} ${row.value}`).toBeDefined();
        expect(await same(got.totalCost, row.totalCost)).toBe(true);
        expect(got.calls).toBe(row.calls);
      }
    }
  });

  it('sums the trend per day exactly, and shows only the permitted workspace budget at risk', async () => {
    const o = await overviewData(session);
    const { rows } = await p.pool.query(
      `SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS time, sum(total_cost)::text AS cost
         FROM usage_events WHERE workspace_id = ANY($1) AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1 ORDER BY 1`,
      [[a.workspaceId, b.workspaceId], ...SQL_RANGE]);
    expect(o.trend.map((t: { time: string }) => t.time)).toEqual(rows.map((r) => r.time));
    for (const [i, r] of rows.entries()) expect(await same(o.trend[i].totalCost, r.cost)).toBe(true);
    expect(o.budgetsAtRisk).toEqual([{ workspace: a.slug, budget: { name: `cap ${a.slug}`, state: 'over' } }]);
  });

  it('cannot be pointed at the third workspace, and a key reaches its own workspace only', async () => {
    const refused = await overview(session, { 'x-spendgraph-workspace': c.slug });
    expect(refused.status).toBe(403);
    const byKey = (await graphqlData(p.apiUrl, c.key, OVERVIEW, { range: RANGE })).organizationOverview;
    expect(byKey.workspaces.map((w: { slug: string }) => w.slug)).toEqual([c.slug]);
    expect(await same(byKey.totalCost, (await sqlTotal([c.workspaceId])).cost)).toBe(true);
  });

  it('in the other organization shows only that organization', async () => {
    const o = await overviewData(session, { 'x-spendgraph-workspace': elsewhere.slug });
    expect(o.workspaces.map((w: { slug: string }) => w.slug)).toEqual([elsewhere.slug]);
  });

  it('names a bad argument', async () => {
    const { body } = await graphqlRequest(p.apiUrl, a.key, '{ organizationOverview(limit: 0) { calls } }');
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'limit' });
  });
});

describe('organization budgets', () => {
  const CREATE = `mutation ($input: BudgetInput!) { createBudget(input: $input) { id spend state blocking organization { all workspaceCount } } }`;
  const guard = async (key: string) => (await fetch(`${p.apiUrl}/v1/guard/check?model=gpt-4o`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<any>;
  const monthSpend = async (ids: string[]) => (await p.pool.query(
    `SELECT coalesce(sum(total_cost), 0)::text AS cost FROM usage_events WHERE workspace_id = ANY($1) AND occurred_at >= '2026-11-01' AND occurred_at <= $2`,
    [ids, NOW.toISOString()])).rows[0].cost as string;
  let manager: string;
  let d: Ws;

  beforeAll(async () => {
    d = await workspace((await p.pool.query('SELECT organization_id FROM workspaces WHERE id = $1', [a.workspaceId])).rows[0].organization_id);
    const someone = await person(p.pool, 'manager');
    for (const ws of [a, b, d]) await addMembership(p.pool, { userId: someone.id, workspaceId: ws.workspaceId, role: 'admin' });
    manager = ((await (await signIn(p.apiUrl, someone.email)).json()) as { session: string }).session;
  });

  it('needs budgets:manage in every workspace it covers, and in all of them for the whole organization', async () => {
    const input = { name: 'org cap', wholeWorkspace: true, period: 'monthly', amount: '1', mode: 'hard' };
    // The two-of-three person is an analyst in B but a viewer in A.
    const headers = { 'x-spendgraph-workspace': b.slug };
    const asPerson = (who: string, variables: Record<string, unknown>) => fetch(`${p.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${who}`, ...headers },
      body: JSON.stringify({ query: CREATE, variables }),
    }).then((r) => r.json() as Promise<any>);
    const refused = await asPerson(session, { input: { ...input, organization: { workspaces: [a.slug, b.slug] } } });
    expect(refused.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'input.organization.workspaces' } });
    expect(refused.errors[0].message).toContain(`'${a.slug}'`);
    const third = await asPerson(manager, { input: { ...input, organization: { workspaces: [b.slug, c.slug] } } });
    expect(third.errors[0].extensions.code).toBe('FORBIDDEN');
    const all = await asPerson(manager, { input: { ...input, organization: {} } });
    expect(all.errors[0].message).toMatch(/all of the organization's workspaces needs the budgets:manage permission/);
    expect((await p.pool.query(`SELECT count(*)::int AS n FROM budgets WHERE name = 'org cap'`)).rows[0].n).toBe(0);
  });

  it('adds up only workspaces of one reporting currency: one reporting in EUR is refused, naming it', async () => {
    await p.pool.query(`UPDATE workspaces SET currency = 'EUR' WHERE id = $1`, [d.workspaceId]);
    try {
      const res = await fetch(`${p.apiUrl}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}`, 'x-spendgraph-workspace': b.slug },
        body: JSON.stringify({ query: CREATE, variables: { input: { name: 'mixed', wholeWorkspace: true, period: 'monthly', amount: '1', organization: { workspaces: [b.slug, d.slug] } } } }),
      }).then((r) => r.json() as Promise<any>);
      expect(res.errors[0]).toMatchObject({ extensions: { code: 'INVALID_ARGUMENT', field: 'input.organization.workspaces' } });
      expect(res.errors[0].message).toContain(`${d.slug} reports in EUR`);
    } finally {
      await p.pool.query(`UPDATE workspaces SET currency = 'USD' WHERE id = $1`, [d.workspaceId]);
    }
  });

  it('sums its spend over its workspaces to the cent, and its hard stop blocks a call in each of them only', async () => {
    const [inB, inD] = [await monthSpend([b.workspaceId]), await monthSpend([d.workspaceId])];
    expect(inD).toBe('0');
    // Over the limit only through B's spend plus what D spends next.
    const amount = (await p.pool.query('SELECT ($1::numeric + 5)::text AS v', [inB])).rows[0].v;
    const res = await fetch(`${p.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}`, 'x-spendgraph-workspace': b.slug },
      body: JSON.stringify({ query: CREATE, variables: { input: { name: 'b and d', wholeWorkspace: true, period: 'monthly', amount, mode: 'hard', organization: { workspaces: [b.slug, d.slug] } } } }),
    });
    const created = ((await res.json()) as any).data.createBudget;
    expect(created).toMatchObject({ state: 'warning', blocking: false, organization: { all: false, workspaceCount: 2 } });
    expect(await same(created.spend, inB)).toBe(true);
    expect(await guard(d.key)).toMatchObject({ allow: true });

    await ingestAndWait(p, d, [{ occurred_at: new Date(NOW.getTime() - 60_000).toISOString(), provider: 'openai', model: 'gpt-4o', cost: '5.000000001' }]);
    const denied = await waitFor(async () => {
      const g = await guard(d.key);
      return !g.allow && g;
    }, 20_000, 'the organization budget to deny in D');
    expect(denied.reason).toContain(`hard budget 'b and d' (${created.id}) is over its limit`);
    expect(await same(denied.budgets[0].spend, await monthSpend([b.workspaceId, d.workspaceId]))).toBe(true);
    expect(await guard(b.key)).toMatchObject({ allow: false });
    // C is not covered: only its own budget speaks there, and the overview's other figures are unchanged.
    const inC = await guard(c.key);
    expect(inC.budgets.map((x: { id: string }) => x.id)).not.toContain(created.id);
  });
});
