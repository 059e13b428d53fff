import type { BillSource, ParsedBill } from './line.ts';
import { parseAnthropicCostReport } from './anthropic.ts';
import { parseFocusCsv } from './focus.ts';
import { parseGcpBillingCsv } from './gcp.ts';
import { parseOpenAiCosts } from './openai.ts';

export * from './line.ts';
export { openAiLines, openAiCostsPageSchema, modelOfLineItem } from './openai.ts';
export { anthropicLines, anthropicCostPageSchema } from './anthropic.ts';
export { modelOfSku } from './gcp.ts';
export { type ConnectorOptions, pullCostReport, CONNECTOR_SOURCES, type ConnectorSource } from './connector.ts';

/** Reads an uploaded bill of the given source (throws BillParseError naming the line and field). */
export const PARSERS: Record<BillSource, (text: string) => ParsedBill> = {
  openai: parseOpenAiCosts,
  anthropic: parseAnthropicCostReport,
  gcp: parseGcpBillingCsv,
  focus: parseFocusCsv,
};
export { MAX_REVENUE_ENTRIES, parseRevenueCsv, revenueEntrySchema, parseRevenueJson, parseStripeInvoiceEvent } from './revenue.ts';
export { FOCUS_POOL_COST_COLUMNS, type FocusPoolCostColumn, type FocusPoolOptions, MAX_POOLS_PER_FILE, type ParsedPool, type ParsedPools, parseFocusPools } from './focus-pools.ts';
