// Rates from @pydantic/genai-prices: the community-kept catalog with price history.
import { readFileSync } from 'node:fs';
import { calcPrice, type ModelPrice } from '@pydantic/genai-prices';
import type { Rates } from './rates.ts';

// The package does not export its package.json; it sits one level above its entry point.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@pydantic/genai-prices')), 'utf8')) as { version: string };
export const CATALOG_VERSION = `genai-prices@${pkg.version}`;

type CatalogValue = ModelPrice[string];

/** The catalog's prices for a model at a time, or null when it has none. */
export function catalogPrice(provider: string, model: string, at: Date): ModelPrice | null {
  // A one-token usage is enough to resolve provider, model and dated price.
  const found = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: provider, timestamp: at });
  return found && found.provider.id === provider ? found.model_price : null;
}

/** Long-context tiers reprice the whole request once the prompt exceeds a tier's start. */
function atTier(value: CatalogValue, promptTokens: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return String(value);
  let price = value.base;
  for (const t of value.tiers) if (promptTokens > t.start) price = t.price;
  return String(price);
}

/** The rates for a call whose prompt has `prompt` tokens (long-context tiers depend on it). */
function ratesAt(price: ModelPrice, prompt: number): Rates {
  const rates: Rates = {
    input: atTier(price.input_mtok, prompt),
    output: atTier(price.output_mtok, prompt),
    cache_read: atTier(price.cache_read_mtok, prompt),
    cache_write_5m: atTier(price.cache_write_mtok, prompt),
    cache_write_1h: atTier(price.cache_write_1h_mtok, prompt),
  };
  return Object.fromEntries(Object.entries(rates).filter(([, v]) => v !== undefined));
}

const TIERED = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok', 'cache_write_1h_mtok'] as const;
/** A model's rates when no long-context tier can change them (most models): worked out once, shared, frozen. */
const untiered = new WeakMap<ModelPrice, Readonly<Rates> | null>();

/** The rates for a call whose prompt has `prompt` tokens (long-context tiers depend on it); do not change the object. */
export function catalogRates(price: ModelPrice, prompt: number): Rates {
  let rates = untiered.get(price);
  if (rates === undefined) {
    rates = TIERED.some((k) => typeof price[k] === 'object' && price[k] !== null) ? null : Object.freeze(ratesAt(price, 0));
    untiered.set(price, rates);
  }
  return rates ?? ratesAt(price, prompt);
}

/** The provider whose catalog entry a model name matches (for a what-if naming only the model), or null. */
export function catalogProvider(model: string, at: Date): string | null {
  return calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { timestamp: at })?.provider.id ?? null;
}
