import { describe, expect, it } from 'vitest';
import { CATALOG_VERSION, createPricer, loadPriceFile, priceOverrideSchema } from '../src/index.ts';

const zero = { input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 };
const at = new Date('2025-10-01T12:00:00Z');
const pricer = createPricer();

describe('catalog prices', () => {
  it('prices every Anthropic token type exactly, 1-hour cache writes included', () => {
    // claude-opus-4-1: $15 in, $75 out, $1.50 cache read, $18.75 5m write, $30 1h write per M.
    const r = pricer.price({
      provider: 'Anthropic', model: 'claude-opus-4-1-20250805', occurredAt: at,
      tokens: { ...zero, input: 1234, output: 567, cache_read: 20_000, cache_write_5m: 3000, cache_write_1h: 1000 },
    });
    expect(r).toEqual({
      unpriced: false, source: 'catalog', version: CATALOG_VERSION, currency: 'USD',
      costs: { input: '0.01851', output: '0.042525', cache_read: '0.03', cache_write_5m: '0.05625', cache_write_1h: '0.03', reasoning: '0' },
      total: '0.177285',
    });
  });

  it('bills reasoning tokens at the output rate, at the price in force on the day', () => {
    // o3 per M: $10 in, $0.50 cached, $40 out until OpenAI cut it to $2 / $8 on 2025-06-10.
    const tokens = { ...zero, input: 100, cache_read: 900, output: 50, reasoning: 250 };
    const before = pricer.price({ provider: 'openai', model: 'o3', occurredAt: new Date('2025-06-01T00:00:00Z'), tokens });
    expect(before.costs).toMatchObject({ input: '0.001', cache_read: '0.00045', output: '0.002', reasoning: '0.01' });
    expect(before.total).toBe('0.01345');
    const after = pricer.price({ provider: 'openai', model: 'o3', occurredAt: at, tokens });
    expect(after.costs).toMatchObject({ input: '0.0002', cache_read: '0.00045', output: '0.0004', reasoning: '0.002' });
    expect(after.total).toBe('0.00305');
  });

  it('applies a long-context tier to the whole request once the prompt exceeds it', () => {
    // gemini-2.5-pro: $1.25/$10 up to 200k prompt tokens, $2.50/$15 beyond.
    const small = pricer.price({ provider: 'google', model: 'gemini-2.5-pro', occurredAt: at, tokens: { ...zero, input: 200_000, output: 1000 } });
    const large = pricer.price({ provider: 'google', model: 'gemini-2.5-pro', occurredAt: at, tokens: { ...zero, input: 200_001, output: 1000 } });
    expect(small.total).toBe('0.26');
    expect(large.total).toBe('0.5150025');
  });

  it('leaves a model without any price unpriced, never $0', () => {
    const r = pricer.price({ provider: 'acme-internal', model: 'acme-coder-13b', occurredAt: at, tokens: { ...zero, input: 10 } });
    expect(r).toMatchObject({ unpriced: true, total: null, costs: null });
  });

  it('leaves a call unpriced when one of its token types has no rate anywhere', () => {
    // gemini-2.5-flash has no cache-write price in the catalog.
    const r = pricer.price({ provider: 'google', model: 'gemini-2.5-flash', occurredAt: at, tokens: { ...zero, input: 10, cache_write_5m: 5 } });
    expect(r.unpriced).toBe(true);
  });
});

