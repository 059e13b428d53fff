export { type FxRate, FxParseError, parseEcb, parseEcbCsv, parseEcbXml } from './ecb.ts';
export { shippedNewest, shippedRates } from './shipped.ts';
