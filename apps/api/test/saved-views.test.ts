// Saved views and dashboards through GraphQL: CRUD, validation naming the field, private vs
// shared, tenant isolation, at most one pinned dashboard, the audit log, and an embedded
// dashboard whose figures equal the API's breakdown/timeseries for the same query, until revoked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };
let aOther: string; // a second read key of workspace a (another maker)
let aAdmin: string;

const VIEW = 'id name shared mine state { measures by filters { member operator values } timeRange { relative from to } granularity chart limit }';
const SAVE = `mutation($input: SaveViewInput!) { saveView(input: $input) { ${VIEW} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateViewInput!) { updateView(id: $id, input: $input) { ${VIEW} } }`;
const DELETE = `mutation($id: ID!) { deleteView(id: $id) }`;
const LIST = `{ savedViews { ${VIEW} } }`;
const ONE = `query($id: ID!) { savedView(id: $id) { ${VIEW} } }`;
const DASH = `id name pinned tiles { size view { id name } }`;
const CREATE_DASH = `mutation($input: DashboardInput!) { createDashboard(input: $input) { ${DASH} } }`;
const UPDATE_DASH = `mutation($id: ID!, $input: DashboardUpdate!) { updateDashboard(id: $id, input: $input) { ${DASH} } }`;
const PIN = `mutation($id: ID!, $pinned: Boolean) { pinDashboard(id: $id, pinned: $pinned) { ${DASH} } }`;
const GET_DASH = `query($id: ID!) { dashboard(id: $id) { ${DASH} } }`;
const EMBED = `mutation($id: ID!) { createDashboardEmbedToken(dashboardId: $id) { id token path } }`;
const REVOKE = `mutation($id: ID!) { revokeEmbedToken(id: $id) }`;

// Fixed days: the answers do not depend on when the test runs.
const RANGE = { from: '2026-11-01', to: '2026-11-10' };
const byProvider = { measures: ['total_cost', 'calls'], by: ['provider'], timeRange: RANGE, chart: 'bar' };
const overTime = { measures: ['total_cost'], by: ['provider'], timeRange: RANGE, granularity: 'day', chart: 'timeseries' };

const call = (day: number, provider: string, cost: string) => ({
  occurred_at: `2026-11-0${day}T10:00:00Z`, provider, model: 'm-1', usage: { input_tokens: 10, output_tokens: 5 }, cost,
});

async function refusal(key: string, query: string, variables: Record<string, unknown>) {
  const { status, body } = await graphqlRequest(p.apiUrl, key, query, variables);
  expect(status).toBeLessThan(500);
  expect(body.errors?.length, JSON.stringify(body)).toBeGreaterThan(0);
  return body.errors[0] as { message: string; extensions: { code: string; field?: string } };
}

const save = async (key: string, input: Record<string, unknown>) => (await graphqlData(p.apiUrl, key, SAVE, { input })).saveView;

