// The what-if transforms of a token mix and its repricing: properties over generated mixes, and the
// repricing against the pricer called by hand.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promptTokens } from '@spendgraph/schema';
import { atCacheHitRatio, createPricer, repriceMix, shrinkContext } from '../src/index.ts';

const count = fc.integer({ min: 0, max: 50_000_000 });
const tokens = fc.record({ input: count, output: count, cache_read: count, cache_write_5m: count, cache_write_1h: count, reasoning: count });
const ratio = fc.integer({ min: 0, max: 1000 }).map((n) => String(n / 1000));
const at = new Date('2025-10-01T12:00:00Z');
const pricer = createPricer();

/** `ratio` (n/1000 as a string) × `n` rounded half to even, in integers: an oracle without floats. */
function thousandthsOf(ratio: string, n: number): number {
  const product = BigInt(Math.round(Number(ratio) * 1000)) * BigInt(n);
  const [q, r] = [product / 1000n, product % 1000n];
  return Number(r > 500n || (r === 500n && q % 2n === 1n) ? q + 1n : q);
}

describe('token mix transforms', () => {
  it('a cache hit ratio keeps the prompt, writes and outputs, and reads that share from the cache (as far as writes allow)', () => {
    fc.assert(fc.property(tokens, ratio, (t, h) => {
      const out = atCacheHitRatio(t, h);
      expect(promptTokens(out)).toBe(promptTokens(t));
      expect([out.cache_write_5m, out.cache_write_1h, out.output, out.reasoning]).toEqual([t.cache_write_5m, t.cache_write_1h, t.output, t.reasoning]);
      expect(out.input).toBeGreaterThanOrEqual(0);
      expect(out.cache_read).toBe(Math.min(thousandthsOf(h, promptTokens(t)), promptTokens(t) - t.cache_write_5m - t.cache_write_1h));
    }));
  });

  it('a smaller context shrinks every prompt partition and nothing else', () => {
    fc.assert(fc.property(tokens, ratio, (t, r) => {
      const out = shrinkContext(t, r);
      for (const k of ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h'] as const) expect(Math.abs(out[k] - t[k] * (1 - Number(r)))).toBeLessThanOrEqual(0.5 + 1e-6 * t[k]);
      expect([out.output, out.reasoning]).toEqual([t.output, t.reasoning]);
    }));
  });
});

describe('repriceMix', () => {
  const mix = { provider: 'anthropic', model: 'claude-opus-4-1', serviceTier: null, calls: 10, tokens: { input: 100_000, output: 20_000, cache_read: 400_000, cache_write_5m: 50_000, cache_write_1h: 0, reasoning: 0 } };

  it('prices the baseline and the target with the pricer, the catalog finding the target\'s provider', () => {
    const r = repriceMix(pricer, mix, { model: 'claude-haiku-4-5' }, at);
    const direct = (model: string) => pricer.price({ provider: 'anthropic', model, occurredAt: at, tokens: mix.tokens }).total;
    expect(r).toMatchObject({ baseline: direct('claude-opus-4-1'), scenario: direct('claude-haiku-4-5'), writesAsInput: false });
    expect(r.target).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5', serviceTier: null });
  });

  it('bills cache writes as input on a target without cache-write prices, and a tier on request', () => {
    const r = repriceMix(pricer, mix, { model: 'gpt-4o-mini', serviceTier: 'batch' }, at);
    expect(r.target).toEqual({ provider: 'openai', model: 'gpt-4o-mini', serviceTier: 'batch' });
    expect(r.writesAsInput).toBe(true);
    // gpt-4o-mini batch: ($0.15 × 150k + $0.075 × 400k + $0.60 × 20k) / 1M / 2
    expect(r.scenario).toBe('0.03225');
  });

  it('picks long-context tiers by the average prompt per call, not the sum', () => {
    // 10 calls of 100k prompt tokens: under gemini-2.5-pro's 200k tier ($1.25/M), though the sum is 1M.
    const big = { provider: 'google', model: 'gemini-2.5-pro', serviceTier: null, calls: 10, tokens: { input: 1_000_000, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 } };
    expect(repriceMix(pricer, big, { contextReduction: '0' }, at).baseline).toBe('1.25');
    expect(repriceMix(pricer, { ...big, calls: 4 }, { contextReduction: '0' }, at).baseline).toBe('2.5'); // 250k per call: the long-context rate
  });
});
