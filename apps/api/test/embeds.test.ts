// Embed tokens: created through GraphQL, answered by GET /v1/embeds/:token for the
// token's workspace and chart only; tampered and expired tokens get no data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEmbed } from '../src/embeds/token.ts';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '../../../test/support/platform.ts';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

const CREATE = `mutation($input: EmbedInput!) { createEmbedToken(input: $input) { token expiresAt path } }`;
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

  it('refuses a tampered token: another workspace, another query, a changed signature', async () => {
    const { createEmbedToken: made } = await graphqlData(p.apiUrl, a.key, CREATE, { input: chart });
    const [body, signature] = made.token.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const reencode = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
    const tampered = [
      `${reencode({ ...payload, ws: b.workspaceId })}.${signature}`,
      `${reencode({ ...payload, chart: { ...payload.chart, by: ['model'] } })}.${signature}`,
      `${reencode({ ...payload, exp: payload.exp + 86_400 })}.${signature}`,
      `${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
      `${body}`,
      'not-a-token',
    ];
    for (const token of tampered) {
      const res = await fetchEmbed(token);
      expect(res.status, token).toBe(401);
      const answer = await res.json();
      expect(answer.error).toBe('invalid_token');
      expect(answer).not.toHaveProperty('breakdown');
    }
  });

  it('refuses an expired token', async () => {
    const token = signEmbed(p.env.EMBED_SIGNING_SECRET!, {
      v: 1, ws: a.workspaceId, exp: Math.floor(Date.now() / 1000) - 1, chart: { ...chart, kind: 'breakdown', theme: 'light' } as never,
    });
    const res = await fetchEmbed(token);
    expect(res.status).toBe(401);
    const answer = await res.json();
    expect(answer).toMatchObject({ error: 'expired_token' });
    expect(answer.message).toMatch(/expired at/);
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