beforeAll(async () => {
  p = await startPlatform();
  a = await workspaceWithKey(p.pool, ['ingest', 'read']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read']);
  aOther = (await createApiKey(p.pool, a.workspaceId, ['read'])).key;
  aAdmin = (await createApiKey(p.pool, a.workspaceId, ['admin'])).key;
  await ingestAndWait(p, a, [call(2, 'anthropic', '0.125000'), call(2, 'anthropic', '0.250000'), call(3, 'openai', '0.010000'), call(4, 'openai', '1.500000')]);
  await ingestAndWait(p, b, [call(2, 'google', '9.000000')]);
}, 120_000);
afterAll(async () => p?.stop());

describe('saved views', () => {
  it('saves, lists, renames and deletes a view, with its state normalized', async () => {
    const v = await save(a.key, { name: 'Cost by provider', state: { measures: ['total_cost'], by: ['provider'] } });
    expect(v).toMatchObject({ name: 'Cost by provider', shared: false, mine: true });
    expect(v.state).toEqual({ measures: ['total_cost'], by: ['provider'], filters: [], timeRange: { relative: 'last 30 days', from: null, to: null }, granularity: 'day', chart: 'timeseries', limit: 10 });
    expect((await graphqlData(p.apiUrl, a.key, LIST)).savedViews.map((x: { id: string }) => x.id)).toContain(v.id);
    const renamed = (await graphqlData(p.apiUrl, a.key, UPDATE, { id: v.id, input: { name: 'Spend by provider' } })).updateView;
    expect(renamed).toMatchObject({ id: v.id, name: 'Spend by provider', state: v.state });
    expect((await graphqlData(p.apiUrl, a.key, DELETE, { id: v.id })).deleteView).toBe(true);
    expect((await graphqlData(p.apiUrl, a.key, ONE, { id: v.id })).savedView).toBeNull();
    expect((await graphqlData(p.apiUrl, a.key, DELETE, { id: v.id })).deleteView).toBe(false);
  });

  it('refuses a bad state with a 4xx naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', state: { measures: ['total_cost', 'no_such_measure'] } }, 'input.state.measures[1]'],
      [{ name: 'x', state: { measures: ['total_cost'], by: ['provider', 'nope'] } }, 'input.state.by[1]'],
      [{ name: 'x', state: { measures: ['total_cost'], by: ['total_cost'] } }, 'input.state.by[0]'],
      [{ name: 'x', state: { measures: ['total_cost'], filters: [{ member: 'bogus', operator: 'equals', values: ['a'] }] } }, 'input.state.filters[0].member'],
      [{ name: 'x', state: { measures: ['total_cost'], filters: [{ member: 'provider', operator: 'equals', values: [] }] } }, 'input.state.filters[0].values'],
      [{ name: 'x', state: { measures: ['total_cost'], timeRange: { relative: 'next fortnight' } } }, 'input.state.timeRange.relative'],
      [{ name: 'x', state: { measures: ['total_cost'], timeRange: { from: 'yesterday-ish' } } }, 'input.state.timeRange.from'],
      [{ name: 'x', state: { measures: [] } }, 'input.state.measures'],
      [{ name: 'x', state: { measures: ['total_cost'], limit: 0 } }, 'input.state.limit'],
      [{ name: '   ', state: { measures: ['total_cost'] } }, 'input.name'],
    ];
    for (const [input, field] of cases) {
      const e = await refusal(a.key, SAVE, { input });
      expect(e.extensions.field, JSON.stringify(input)).toBe(field);
      expect(e.message.startsWith(`${field}: `)).toBe(true);
    }
    const first = await save(a.key, { name: 'ok', state: byProvider });
    const e = await refusal(a.key, UPDATE, { id: first.id, input: { state: { measures: ['calls'], by: ['unknown_dim'] } } });
    expect(e.extensions.field).toBe('input.state.by[0]');
    expect((await refusal(a.key, ONE, { id: 'not-a-uuid' })).extensions.field).toBe('id');
  });

  it('keeps a private view to its maker; a shared one is the workspace\'s, changed by its maker or an admin', async () => {
    const mine = await save(a.key, { name: 'Private', state: byProvider });
    const shared = await save(a.key, { name: 'Shared', shared: true, state: byProvider });
    const seen = (await graphqlData(p.apiUrl, aOther, LIST)).savedViews;
    expect(seen.map((x: { id: string }) => x.id)).toContain(shared.id);
    expect(seen.map((x: { id: string }) => x.id)).not.toContain(mine.id);
    expect(seen.find((x: { id: string }) => x.id === shared.id).mine).toBe(false);
    expect((await graphqlData(p.apiUrl, aOther, ONE, { id: mine.id })).savedView).toBeNull();
    // Another maker can neither change nor delete them; an admin can change the shared one only.
    expect((await graphqlData(p.apiUrl, aOther, UPDATE, { id: mine.id, input: { name: 'taken' } })).updateView).toBeNull();
    expect((await refusal(aOther, UPDATE, { id: shared.id, input: { name: 'taken' } })).extensions.code).toBe('FORBIDDEN');
    expect((await refusal(aOther, DELETE, { id: shared.id })).extensions.code).toBe('FORBIDDEN');
    expect((await graphqlData(p.apiUrl, aAdmin, DELETE, { id: mine.id })).deleteView).toBe(false);
    expect((await graphqlData(p.apiUrl, aAdmin, UPDATE, { id: shared.id, input: { name: 'Shared (admin)' } })).updateView.name).toBe('Shared (admin)');
    // Sharing and unsharing.
    expect((await graphqlData(p.apiUrl, a.key, UPDATE, { id: mine.id, input: { shared: true } })).updateView.shared).toBe(true);
    expect((await graphqlData(p.apiUrl, aOther, ONE, { id: mine.id })).savedView.name).toBe('Private');
  });

  it('walls views and dashboards off from another workspace', async () => {
    const v = await save(a.key, { name: 'Ours', shared: true, state: byProvider });
    const d = (await graphqlData(p.apiUrl, a.key, CREATE_DASH, { input: { name: 'Ours', tiles: [{ viewId: v.id }] } })).createDashboard;
    expect((await graphqlData(p.apiUrl, b.key, LIST)).savedViews.map((x: { id: string }) => x.id)).not.toContain(v.id);
    expect((await graphqlData(p.apiUrl, b.key, ONE, { id: v.id })).savedView).toBeNull();
    expect((await graphqlData(p.apiUrl, b.key, UPDATE, { id: v.id, input: { name: 'stolen' } })).updateView).toBeNull();
    expect((await graphqlData(p.apiUrl, b.key, DELETE, { id: v.id })).deleteView).toBe(false);
    expect((await graphqlData(p.apiUrl, b.key, GET_DASH, { id: d.id })).dashboard).toBeNull();
    expect((await graphqlData(p.apiUrl, b.key, '{ dashboards { id } }')).dashboards).toEqual([]);
    expect((await graphqlData(p.apiUrl, b.key, UPDATE_DASH, { id: d.id, input: { name: 'stolen' } })).updateDashboard).toBeNull();
    expect((await graphqlData(p.apiUrl, b.key, PIN, { id: d.id })).pinDashboard).toBeNull();
    expect((await graphqlData(p.apiUrl, b.key, 'mutation($id: ID!) { deleteDashboard(id: $id) }', { id: d.id })).deleteDashboard).toBe(false);
    expect((await refusal(b.key, EMBED, { id: d.id })).extensions.field).toBe('dashboardId');
    // Nor can b put a's view on a dashboard of its own.
    expect((await refusal(b.key, CREATE_DASH, { input: { name: 'x', tiles: [{ viewId: v.id }] } })).extensions.field).toBe('input.tiles[0].viewId');
    expect((await graphqlData(p.apiUrl, a.key, GET_DASH, { id: d.id })).dashboard).toMatchObject({ name: 'Ours', tiles: [{ view: { id: v.id, name: 'Ours' } }] });
  });
});

