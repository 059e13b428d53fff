// Anomalies and morning reports through the real API: detected and written in
// process (as the worker's jobs do) on events ingested through the API, then
// read with GraphQL by the workspace's key, and not by another workspace's.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Queue } from 'bullmq';
import { createApiKey, insertAlertChannel } from '@spendgraph/db';
import { INSIGHTS_QUEUE, redisConnection } from '@spendgraph/queue';
import { detectAnomalies, writeMorningReport } from '@spendgraph/insights';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { type Platform, graphqlData, graphqlRequest, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest, otherDays } from '../../../packages/insights/test/fixture.ts';

let p: Platform;
let semantic: SemanticLayer;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };
let reportId: string;

const gql = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);
const ok = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, key, query, variables);

const ANOMALY_FIELDS = `id kind subject cost excess ratio threshold currency windowStart windowEnd likelyCause detectedAt updatedAt cursor
  peerGroup { dimension value size medianCost } causes { cause score excess summary evidence { metric value peerMedian } }`;

beforeAll(async () => {
  p = await startPlatform();
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  [a, b] = await Promise.all([workspaceWithKey(p.pool, ['ingest', 'read']), workspaceWithKey(p.pool, ['ingest', 'read'])]);
  await Promise.all([ingest(p, a, [...dayOfSessions(), ...otherDays()]), ingest(p, b, dayOfSessions())]);
  await insertAlertChannel(p.pool, a.workspaceId, { name: 'ops', type: 'email', target: 'ops@example.com', budgetId: null, secret: null });
  const deps = { pool: p.pool, semantic };
  await detectAnomalies(deps, { workspaceId: b.workspaceId, now: new Date('2026-10-10T23:00:00Z') });
  reportId = (await writeMorningReport(deps, { workspaceId: a.workspaceId, at: new Date('2026-10-11T07:00:00Z') })).report!.id;
});
afterAll(async () => {
  await semantic?.close();
  await p?.stop();
});

