// Prices one model call exactly: workspace rates > the repo's price file > catalog.
import { Decimal } from 'decimal.js';
import type { ModelPrice } from '@pydantic/genai-prices';
import { CATALOG_VERSION, catalogPrice, catalogRates } from './catalog.ts';
import { loadPriceFile } from './price-file.ts';
import { TOKEN_TYPES, type TokenCounts, type TokenType, promptTokens } from '@spendgraph/schema';
import type { ParsedPriceOverride, Rates } from './rates.ts';

const D = Decimal.clone({ precision: 50 });
const MILLION = new D(1_000_000);

export type PriceSource = 'workspace' | 'price-file' | 'catalog';

export interface PriceRequest {
  provider: string;
  model: string;
  occurredAt: Date;
  tokens: TokenCounts;
  /** The workspace's negotiated rates (parsed with priceOverrideSchema); highest precedence. */
  workspaceOverrides?: readonly ParsedPriceOverride[];
  /** The tier the provider billed (batch, flex, priority, scale); absent, null or standard: standard rates. */
  serviceTier?: string | null;
  /**
   * The prompt size that picks long-context tiers, when `tokens` are several calls' sums (a what-if
   * over a token mix): their average prompt. Default: the prompt of `tokens`, one call.
   */
  promptTokensPerCall?: number;
}

export type PriceResult =
  | { unpriced: false; costs: Record<TokenType, string>; total: string; currency: string; source: PriceSource; version: string }
  | { unpriced: true; costs: null; total: null; currency: null; source: null; version: null };

export interface Pricer {
  price(req: PriceRequest): PriceResult;
  readonly catalogVersion: string;
}

const UNPRICED: PriceResult = { unpriced: true, costs: null, total: null, currency: null, source: null, version: null };

interface Layer { rates: Rates; currency: string; source: PriceSource; version: string; /** A tier entry's multiplier of the standard rates. */ factor?: string }

export function createPricer(options: { priceFile?: string; overrides?: ParsedPriceOverride[] } = {}): Pricer {
  const fileOverrides = options.overrides ?? loadPriceFile(options.priceFile);
  const patterns = new Map<string, RegExp>();
  const catalogCache = new Map<string, ModelPrice | null>();

  const matches = (o: ParsedPriceOverride, provider: string, model: string, tier: string | undefined) => {
    let re = patterns.get(o.model_pattern);
    if (!re) patterns.set(o.model_pattern, (re = new RegExp(o.model_pattern, 'i')));
    return o.provider === provider && o.service_tier === tier && re.test(model);
  };

  /** The override in force at `at` for a tier (undefined: standard): the latest effective_from not after it. */
  const inForce = (list: readonly ParsedPriceOverride[], provider: string, model: string, at: Date, tier?: string) => {
    let best: ParsedPriceOverride | undefined;
    let bestFrom = -Infinity;
    for (const o of list) {
      const from = Date.parse(o.effective_from);
      if (from > at.getTime() || from < bestFrom || !matches(o, provider, model, tier)) continue;
      best = o;
      bestFrom = from;
    }
    return best;
  };

  // Catalog prices change on dates, so one lookup per model per UTC day.
  const catalogAt = (provider: string, model: string, at: Date) => {
    const key = `${provider}\0${model}\0${at.toISOString().slice(0, 10)}`;
    if (!catalogCache.has(key)) catalogCache.set(key, catalogPrice(provider, model, at));
    return catalogCache.get(key)!;
  };

  /** The tier's entry in force: the workspace's, else the price file's. */
  const tierLayer = (req: PriceRequest, provider: string, tier: string): Layer | undefined => {
    const own = inForce(req.workspaceOverrides ?? [], provider, req.model, req.occurredAt, tier);
    if (own) return overrideLayer(own, 'workspace');
    const file = inForce(fileOverrides, provider, req.model, req.occurredAt, tier);
    return file && overrideLayer(file, 'price-file');
  };

  function layers(req: PriceRequest, provider: string): Layer[] {
    const out: Layer[] = [];
    const workspace = inForce(req.workspaceOverrides ?? [], provider, req.model, req.occurredAt);
    if (workspace) out.push(overrideLayer(workspace, 'workspace'));
    const file = inForce(fileOverrides, provider, req.model, req.occurredAt);
    if (file) out.push(overrideLayer(file, 'price-file'));
    const catalog = catalogAt(provider, req.model, req.occurredAt);
    if (catalog) out.push({ rates: catalogRates(catalog, req.promptTokensPerCall ?? promptTokens(req.tokens)), currency: 'USD', source: 'catalog', version: CATALOG_VERSION });
    return out;
  }

  return {
    catalogVersion: CATALOG_VERSION,
    price(req) {
      const provider = req.provider.toLowerCase();
      const [top, ...rest] = layers(req, provider);
      if (!top) return UNPRICED;
      // A partial override takes its missing rates from the sources below it (same currency only).
      const rates: Rates = {};
      for (const l of [top, ...rest].reverse()) if (l.currency === top.currency) Object.assign(rates, l.rates);
      const tier = req.serviceTier === 'standard' ? undefined : req.serviceTier ?? undefined;
      if (!tier) return costFor(req.tokens, withDerivedRates(rates, provider), top);
      const entry = tierLayer(req, provider, tier);
      return costFor(req.tokens, withDerivedRates(entry ? atTier(rates, entry, top.currency) : rates, provider), tieredLayer(top, tier, entry));
    },
  };
}