describe('overrides', () => {
  it('takes the price file before the catalog and fills its gaps from the catalog', () => {
    const r = pricer.price({ provider: 'openai', model: 'ft:gpt-4o-mini-2024-07-18:acme::9abc', occurredAt: at, tokens: { ...zero, input: 1000, cache_read: 1000, output: 1000 } });
    expect(r).toMatchObject({ source: 'price-file', version: 'price-file@2024-07-18', total: '0.00165' });
  });

  it('uses the workspace rate in force at the time of the call', () => {
    const overrides = [
      { provider: 'anthropic', model_pattern: '^claude-opus-4-1', rates: { input: '10', output: '50' }, effective_from: '2025-09-01T00:00:00Z' },
      { provider: 'anthropic', model_pattern: '^claude-opus-4-1', rates: { input: '8', output: '40' }, effective_from: '2025-11-01T00:00:00Z' },
    ].map((o) => priceOverrideSchema.parse(o));
    const tokens = { ...zero, input: 1000, output: 1000, cache_read: 1000 };
    const price = (d: string) => pricer.price({ provider: 'anthropic', model: 'claude-opus-4-1-20250805', occurredAt: new Date(d), tokens, workspaceOverrides: overrides });
    expect(price('2025-08-31T23:59:59Z')).toMatchObject({ source: 'catalog', total: '0.0915' });
    // The missing cache_read rate ($1.50) comes from the catalog.
    expect(price('2025-10-15T00:00:00Z')).toMatchObject({ source: 'workspace', version: 'workspace@2025-09-01T00:00:00Z', total: '0.0615' });
    expect(price('2025-11-01T00:00:00Z')).toMatchObject({ source: 'workspace', total: '0.0495' });
  });

  it('derives the Anthropic 1-hour cache-write rate as twice the input rate', () => {
    const overrides = [priceOverrideSchema.parse({ provider: 'anthropic', model_pattern: '^acme-claude$', rates: { input: '3', output: '15' }, effective_from: '2025-01-01' })];
    const r = pricer.price({ provider: 'anthropic', model: 'acme-claude', occurredAt: at, tokens: { ...zero, cache_write_1h: 1_000_000 }, workspaceOverrides: overrides });
    expect(r.costs?.cache_write_1h).toBe('6');
  });

  it('rejects an invalid price file entry naming the field', () => {
    expect(() => priceOverrideSchema.parse({ provider: 'x', model_pattern: '(', rates: { input: '1' }, effective_from: '2025-01-01' })).toThrow(/regular expression/);
    expect(() => priceOverrideSchema.parse({ provider: 'x', model_pattern: 'a', rates: { input: '-1' }, effective_from: '2025-01-01' })).toThrow(/decimal/);
  });

  it('loads the repository price file', () => {
    expect(loadPriceFile().length).toBeGreaterThan(0);
  });
});

describe('exact costs', () => {
  it('print the decimals decimal.js computes, for random counts and rates (integer fast path and its fallback)', async () => {
    const { Decimal } = await import('decimal.js');
    const { Random } = await import('@spendgraph/test-support/consistency/random');
    const D = Decimal.clone({ precision: 50 });
    const r = new Random(18);
    const rate = () => r.pick([
      () => String(r.int(0, 100)), () => `${r.int(0, 99)}.${String(r.int(0, 999_999)).padStart(r.int(1, 8), '0')}`, () => '0.000000000000000001',
      () => '123456789012.345678', () => `${r.int(1, 9)}`.repeat(r.int(10, 20)), () => '15.0', () => '007.50',
    ])();
    const count = () => r.pick([0, 0, 1, r.int(0, 5000), r.int(0, 1e6), r.int(0, 1e12), 1e12]);
    for (let i = 0; i < 400; i++) {
      const rates = { input: rate(), output: rate(), cache_read: rate(), cache_write_5m: rate(), cache_write_1h: rate(), reasoning: rate() };
      const tokens = { input: count(), output: count(), cache_read: count(), cache_write_5m: count(), cache_write_1h: count(), reasoning: count() };
      const priced = createPricer({ overrides: [priceOverrideSchema.parse({ provider: 'p', model_pattern: '^m$', rates, effective_from: '2020-01-01' })] })
        .price({ provider: 'p', model: 'm', occurredAt: at, tokens });
      const costs = Object.fromEntries(Object.entries(tokens).map(([t, n]) => [t, new D(n).times(rates[t as keyof typeof rates]).dividedBy(1_000_000)]));
      expect(priced.costs).toEqual(Object.fromEntries(Object.entries(costs).map(([t, c]) => [t, c.toFixed()])));
      expect(priced.total).toBe(Object.values(costs).reduce((a, b) => a.plus(b), new D(0)).toFixed());
    }
  });
});
