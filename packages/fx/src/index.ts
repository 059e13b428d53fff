export { type FxRate, FxParseError, parseEcb, parseEcbCsv, parseEcbXml } from './ecb.ts';
export { shippedRates } from './shipped.ts';
