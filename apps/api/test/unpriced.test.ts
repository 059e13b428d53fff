// Unpriced calls (no price for the model) have an unknown cost: every surface shows it as
// unknown, never as $0 — a model's row, the `other` bucket that holds only unpriced models.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

const NOW = new Date('2026-12-02T10:44:00Z');
let p: Platform;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const call = (i: number, provider: string, model: string) => ({
    occurred_at: new Date(NOW.getTime() - 60_000 - i * 3_600_000).toISOString(), provider, model, feature: 'f1', usage: { input_tokens: 100, output_tokens: 10 },
  });
  await ingestAndWait(p, ws, [
    ...Array.from({ length: 20 }, (_, i) => call(i, 'anthropic', 'claude-sonnet-4-5')),
    ...Array.from({ length: 20 }, (_, i) => call(i, 'acme-internal', 'acme-coder-13b')),
  ]);
});
afterAll(async () => p?.stop());

it('gives an unpriced model, and an `other` bucket of only unpriced models, no cost rather than 0', async () => {
  const { all, top1 } = await graphqlData(p.apiUrl, ws.key, `{
    all: breakdown(measures: ["total_cost", "calls"], by: ["model"], timeRange: { relative: "last 7 days" }) { children { label measures { measure value } } }
    top1: breakdown(measures: ["total_cost", "calls"], by: ["model"], timeRange: { relative: "last 7 days" }, limit: 1) { children { label other measures { measure value } } }
  }`);
  const byLabel = (node: any, label: string) => Object.fromEntries(node.children.find((c: any) => c.label === label).measures.map((m: any) => [m.measure, m.value]));
  expect(byLabel(all, 'acme-coder-13b')).toEqual({ total_cost: null, calls: '20' });
  expect(byLabel(top1, 'Other (1)')).toEqual({ total_cost: null, calls: '20' });
});