/** Standard rates at a tier: × its factor, then the rates it names (same currency only). */
function atTier(rates: Rates, entry: Layer, currency: string): Rates {
  const factor = new D(entry.factor ?? 1);
  const out: Rates = Object.fromEntries(Object.entries(rates).map(([t, r]) => [t, factor.times(r!).toFixed()]));
  if (entry.currency === currency) Object.assign(out, entry.rates);
  return out;
}

/** The version names the tier's price (`catalog@… [batch ×0.5 price-file@2024-04-15]`), or says none was known. */
function tieredLayer(top: Layer, tier: string, entry: Layer | undefined): Layer {
  const how = entry ? `${entry.factor ? `×${entry.factor} ` : ''}${entry.version}` : 'no tier price, standard rates';
  return { ...top, version: `${top.version} [${tier} ${how}]` };
}

function overrideLayer(o: ParsedPriceOverride, source: PriceSource): Layer {
  return { rates: o.rates ?? {}, currency: o.currency, source, version: `${source}@${o.effective_from}`, factor: o.factor };
}

/** Rates providers define relative to others when no source states them. */
function withDerivedRates(rates: Rates, provider: string): Rates {
  const out = { ...rates };
  // Anthropic bills 1-hour cache writes at 2× the base input rate.
  if (out.cache_write_1h === undefined && provider === 'anthropic' && out.input !== undefined) {
    out.cache_write_1h = new D(out.input).times(2).toFixed();
  }
  // Reasoning tokens are billed as output tokens.
  if (out.reasoning === undefined && out.output !== undefined) out.reasoning = out.output;
  return out;
}

function costFor(tokens: TokenCounts, rates: Rates, top: Layer): PriceResult {
  const costs = {} as Record<TokenType, string>;
  let total = new D(0);
  for (const t of TOKEN_TYPES) {
    const n = tokens[t];
    const rate = rates[t];
    // Tokens without a rate would be priced at $0 silently: the call is unpriced instead.
    if (rate === undefined && n > 0) return UNPRICED;
    const cost = n === 0 ? new D(0) : new D(n).times(rate!).dividedBy(MILLION);
    costs[t] = cost.toFixed();
    total = total.plus(cost);
  }
  return { unpriced: false, costs, total: total.toFixed(), currency: top.currency, source: top.source, version: top.version };
}
