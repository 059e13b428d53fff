// Embed tokens: created through GraphQL, answered by GET /v1/embeds/:token for the
// token's workspace and chart only. Tokens are opaque, listed, revocable, and die with
// their key; unknown, revoked and expired tokens get no data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createApiKey, revokeApiKey } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

const CREATE = `mutation($input: EmbedInput!) { createEmbedToken(input: $input) { id token expiresAt path } }`;
const LIST = `{ embedTokens { id prefix kind title createdAt expiresAt revokedAt active } }`;
const REVOKE = `mutation($id: ID!) { revokeEmbedToken(id: $id) }`;
const chart = { kind: 'breakdown', title: 'Cost by provider', measures: ['total_cost', 'calls'], by: ['provider'], timeRange: { relative: 'last 7 days' } };

function events(provider: string, n: number, cost: string) {
  return Array.from({ length: n }, (_, i) => ({
    occurred_at: new Date(Date.now() - (i + 30) * 3_600_000).toISOString(), provider, model: 'm-1', usage: { input_tokens: 10, output_tokens: 5 }, cost,
  }));
}

const fetchEmbed = async (token: string) => {
  const res = await fetch(`${p.apiUrl}/v1/embeds/${encodeURIComponent(token)}`);
  return { status: res.status, headers: res.headers, json: async () => (await res.json()) as any };
};

