// lazySemanticLayer: Cube is loaded by the first query, not before; its answers are the eager layer's.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup'; // inject('databaseUrl') typing
import { createPool, type Pool } from '@spendgraph/db';
import { createSemanticLayer, type CubeQuery, lazySemanticLayer, type SemanticLayer } from '../src/index.ts';
import { seedTwoWorkspaces } from './fixtures.ts';

let pool: Pool;
let ws: { a: string; b: string };
let eager: SemanticLayer;

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'), 2);
  ws = await seedTwoWorkspaces(pool);
  eager = await createSemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: 'sem_lazy_rollups' });
}, 180_000);

afterAll(async () => {
  await eager?.close();
  await pool?.end();
});

const TOTALS: CubeQuery = { measures: ['usage.total_cost', 'usage.calls'], dimensions: ['usage.provider'], order: { 'usage.provider': 'asc' } };

describe('lazySemanticLayer', () => {
  it('loads nothing until asked; meta() before then says so instead of answering without the model', async () => {
    const layer = lazySemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: 'sem_lazy_rollups' });
    expect(layer.loaded).toBe(false);
    expect(() => layer.meta()).toThrow(/before ready\(\)/);
    expect(await layer.readLag()).toBeUndefined(); // no replica: nothing to load for it
    expect(layer.loaded).toBe(false);
    await layer.close();
  });

  it('answers its first query as the eager layer does, and then its meta', async () => {
    const layer = lazySemanticLayer({ databaseUrl: inject('databaseUrl'), preAggregationsSchema: 'sem_lazy_rollups' });
    try {
      const ctx = { workspaceId: ws.a };
      const [lazyResult, eagerResult] = await Promise.all([layer.load(TOTALS, ctx), eager.load(TOTALS, ctx)]);
      expect(lazyResult.data).toEqual(eagerResult.data);
      expect(lazyResult.data.length).toBeGreaterThan(0);
      expect(layer.loaded).toBe(true);
      expect(layer.meta()).toEqual(eager.meta());
      expect(await layer.ready()).toBe(await layer.ready()); // one layer, loaded once
    } finally {
      await layer.close();
    }
  });
});
