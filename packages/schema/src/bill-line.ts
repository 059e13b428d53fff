// A provider's bill line as every bill format is read into and stored (packages/billing parses,
// packages/db stores): one UTC day, money as an exact decimal string.
export const BILL_SOURCES = ['openai', 'anthropic', 'gcp', 'focus'] as const;
export type BillSource = (typeof BILL_SOURCES)[number];

export interface BillLine {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  /** Named like events' `provider` (openai, anthropic, google, ...). */
  provider: string;
  /** Null when the line names no model (a fee, a tool, another service). */
  model: string | null;
  /** The bill's own grouping: OpenAI project, Anthropic workspace, GCP project, FOCUS sub-account. */
  account: string | null;
  /** The provider's description of the line. */
  lineItem: string | null;
  /** ISO 4217, upper case. */
  currency: string;
  /** Decimal string, as billed. */
  amount: string;
}
