// Currency codes at every boundary (events, bills, pools, revenue, budgets, settings):
// ISO 4217 codes as Node's ICU knows them, plus the former currencies the ECB's reference-rate
// history has rates for (docs/decisions/0023-currencies.md).
import { z } from 'zod';

const ECB_FORMER = ['CYP', 'EEK', 'HRK', 'LTL', 'LVL', 'MTL', 'ROL', 'SIT', 'SKK', 'TRL'];

const ISO_4217 = new Set([...Intl.supportedValuesOf('currency'), ...ECB_FORMER, 'EUR', 'USD']);

/** Whether a code is an ISO 4217 currency code. */
export const isCurrencyCode = (code: string): boolean => ISO_4217.has(code);

/** A currency code field: three capital letters naming an ISO 4217 currency. */
export const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD (three capital letters)')
  .refine(isCurrencyCode, { error: (i) => `'${String(i.input)}' is not an ISO 4217 currency code` });