beforeAll(async () => {
  p = await startPlatform();
  a = await workspaceWithKey(p.pool, ['ingest', 'read']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read']);
  await ingestAndWait(p, a, [...events('anthropic', 6, '0.125000'), ...events('openai', 4, '0.010000')]);
  await ingestAndWait(p, b, events('google', 5, '9.000000'));
});
afterAll(async () => p?.stop());

describe('embed tokens', () => {
  it('answers the chart of the token, for its workspace only, as the breakdown query does', async () => {
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, a.key, CREATE, { input: chart });
    expect(made.path).toBe(`/embed/${made.token}`);
    expect(Date.parse(made.expiresAt) - Date.now()).toBeGreaterThan(167 * 3600_000);
    const res = await fetchEmbed(made.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    const { breakdown } = await graphqlData(p.apiUrl, a.key, `{ breakdown(measures: ["total_cost", "calls"], by: ["provider"], timeRange: { relative: "last 7 days" }) {
      label measures { measure value share } children { label value measures { measure value share } } } }`);
    expect(body.breakdown.measures).toEqual(breakdown.measures);
    expect(body.breakdown.children.map((c: { value: string }) => c.value)).toEqual(['anthropic', 'openai']);
    expect(body.breakdown.children.map((c: { measures: unknown }) => c.measures)).toEqual(breakdown.children.map((c: { measures: unknown }) => c.measures));
    expect(Number(body.breakdown.measures[0].value)).toBe(0.79);
    expect(body.chart).toMatchObject({ kind: 'breakdown', theme: 'light', title: 'Cost by provider' });
  });

  it('serves timeseries charts with their granularity and theme', async () => {
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, b.key, CREATE, {
      input: { kind: 'timeseries', measures: ['total_cost'], granularity: 'day', timeRange: { relative: 'last 7 days' }, theme: 'dark' },
    });
    const body = await (await fetchEmbed(made.token)).json();
    expect(body.chart.theme).toBe('dark');
    const total = body.timeseries.series[0].points.reduce((s: number, pt: { measures: Array<{ value: string | null }> }) => s + Number(pt.measures[0]!.value ?? 0), 0);
    expect(total).toBeCloseTo(45, 9);
  });

  it('is opaque: neither the workspace nor the query can be read from it, and a changed token is unknown', async () => {
    const input = { ...chart, filters: [{ member: 'user_id', operator: 'equals', values: ['team-secret-name'] }] };
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, a.key, CREATE, { input });
    expect(made.token).toMatch(/^sge_[A-Za-z0-9_-]{43}$/);
    for (const part of made.token.split(/[._]/)) {
      const decoded = Buffer.from(part, 'base64url').toString('latin1');
      expect(decoded).not.toContain(a.workspaceId);
      expect(decoded).not.toContain('team-secret');
    }
    expect(made.token).not.toContain(a.workspaceId);
    const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM embed_tokens WHERE token_hash = $1', [createHash('sha256').update(made.token).digest()]);
    expect(rows[0].n).toBe(1); // kept only as its hash
    const last = made.token.at(-1) === 'A' ? 'B' : 'A';
    for (const token of [`${made.token.slice(0, -1)}${last}`, made.token.slice(0, -1), 'not-a-token', `sge_${'A'.repeat(43)}`, 'x'.repeat(90)]) {
      const res = await fetchEmbed(token);
      expect(res.status, token).toBe(401);
      const answer = await res.json();
      expect(answer.error).toBe('invalid_token');
      expect(answer).not.toHaveProperty('breakdown');
    }
  });

  it('is listed for its workspace only, and revoked at once', async () => {
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, a.key, CREATE, { input: chart });
    expect((await fetchEmbed(made.token)).status).toBe(200);
    const listed = (await graphqlData(p.apiUrl, a.key, LIST)).embedTokens.find((e: { id: string }) => e.id === made.id);
    expect(listed).toMatchObject({ prefix: made.token.slice(0, 10), kind: 'breakdown', title: 'Cost by provider', active: true, revokedAt: null, expiresAt: made.expiresAt });
    expect((await graphqlData(p.apiUrl, b.key, LIST)).embedTokens.map((e: { id: string }) => e.id)).not.toContain(made.id);

    // Another workspace cannot revoke it; its own workspace can.
    expect((await graphqlData(p.apiUrl, b.key, REVOKE, { id: made.id })).revokeEmbedToken).toBe(false);
    expect((await fetchEmbed(made.token)).status).toBe(200);
    expect((await graphqlData(p.apiUrl, a.key, REVOKE, { id: made.id })).revokeEmbedToken).toBe(true);
    expect((await fetchEmbed(made.token)).status).toBe(401);
    const after = (await graphqlData(p.apiUrl, a.key, LIST)).embedTokens.find((e: { id: string }) => e.id === made.id);
    expect(after).toMatchObject({ active: false });
    expect(after.revokedAt).not.toBeNull();
  });

  it('dies with the key that made it', async () => {
    const minted = await createApiKey(p.pool, a.workspaceId, ['read'], 'embedder');
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, minted.key, CREATE, { input: chart });
    expect((await fetchEmbed(made.token)).status).toBe(200);
    await revokeApiKey(p.pool, minted.id);
    expect((await fetchEmbed(made.token)).status).toBe(401);
    const listed = (await graphqlData(p.apiUrl, a.key, LIST)).embedTokens.find((e: { id: string }) => e.id === made.id);
    expect(listed).toMatchObject({ active: false });
  });

  it('refuses an expired token', async () => {
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, a.key, CREATE, { input: { ...chart, expiresInHours: 1 } });
    await p.pool.query(`UPDATE embed_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [made.id]);
    const res = await fetchEmbed(made.token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('checks the chart when the token is made and names the field at fault', async () => {
    const bad = await graphqlRequest(p.apiUrl, a.key, CREATE, { input: { ...chart, measures: ['colour'] } });
    expect(bad.body.errors[0].extensions).toMatchObject({ field: 'measures[0]' });
    const life = await graphqlRequest(p.apiUrl, a.key, CREATE, { input: { ...chart, expiresInHours: 0 } });
    expect(life.body.errors[0]).toMatchObject({ message: 'input.expiresInHours: must be between 1 and 2160', extensions: { field: 'input.expiresInHours' } });
  });

  it('needs a key with the read scope to make one', async () => {
    const ingestOnly = await workspaceWithKey(p.pool, ['ingest']);
    expect((await graphqlRequest(p.apiUrl, ingestOnly.key, CREATE, { input: chart })).status).toBe(403);
    expect((await graphqlRequest(p.apiUrl, undefined, CREATE, { input: chart })).status).toBe(401);
  });
});
