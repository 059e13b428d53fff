export { createPricer, type Pricer, type PriceRequest, type PriceResult, type PriceSource } from './pricer.ts';
export { loadPriceFile, DEFAULT_PRICE_FILE } from './price-file.ts';
export { CATALOG_VERSION } from './catalog.ts';
export {
  type Rates, type PriceOverride, type ParsedPriceOverride, priceOverrideSchema, ratesSchema,
} from './rates.ts';
export { costOf, type AppliedCost, type CostInput, type WorkspacePricingPolicy } from './applied-cost.ts';
export { type RepricedMix, type Scenario, type TokenMix, atCacheHitRatio, repriceMix, scenarioTokens, shrinkContext, targetOf } from './what-if.ts';
