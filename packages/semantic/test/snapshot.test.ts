// snapshot(): several queries answered from one consistent snapshot, whether they read roll-ups
// (lambda reads) or raw events, while other transactions commit events between them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup';
import { createPool, ensureWorkspace, insertUsageEvents, type Pool } from '@spendgraph/db';
import { createSemanticLayer, type CubeQuery, type SemanticLayer } from '../src/index.ts';
import { date, row } from './fixtures.ts';

let pool: Pool;
let layer: SemanticLayer;
let workspaceId: string;

const recent = (i: number) => row(workspaceId, {
  occurred_at: new Date(Date.now() - 60_000 - (i % 5) * 86_400_000).toISOString(),
  provider: 'openai', model: 'gpt-4o', workflow: i % 2 ? 'review' : 'build', input_cost: '0.125', total_cost: '0.125',
});
const range = { dimension: 'usage.occurred_at', dateRange: [date(0), new Date().toISOString().slice(0, 10)] as [string, string] };
const BY_WORKFLOW: CubeQuery = { measures: ['usage.total_cost', 'usage.calls'], dimensions: ['usage.workflow'], timeDimensions: [range], order: { 'usage.workflow': 'asc' } };
const P95: CubeQuery = { measures: ['usage.calls', 'usage.p95_latency_ms'], timeDimensions: [range] };

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  pool = createPool(databaseUrl, 2);
  workspaceId = (await ensureWorkspace(pool, `snap-${randomUUID().slice(0, 8)}`)).id;
  await insertUsageEvents(pool, Array.from({ length: 40 }, (_, i) => recent(i)));
  layer = await createSemanticLayer({ databaseUrl, preAggregationsSchema: 'snapshot_rollups' });
});
afterAll(async () => {
  await layer?.close();
  await pool?.end();
});

it('every load of one snapshot sees the same data, though events were committed between them', async () => {
  const ctx = { workspaceId };
  const { first, second, raw1, raw2 } = await layer.snapshot(async (reader) => {
    const first = await reader.load(BY_WORKFLOW, ctx);
    const raw1 = await reader.load(P95, ctx);
    await insertUsageEvents(pool, Array.from({ length: 6 }, (_, i) => recent(i))); // committed by another connection
    return { first, second: await reader.load(BY_WORKFLOW, ctx), raw1, raw2: await reader.load(P95, ctx) };
  });
  expect(first.usedPreAggregations.length).toBeGreaterThan(0); // roll-ups, read as lambda relations
  expect(raw1.usedPreAggregations).toEqual([]);
  expect(second.data).toEqual(first.data);
  expect(raw2.data).toEqual(raw1.data);
  // Outside it, the next answer includes them.
  const after = await layer.load(BY_WORKFLOW, ctx);
  expect(after.data.map((r) => r['usage.calls'])).toEqual(['23', '23']);
  expect(first.data.map((r) => r['usage.calls'])).toEqual(['20', '20']);
}, 240_000);