describe('anomalies', () => {
  it('are listed with their peer group, likely cause and evidence', async () => {
    const { anomalies } = await ok(a.key, `{ anomalies(kind: session) { ${ANOMALY_FIELDS} } }`);
    expect(anomalies.map((x: any) => [x.subject, x.likelyCause])).toEqual([
      ['ctx-1', 'context_size'], ['err-1', 'retries'], ['opus-1', 'model_choice'], ['sub-1', 'subagents'],
    ]);
    expect(anomalies[2]).toMatchObject({
      kind: 'session', cost: '3', excess: '2', ratio: '3', threshold: '2', currency: 'USD',
      windowStart: '2026-10-10T00:00:00.000Z', windowEnd: '2026-10-11T00:00:00.000Z',
      peerGroup: { dimension: 'task_type x agent', value: 'bugfix x coder', size: 12, medianCost: '1' },
      causes: [{ cause: 'model_choice', score: 1, excess: '2', evidence: [{ metric: 'price_per_1k_tokens' }] }],
    });
  });

  it('are paged with cursors; a full page with every documented field stays within the query cost limit', async () => {
    const { anomalies: all } = await ok(a.key, `{ anomalies(first: 250) { ${ANOMALY_FIELDS} } }`);
    expect(all).toHaveLength(8);
    // More per page would pass the cost limit with these fields; with few, the argument is refused by name.
    const { body: tooMany } = await gql(a.key, '{ anomalies(first: 1000) { id } }');
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'first' });
    const pages: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const { anomalies: page }: { anomalies: Array<{ id: string; cursor: string }> } = await ok(a.key,
        'query ($after: String) { anomalies(first: 3, after: $after) { id cursor } }', { after });
      pages.push(...page.map((x) => x.id));
      if (page.length < 3) break;
      after = page.at(-1)!.cursor;
    }
    expect(pages).toEqual(all.map((x: any) => x.id));
    const { body } = await gql(a.key, '{ anomalies(after: "bm90IGEgY3Vyc29y") { id } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'after' });
  });

  it('an administrator queues detection of past windows; bad ranges name the argument', async () => {
    const admin = (await createApiKey(p.pool, a.workspaceId, ['admin'])).key;
    const mutation = 'mutation ($from: String!, $to: String!) { detectAnomalies(from: $from, to: $to) { jobId from to } }';
    const { detectAnomalies } = await ok(admin, mutation, { from: '2026-09-01T00:00:00Z', to: '2026-10-11T00:00:00Z' });
    expect(detectAnomalies).toMatchObject({ from: '2026-09-01T00:00:00.000Z', to: '2026-10-11T00:00:00.000Z' });
    const connection = redisConnection(inject('redisUrl'), 'producer');
    const queue = new Queue(INSIGHTS_QUEUE, { connection, prefix: p.env.QUEUE_PREFIX });
    try {
      const job = await queue.getJob(detectAnomalies.jobId);
      expect(job?.data).toEqual({ workspaceId: a.workspaceId, from: '2026-09-01T00:00:00.000Z', to: '2026-10-11T00:00:00.000Z' });
    } finally {
      await queue.close();
      connection.disconnect();
    }
    for (const [from, to, field] of [['2026-10-11', '2026-10-10', 'to'], ['soon', '2026-10-10', 'from'], ['2024-01-01', '2026-01-01', 'to']]) {
      const { body } = await gql(admin, mutation, { from, to });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
    const { body } = await gql(a.key, mutation, { from: '2026-10-01', to: '2026-10-02' });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('filter by subject and window', async () => {
    const bySubject = await ok(a.key, '{ anomalies(subject: "T-ctx-1") { subject kind } }');
    expect(bySubject.anomalies).toEqual([{ subject: 'T-ctx-1', kind: 'task' }]);
    const later = await ok(a.key, '{ anomalies(from: "2026-10-11T00:00:00Z") { id } }');
    expect(later.anomalies).toEqual([]);
    const { body } = await gql(a.key, '{ anomalies(from: "yesterday-ish") { id } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'from' });
  });
});

describe('reports', () => {
  it('are listed and read with their figures, Markdown and deliveries', async () => {
    const { reports } = await ok(a.key, '{ reports { id kind forDate timezone currency } }');
    expect(reports).toEqual([{ id: reportId, kind: 'morning', forDate: '2026-10-10', timezone: 'UTC', currency: 'USD' }]);
    const { report } = await ok(a.key, `query ($id: ID!) { report(id: $id) {
      markdown figuresJson deliveries { channelId status }
      figures { yesterday { cost calls previousCost changePercent } last7Days { cost calls }
        trend { sessions averageCost medianCost direction }
        providers { provider cost share models { model cost } } topWorkItems { id cost } topPlans { id cost share }
        anomalies { subject likelyCause ratio peerCount causes { cause excess } } budgetsAtRisk { name } } } }`, { id: reportId });
    expect(report.figures).toMatchObject({
      yesterday: { cost: '20.9', calls: '31', previousCost: '2', changePercent: 945 },
      last7Days: { cost: '26.9', calls: '33' },
      trend: { sessions: 15, averageCost: '2.46', medianCost: '1.9', direction: 'falling' },
      topWorkItems: [{ id: 'WI-7', cost: '7' }, { id: 'WI-8', cost: '5' }],
      topPlans: [{ id: 'plan-A', cost: '6', share: 0.223 }, { id: 'plan-B', cost: '1', share: 0.0372 }],
      budgetsAtRisk: [],
    });
    expect(report.figures.providers.map((x: any) => [x.provider, x.cost])).toEqual([['anthropic', '20.9'], ['google', '4'], ['openai', '2']]);
    expect(report.figures.anomalies).toHaveLength(8);
    expect(report.figures.anomalies.find((x: any) => x.subject === 'sub-1').causes).toEqual([
      { cause: 'subagents', excess: '1.26186' }, { cause: 'call_volume', excess: '0.73814' },
    ]);
    expect(report.markdown).toContain('Excess USD 2.00: subagents USD 1.26, call volume USD 0.7381');
    expect(report.markdown).toContain('- **Yesterday:** USD 20.90 over 31 calls');
    expect(JSON.parse(report.figuresJson).forDate).toBe('2026-10-10');
    expect(report.deliveries).toEqual([{ channelId: expect.any(String), status: 'pending' }]);
  });

  it('a bad id names the argument', async () => {
    const { body } = await gql(a.key, '{ report(id: "nope") { id } }');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });
  });
});

describe('workspace isolation', () => {
  it('another workspace sees none of these anomalies and reports, even by id', async () => {
    const theirs = await ok(b.key, '{ anomalies { subject cost } reports { id } }');
    expect(theirs.reports).toEqual([]);
    // B's own anomalies (the same fixture without the other days), none of A's rows.
    const ids = new Set((await ok(a.key, '{ anomalies { id } }')).anomalies.map((x: any) => x.id));
    const bIds = (await ok(b.key, '{ anomalies { id } }')).anomalies.map((x: any) => x.id);
    expect(bIds).toHaveLength(8);
    expect(bIds.filter((id: string) => ids.has(id))).toEqual([]);
    expect((await ok(b.key, 'query ($id: ID!) { report(id: $id) { id } }', { id: reportId })).report).toBeNull();
  });
});
