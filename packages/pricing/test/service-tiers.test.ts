// Service tiers priced as providers bill them (issue 17): batch and flex at half the standard
// rates, OpenAI priority at its own rates, long-context tiers under the tier, and a tier nobody
// prices at standard rates (said in price_version). Expected figures are worked out by hand
// from the published $/M rates.
import { describe, expect, it } from 'vitest';
import { usageEventInputSchema } from '@spendgraph/schema';
import { CATALOG_VERSION, costOf, createPricer, priceOverrideSchema } from '../src/index.ts';

const zero = { input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 };
const at = new Date('2025-10-01T12:00:00Z');
const pricer = createPricer();
const tokens = { ...zero, input: 1_000_000, cache_read: 1_000_000, output: 1_000_000, reasoning: 1_000_000 };

describe('service tiers', () => {
  it('bills OpenAI batch and flex at half the standard rates, every token type', () => {
    // gpt-5 per M: $1.25 in, $0.125 cached, $10 out (reasoning at the output rate) = $21.375.
    const standard = pricer.price({ provider: 'openai', model: 'gpt-5', occurredAt: at, tokens });
    expect(standard.total).toBe('21.375');
    for (const tier of ['batch', 'flex']) {
      const r = pricer.price({ provider: 'openai', model: 'gpt-5', occurredAt: at, tokens, serviceTier: tier });
      expect(r.costs).toEqual({ input: '0.625', cache_read: '0.0625', output: '5', reasoning: '5', cache_write_5m: '0', cache_write_1h: '0' });
      expect(r.total).toBe('10.6875');
      expect(r.source).toBe('catalog');
      expect(r.version).toMatch(new RegExp(`^${CATALOG_VERSION} \\[${tier} ×0\\.5 price-file@`));
    }
  });

  it('bills OpenAI priority at its own per-model rates, reasoning at the priority output rate', () => {
    // gpt-5 priority per M: $2.50 in, $0.25 cached, $20 out.
    const r = pricer.price({ provider: 'openai', model: 'gpt-5-2025-08-07', occurredAt: at, tokens, serviceTier: 'priority' });
    expect(r.costs).toMatchObject({ input: '2.5', cache_read: '0.25', output: '20', reasoning: '20' });
    expect(r.total).toBe('42.75');
    expect(r.version).toBe(`${CATALOG_VERSION} [priority price-file@2025-08-07]`);
  });

  it('halves Anthropic long-context rates in a batch (the tier applies over the long-context tier)', () => {
    // claude-sonnet-4-5 beyond 200k prompt tokens: $6 in, $22.50 out per M; batch halves them.
    const big = { ...zero, input: 250_000, output: 10_000 };
    const standard = pricer.price({ provider: 'anthropic', model: 'claude-sonnet-4-5', occurredAt: at, tokens: big });
    const batch = pricer.price({ provider: 'anthropic', model: 'claude-sonnet-4-5', occurredAt: at, tokens: big, serviceTier: 'batch' });
    expect(standard.total).toBe('1.725'); // 0.25 × 6 + 0.01 × 22.5
    expect(batch.total).toBe('0.8625');
  });

  it('halves Gemini in Batch Mode, and not before Batch Mode existed', () => {
    const t = { ...zero, input: 100_000, output: 10_000 };
    const r = pricer.price({ provider: 'google', model: 'gemini-2.5-pro', occurredAt: at, tokens: t, serviceTier: 'batch' });
    expect(r.total).toBe('0.1125'); // (0.1 × 1.25 + 0.01 × 10) / 2
    const early = pricer.price({ provider: 'google', model: 'gemini-2.5-pro', occurredAt: new Date('2025-06-20T00:00:00Z'), tokens: t, serviceTier: 'batch' });
    expect(early.total).toBe('0.225');
    expect(early.version).toMatch(/\[batch no tier price, standard rates\]$/);
  });

  it('prices a tier nobody prices (Anthropic priority: by contract) at standard rates and says so', () => {
    const r = pricer.price({ provider: 'anthropic', model: 'claude-haiku-4-5', occurredAt: at, tokens: { ...zero, input: 1_000_000 }, serviceTier: 'priority' });
    expect(r.total).toBe('1');
    expect(r.version).toBe(`${CATALOG_VERSION} [priority no tier price, standard rates]`);
  });

  it('takes a workspace tier entry before the price file, and standard is standard', () => {
    const overrides = [priceOverrideSchema.parse({ provider: 'openai', model_pattern: '^gpt-5$', service_tier: 'batch', factor: '0.4', effective_from: '2025-01-01' })];
    const r = pricer.price({ provider: 'openai', model: 'gpt-5', occurredAt: at, tokens, serviceTier: 'batch', workspaceOverrides: overrides });
    expect(r.total).toBe('8.55'); // 21.375 × 0.4
    expect(r.version).toBe(`${CATALOG_VERSION} [batch ×0.4 workspace@2025-01-01]`);
    const s = pricer.price({ provider: 'openai', model: 'gpt-5', occurredAt: at, tokens, serviceTier: 'standard', workspaceOverrides: overrides });
    expect(s).toMatchObject({ total: '21.375', version: CATALOG_VERSION });
  });

  it('refuses tier entries that price nothing, and factors on standard entries', () => {
    const base = { provider: 'openai', model_pattern: '.', effective_from: '2025-01-01' };
    expect(priceOverrideSchema.safeParse({ ...base, service_tier: 'batch' }).error?.issues[0]?.path).toEqual(['factor']);
    expect(priceOverrideSchema.safeParse({ ...base, rates: { input: '1' }, factor: '0.5' }).error?.issues[0]?.path).toEqual(['factor']);
    expect(priceOverrideSchema.safeParse({ ...base }).error?.issues[0]?.path).toEqual(['rates']);
    expect(priceOverrideSchema.safeParse({ ...base, service_tier: 'standard', factor: '1' }).success).toBe(false);
  });

  it('reads the tier from the event: provider spellings become ours, unknown ones name the field', () => {
    const event = { occurred_at: '2025-10-01T12:00:00Z', provider: 'openai', model: 'gpt-5', usage: { input_tokens: 1_000_000 } };
    expect(usageEventInputSchema.parse({ ...event, service_tier: 'default' }).service_tier).toBe('standard');
    expect(usageEventInputSchema.parse({ ...event, service_tier: 'Flex' }).service_tier).toBe('flex');
    expect(usageEventInputSchema.safeParse({ ...event, service_tier: 'turbo' }).error?.issues[0]?.path).toEqual(['service_tier']);
    const ws = { repriceSuppliedCosts: false, overrides: [] };
    const input = { kind: 'model_call', provider: 'openai', model: 'gpt-5', occurred_at: at, tokens: { ...zero, input: 1_000_000 }, cost: null, currency: 'USD', source: 'api' };
    expect(costOf({ ...input, service_tier: 'batch' }, pricer, ws).total_cost).toBe('0.625');
    expect(costOf({ ...input, service_tier: null }, pricer, ws).total_cost).toBe('1.25');
  });
});
