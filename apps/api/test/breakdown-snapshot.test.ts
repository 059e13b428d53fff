// A breakdown tree is answered level by level; every level reads one snapshot (semantic.snapshot),
// so while events keep arriving between the levels, children still add up exactly to their parent.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createPool, ensureWorkspace, insertUsageEvents, type Pool, type UsageEventRow } from '@spendgraph/db';
import { createSemanticLayer, type SemanticLayer } from '@spendgraph/semantic';
import { type BreakdownNode, breakdown } from '../src/query/breakdown.ts';

let pool: Pool;
let semantic: SemanticLayer;
let workspaceId: string;

const WORKFLOWS = ['plan-execute', 'review', null];
const STEPS = ['plan', 'implement', 'test', null];
const MODELS = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4o-mini'];
const pick = <T,>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

let serial = 0;
/** An event within the last `days` days (today's included), with a cost of whole micro-dollars. */
function event(days: number): UsageEventRow {
  const i = serial++;
  const cost = ((i * 7919) % 5_000_000 / 1_000_000).toFixed(6);
  return {
    workspace_id: workspaceId, event_id: randomUUID(), kind: 'model_call', provider: 'anthropic', model: pick(MODELS, i),
    status: 'ok', latency_ms: 100 + (i % 900), input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0, reasoning_tokens: 0, input_cost: cost, output_cost: null, cache_read_cost: null, cache_write_5m_cost: null,
    cache_write_1h_cost: null, reasoning_cost: null, total_cost: cost, currency: 'USD', price_source: 'catalog', price_version: null,
    unpriced: false, space: null, plan_id: null, task_id: null, task_type: null, workflow: pick(WORKFLOWS, i), step: pick(STEPS, i >> 1),
    agent: null, user_id: null, customer_id: null, feature: null, session_id: null, work_item: null, source: 'api', tags: {},
    occurred_at: new Date(Date.now() - 60_000 - (i % days) * 86_400_000).toISOString(),
  };
}

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  pool = createPool(databaseUrl, 2);
  workspaceId = (await ensureWorkspace(pool, `snapshot-${randomUUID().slice(0, 8)}`)).id;
  await insertUsageEvents(pool, Array.from({ length: 600 }, () => event(20)));
  semantic = await createSemanticLayer({ databaseUrl, preAggregationsSchema: 'breakdown_snapshot_rollups' });
});
afterAll(async () => {
  await semantic?.close();
  await pool?.end();
});

/** Every node's children add up exactly to it, for each additive measure. */
function expectChildrenAddUp(node: BreakdownNode, path = 'Total') {
  if (!node.children.length) return;
  for (const [i, m] of node.measures.entries()) {
    const sum = node.children.reduce((s, c) => s.plus(c.measures[i]!.value ?? 0), new Decimal(0));
    expect(sum.toFixed(), `${path} › ${m.measure}`).toBe(new Decimal(m.value ?? 0).toFixed());
  }
  for (const c of node.children) expectChildrenAddUp(c, `${path} › ${c.label}`);
}

it('children add up exactly to their parent while events arrive between the levels', async () => {
  let inserting = true;
  let inserted = 0;
  const writer = (async () => {
    while (inserting) {
      await insertUsageEvents(pool, Array.from({ length: 3 }, () => event(20)));
      inserted += 3;
    }
  })();
  try {
    for (let n = 0; n < 12; n++) {
      const tree = await breakdown(semantic, { workspaceId }, {
        measures: ['total_cost', 'calls'], by: ['workflow', 'step', 'model'], timeRange: { relative: 'last 30 days' },
      });
      expectChildrenAddUp(tree);
    }
  } finally {
    inserting = false;
    await writer;
  }
  expect(inserted).toBeGreaterThan(0);
}, 300_000);