describe('dashboards', () => {
  it('orders tiles, refuses private views, drops a deleted view, and pins at most one', async () => {
    const one = await save(a.key, { name: 'One', shared: true, state: byProvider });
    const two = await save(a.key, { name: 'Two', shared: true, state: overTime });
    const secret = await save(a.key, { name: 'Secret', state: byProvider });
    const e = await refusal(a.key, CREATE_DASH, { input: { name: 'D', tiles: [{ viewId: one.id }, { viewId: secret.id }] } });
    expect(e.extensions.field).toBe('input.tiles[1].viewId');
    const d = (await graphqlData(p.apiUrl, a.key, CREATE_DASH, { input: { name: 'D', tiles: [{ viewId: one.id, size: 'large' }, { viewId: two.id }] } })).createDashboard;
    expect(d.tiles).toEqual([{ size: 'large', view: { id: one.id, name: 'One' } }, { size: 'medium', view: { id: two.id, name: 'Two' } }]);
    const reordered = (await graphqlData(p.apiUrl, a.key, UPDATE_DASH, { id: d.id, input: { tiles: [{ viewId: two.id, size: 'small' }, { viewId: one.id }] } })).updateDashboard;
    expect(reordered.tiles.map((t: { view: { id: string } }) => t.view.id)).toEqual([two.id, one.id]);
    // A view on a dashboard stays shared; deleting it takes it off.
    expect((await refusal(a.key, UPDATE, { id: one.id, input: { shared: false } })).extensions.field).toBe('input.shared');
    await graphqlData(p.apiUrl, a.key, DELETE, { id: one.id });
    expect((await graphqlData(p.apiUrl, a.key, GET_DASH, { id: d.id })).dashboard.tiles.map((t: { view: { id: string } }) => t.view.id)).toEqual([two.id]);

    const other = (await graphqlData(p.apiUrl, a.key, CREATE_DASH, { input: { name: 'E' } })).createDashboard;
    expect((await graphqlData(p.apiUrl, a.key, PIN, { id: d.id })).pinDashboard.pinned).toBe(true);
    expect((await graphqlData(p.apiUrl, a.key, PIN, { id: other.id })).pinDashboard.pinned).toBe(true);
    expect((await graphqlData(p.apiUrl, a.key, '{ pinnedDashboard { id } }')).pinnedDashboard.id).toBe(other.id);
    expect((await graphqlData(p.apiUrl, a.key, GET_DASH, { id: d.id })).dashboard.pinned).toBe(false);
    const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM dashboards WHERE workspace_id = $1 AND pinned', [a.workspaceId]);
    expect(rows[0].n).toBe(1);
    await graphqlData(p.apiUrl, a.key, PIN, { id: other.id, pinned: false });
    expect((await graphqlData(p.apiUrl, a.key, '{ pinnedDashboard { id } }')).pinnedDashboard).toBeNull();
  });

  it('records every change in the audit log with the row before and after', async () => {
    const v = await save(a.key, { name: 'Audited', state: byProvider });
    await graphqlData(p.apiUrl, a.key, UPDATE, { id: v.id, input: { name: 'Audited 2' } });
    const { rows } = await p.pool.query(
      `SELECT action, before->>'name' AS before, after->>'name' AS after FROM audit_log WHERE workspace_id = $1 AND target_type = 'saved_view' AND target_id = $2 ORDER BY id`,
      [a.workspaceId, v.id],
    );
    expect(rows).toEqual([{ action: 'saveView', before: null, after: 'Audited' }, { action: 'updateView', before: 'Audited', after: 'Audited 2' }]);
  });

  it('embeds a dashboard: each tile\'s figures equal the API\'s breakdown/timeseries, until the token is revoked', async () => {
    const bars = await save(a.key, { name: 'Bars', shared: true, state: byProvider });
    const series = await save(a.key, { name: 'Series', shared: true, state: overTime });
    const d = (await graphqlData(p.apiUrl, a.key, CREATE_DASH, { input: { name: 'Embedded', tiles: [{ viewId: bars.id }, { viewId: series.id }] } })).createDashboard;
    const made = (await graphqlData(p.apiUrl, a.key, EMBED, { id: d.id })).createDashboardEmbedToken;
    expect(made.path).toBe(`/embed/${made.token}`);
    const res = await fetch(`${p.apiUrl}/v1/embeds/${made.token}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.chart).toMatchObject({ kind: 'dashboard', title: 'Embedded' });
    expect(body.tiles.map((t: { view: { name: string } }) => t.view.name)).toEqual(['Bars', 'Series']);

    const { breakdown } = await graphqlData(p.apiUrl, a.key, `query($r: TimeRange) { breakdown(measures: ["total_cost", "calls"], by: ["provider"], timeRange: $r) {
      measures { measure value } children { value measures { measure value } } } }`, { r: RANGE });
    expect(body.tiles[0].breakdown.measures.map((m: { measure: string; value: string }) => ({ measure: m.measure, value: m.value }))).toEqual(breakdown.measures);
    expect(body.tiles[0].breakdown.children.map((c: any) => ({ value: c.value, measures: c.measures.map((m: any) => ({ measure: m.measure, value: m.value })) })))
      .toEqual(breakdown.children);
    // Against the database too: 1.885 over four calls.
    expect(breakdown.measures.find((m: { measure: string }) => m.measure === 'total_cost').value).toMatch(/^1\.885/);

    const { timeseries } = await graphqlData(p.apiUrl, a.key, `query($r: TimeRange) { timeseries(measures: ["total_cost"], by: ["provider"], granularity: day, timeRange: $r) {
      series { label points { time measures { measure value } } } } }`, { r: RANGE });
    const strip = (s: any[]) => s.map((x) => ({ label: x.label, points: x.points.map((pt: any) => ({ time: pt.time, measures: pt.measures.map((m: any) => ({ measure: m.measure, value: m.value })) })) }));
    expect(strip(body.tiles[1].timeseries.series)).toEqual(timeseries.series);

    // Listed with the chart embeds as a dashboard; revoked, it shows nothing.
    const listed = (await graphqlData(p.apiUrl, a.key, '{ embedTokens { id kind title active } }')).embedTokens.find((e: { id: string }) => e.id === made.id);
    expect(listed).toEqual({ id: made.id, kind: 'dashboard', title: 'Embedded', active: true });
    expect((await graphqlData(p.apiUrl, b.key, REVOKE, { id: made.id })).revokeEmbedToken).toBe(false);
    expect((await graphqlData(p.apiUrl, a.key, REVOKE, { id: made.id })).revokeEmbedToken).toBe(true);
    const after = await fetch(`${p.apiUrl}/v1/embeds/${made.token}`);
    expect(after.status).toBe(401);
    expect(await after.json()).not.toHaveProperty('tiles');
  });
});
