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

  // The overrides of a list that can apply to a provider, model and tier, with their start as a
  // number: worked out once per list and model, not per event (a workspace's list is replaced
  // when it is read again, and forgotten with it).
  const candidates = new WeakMap<readonly ParsedPriceOverride[], Map<string, Array<{ o: ParsedPriceOverride; from: number }>>>();
  const candidatesFor = (list: readonly ParsedPriceOverride[], provider: string, model: string, tier: string | undefined) => {
    let byModel = candidates.get(list);
    if (!byModel) candidates.set(list, (byModel = new Map()));
    const key = `${provider}\0${model}\0${tier ?? ''}`;
    let found = byModel.get(key);
    if (!found) {
      if (byModel.size >= 10_000) byModel.clear(); // model names are the callers': bounded
      found = list.filter((o) => matches(o, provider, model, tier)).map((o) => ({ o, from: Date.parse(o.effective_from) }));
      byModel.set(key, found);
    }
    return found;
  };

  /** The override in force at `at` for a tier (undefined: standard): the latest effective_from not after it. */
  const inForce = (list: readonly ParsedPriceOverride[], provider: string, model: string, at: Date, tier?: string) => {
    if (list.length === 0) return undefined;
    let best: ParsedPriceOverride | undefined;
    let bestFrom = -Infinity;
    for (const { o, from } of candidatesFor(list, provider, model, tier)) {
      if (from > at.getTime() || from < bestFrom) continue;
      best = o;
      bestFrom = from;
    }
    return best;
  };

  // Catalog prices change on dates, so one lookup per model per UTC day.
  const catalogAt = (provider: string, model: string, at: Date) => {
    const t = at.getTime();
    if (Number.isNaN(t)) throw new RangeError('Invalid time value');
    const key = `${provider}\0${model}\0${Math.floor(t / DAY_MS)}`;
    let found = catalogCache.get(key);
    if (found === undefined) catalogCache.set(key, (found = catalogPrice(provider, model, at)));
    return found;
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
      const all = layers(req, provider);
      const top = all[0];
      if (!top) return UNPRICED;
      // A partial override takes its missing rates from the sources below it (same currency only).
      let rates: Rates;
      if (all.length === 1) rates = top.rates;
      else {
        rates = {};
        for (let i = all.length - 1; i >= 0; i--) if (all[i]!.currency === top.currency) Object.assign(rates, all[i]!.rates);
      }
      const tier = req.serviceTier === 'standard' ? undefined : req.serviceTier ?? undefined;
      if (!tier) return costFor(req.tokens, derivedRates(rates, provider), top);
      const entry = tierLayer(req, provider, tier);
      return costFor(req.tokens, withDerivedRates(entry ? atTier(rates, entry, top.currency) : rates, provider), tieredLayer(top, tier, entry));
    },
  };
}

const DAY_MS = 86_400_000;

/** withDerivedRates of a rates object (the catalog's for a model, an override's) worked out once. */
const derived = new WeakMap<Rates, Map<string, Rates>>();
function derivedRates(rates: Rates, provider: string): Rates {
  let byProvider = derived.get(rates);
  if (!byProvider) derived.set(rates, (byProvider = new Map()));
  let out = byProvider.get(provider);
  if (!out) byProvider.set(provider, (out = Object.freeze(withDerivedRates(rates, provider))));
  return out;
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
  for (const t of TOKEN_TYPES) {
    // Tokens without a rate would be priced at $0 silently: the call is unpriced instead.
    if (rates[t] === undefined && tokens[t] > 0) return UNPRICED;
  }
  const exact = exactCosts(tokens, rates);
  if (exact) return { unpriced: false, costs: exact.costs, total: exact.total, currency: top.currency, source: top.source, version: top.version };
  const costs = {} as Record<TokenType, string>;
  let total = new D(0);
  for (const t of TOKEN_TYPES) {
    const n = tokens[t];
    const cost = n === 0 ? new D(0) : new D(n).times(rates[t]!).dividedBy(MILLION);
    costs[t] = cost.toFixed();
    total = total.plus(cost);
  }
  return { unpriced: false, costs, total: total.toFixed(), currency: top.currency, source: top.source, version: top.version };
}

// Costs in integer arithmetic: a rate "0.075" is 75 × 10^-3, so n tokens at it per million cost
// n·75 × 10^-9, exact while the integers stay below 2^53 (nearly always: counts of thousands,
// rates of a few digits). Otherwise costFor computes with decimal.js, as it always did; both
// print the same exact decimal (the tests compare them).

/** A rate as an integer and a power of ten; null when it is not a plain decimal of at most 15 digits. */
type Scaled = { m: number; scale: number } | null;
const scaledRates = new Map<string, Scaled>();
function scaled(rate: string): Scaled {
  let found = scaledRates.get(rate);
  if (found !== undefined) return found;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  const digits = m ? m[1]! + (m[2] ?? '') : '';
  found = m && digits.length <= 15 ? { m: Number(digits), scale: (m[2] ?? '').length + 6 } : null;
  if (scaledRates.size >= 10_000) scaledRates.clear();
  scaledRates.set(rate, found);
  return found;
}

const POW10 = Array.from({ length: 40 }, (_, i) => 10 ** i);

/** An integer × 10^-scale in plain notation without trailing zeros (what Decimal#toFixed() prints). */
function decimalText(units: number, scale: number): string {
  if (units === 0) return '0';
  let digits = String(units);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  let end = digits.length;
  const point = digits.length - scale;
  while (end > point && digits.charCodeAt(end - 1) === 48) end--;
  return end === point ? digits.slice(0, point) : `${digits.slice(0, point)}.${digits.slice(point, end)}`;
}

function exactCosts(tokens: TokenCounts, rates: Rates): { costs: Record<TokenType, string>; total: string } | undefined {
  const costs = {} as Record<TokenType, string>;
  let maxScale = 0;
  for (const t of TOKEN_TYPES) {
    const n = tokens[t];
    if (n === 0) continue;
    const r = scaled(rates[t]!);
    if (!r) return undefined;
    if (r.scale > maxScale) maxScale = r.scale;
  }
  let total = 0;
  for (const t of TOKEN_TYPES) {
    const n = tokens[t];
    if (n === 0) {
      costs[t] = '0';
      continue;
    }
    const r = scaled(rates[t]!)!;
    const units = n * r.m;
    const aligned = units * POW10[maxScale - r.scale]!;
    if (!Number.isSafeInteger(units) || !Number.isSafeInteger(aligned) || !Number.isSafeInteger(total + aligned)) return undefined;
    costs[t] = decimalText(units, r.scale);
    total += aligned;
  }
  return { costs, total: decimalText(total, maxScale) };
}
