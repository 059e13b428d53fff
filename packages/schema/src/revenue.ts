// Revenue as every input (REST JSON, CSV, Stripe-shaped invoice events) is read into and stored
// (packages/billing parses, packages/db stores): one UTC day, money as an exact decimal string.
export const REVENUE_SOURCES = ['api', 'csv', 'stripe'] as const;
export type RevenueSource = (typeof REVENUE_SOURCES)[number];

export interface RevenueEntry {
  /** The sender's id for the entry: a resent entry counts once. */
  id: string;
  /** UTC date, YYYY-MM-DD. */
  day: string;
  customerId: string | null;
  feature: string | null;
  planId: string | null;
  /** Decimal string. */
  amount: string;
  /** ISO 4217, upper case. */
  currency: string;
}
