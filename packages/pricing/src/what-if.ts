// What-if repricing of an observed token mix (issue 17): the same tokens under another model, tier,
// cache hit ratio or a smaller context, priced by the same engine as ingest (createPricer). Both
// sides are priced at one instant with the same sources, so a price change between the calls and
// now never shows as a saving.
import { Decimal } from 'decimal.js';
import { PROMPT_TOKEN_TYPES, type TokenCounts, promptTokens } from '@spendgraph/schema';
import { catalogProvider } from './catalog.ts';
import type { Pricer } from './pricer.ts';

const D = Decimal.clone({ precision: 50 });

/** One model's summed tokens in a slice. */
export interface TokenMix {
  provider: string;
  model: string;
  serviceTier: string | null;
  /** Calls whose tokens are summed (picks long-context tiers by the average prompt). */
  calls: number;
  tokens: TokenCounts;
}

/** What changes; what it leaves out stays as observed. Ratios are decimal strings in [0, 1]. */
export interface Scenario {
  model?: string;
  /** Default: the observed provider when the model is unchanged, else the catalog's provider of `model`. */
  provider?: string;
  serviceTier?: string;
  /** Share of every prompt read from the cache. */
  cacheHitRatio?: string;
  /** Share by which every prompt shrinks (input, cache reads and writes alike). */
  contextReduction?: string;
}

export interface RepricedMix {
  target: { provider: string; model: string; serviceTier: string | null };
  tokens: TokenCounts;
  /** The observed mix at its own model and tier; null when no source prices it. */
  baseline: string | null;
  /** The scenario's mix at the target; null when no source prices it. */
  scenario: string | null;
  /** Cache writes billed as input because the target prices none (OpenAI, Gemini). */
  writesAsInput: boolean;
}

const round = (d: Decimal) => d.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();

/** Prompts smaller by `r`: each prompt partition × (1 − r). */
export function shrinkContext(tokens: TokenCounts, r: string): TokenCounts {
  const keep = new D(1).minus(r);
  const out = { ...tokens };
  for (const t of PROMPT_TOKEN_TYPES) out[t] = round(keep.times(tokens[t]));
  return out;
}

/** A share `h` of the prompt read from the cache; writes as observed, the rest uncached input. */
export function atCacheHitRatio(tokens: TokenCounts, h: string): TokenCounts {
  const prompt = promptTokens(tokens);
  const writes = tokens.cache_write_5m + tokens.cache_write_1h;
  const read = Math.min(round(new D(h).times(prompt)), prompt - writes);
  return { ...tokens, cache_read: read, input: prompt - writes - read };
}

export function scenarioTokens(tokens: TokenCounts, s: Scenario): TokenCounts {
  let out = tokens;
  if (s.contextReduction !== undefined) out = shrinkContext(out, s.contextReduction);
  if (s.cacheHitRatio !== undefined) out = atCacheHitRatio(out, s.cacheHitRatio);
  return out;
}

/** The model and tier a mix is repriced at. */
export function targetOf(mix: TokenMix, s: Scenario, at: Date) {
  const model = s.model ?? mix.model;
  const provider = s.provider ?? (model === mix.model ? mix.provider : catalogProvider(model, at) ?? mix.provider);
  return { provider, model, serviceTier: s.serviceTier ?? mix.serviceTier };
}

export function repriceMix(pricer: Pricer, mix: TokenMix, s: Scenario, at: Date): RepricedMix {
  const calls = Math.max(1, mix.calls);
  const price = (provider: string, model: string, serviceTier: string | null, tokens: TokenCounts) => {
    const r = pricer.price({ provider, model, serviceTier, tokens, occurredAt: at, promptTokensPerCall: promptTokens(tokens) / calls });
    return r.unpriced ? null : r.total;
  };
  const target = targetOf(mix, s, at);
  let tokens = scenarioTokens(mix.tokens, s);
  let scenario = price(target.provider, target.model, target.serviceTier, tokens);
  const writes = tokens.cache_write_5m + tokens.cache_write_1h;
  // A provider without cache-write prices bills those prompt tokens as input.
  const writesAsInput = scenario === null && writes > 0;
  if (writesAsInput) {
    tokens = { ...tokens, input: tokens.input + writes, cache_write_5m: 0, cache_write_1h: 0 };
    scenario = price(target.provider, target.model, target.serviceTier, tokens);
  }
  return { target, tokens, baseline: price(mix.provider, mix.model, mix.serviceTier, mix.tokens), scenario, writesAsInput };
}
