// The model itself: it compiles without @cubejs-backend/native, and a view that
// could not be scoped to a workspace is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { createSemanticLayer, loadModel } from '../src/index.ts';
import { modelVariant, removeModelVariants } from './support.ts';

const databaseUrl = 'postgres://unused@127.0.0.1:1/unused'; // nothing here connects

afterAll(removeModelVariants);

describe('the model', () => {
  it('compiles, with the cubes private and the bills, cost_pools, economics, reconciliation, usage and usage_history views public', async () => {
    const model = await loadModel();
    expect(model.views.map((v) => v.name).sort()).toEqual(['bills', 'cost_pools', 'economics', 'reconciliation', 'usage', 'usage_history']);
    expect(model.catalog.public.has('bills.billed')).toBe(true);
    expect(model.catalog.public.has('reconciliation.variance')).toBe(true);
    expect(model.catalog.public.has('reconciliation.workspace_id')).toBe(false);
    expect(model.catalog.public.has('economics.margin')).toBe(true);
    expect(model.catalog.public.has('economics.workspace_id')).toBe(false);
    expect(model.catalog.public.has('cost_pools.workspace_id')).toBe(false);
    expect(model.catalog.public.has('bills.workspace_id')).toBe(false);
    expect(model.catalog.public.has('usage_history.total_cost')).toBe(true);
    expect(model.catalog.public.has('usage_history.workspace_id')).toBe(false);
    expect(model.catalog.public.has('usage.total_cost')).toBe(true);
    expect(model.catalog.public.has('usage.workspace_id')).toBe(false);
    expect(model.catalog.all.has('usage.workspace_id')).toBe(true);
    expect([...model.catalog.public.keys()].some((m) => !/^(usage|usage_history|bills|reconciliation|economics|cost_pools)\./.test(m))).toBe(false);
  });

  it('refuses a view without a hidden workspace_id dimension', async () => {
    const dir = await modelVariant('views/usage.yml', (yml) => yml.slice(0, yml.indexOf('\n    dimensions:') + 1));
    await expect(createSemanticLayer({ databaseUrl, modelDir: dir })).rejects.toThrow(/View 'usage' must declare a dimension 'workspace_id' with public: false/);
  });

  it('refuses a view whose workspace_id is public', async () => {
    const dir = await modelVariant('views/usage.yml', (yml) => yml.replace(/public: false/, 'public: true'));
    await expect(createSemanticLayer({ databaseUrl, modelDir: dir })).rejects.toThrow(/must declare a dimension 'workspace_id' with public: false/);
  });

  it('says clearly that Jinja templates are not supported', async () => {
    const dir = await modelVariant('views/usage.yml', (yml) => yml.replace('title: AI usage and cost', "title: \"{{ 'AI usage' }}\""));
    await expect(createSemanticLayer({ databaseUrl, modelDir: dir })).rejects.toThrow(/Jinja templates are not supported/);
  });
});
