// Figures are in the workspace's reporting currency: the model's costs count every currency
// converted to it (docs/decisions/0023-currencies.md). A caller naming another is refused.
import { type Pool, getWorkspaceSettings } from '@spendgraph/db';
import { argumentError } from './errors.ts';

/** The workspace's reporting currency; `given`, when set, must be it (else INVALID_ARGUMENT on `field`, saying what `what` is in). */
export async function reportingCurrency(pool: Pool, workspaceId: string, given: unknown, field: string, what: string): Promise<string> {
  if (given != null && (typeof given !== 'string' || !/^[A-Z]{3}$/.test(given))) {
    throw argumentError('INVALID_ARGUMENT', field, `'${String(given)}' is not an ISO 4217 code such as USD`);
  }
  const currency = (await getWorkspaceSettings(pool, workspaceId))?.currency ?? 'USD';
  if (given != null && given !== currency) {
    throw argumentError('INVALID_ARGUMENT', field, `${what} in the workspace's reporting currency (${currency}), which counts every currency converted; '${given}' is not it`);
  }
  return currency;
}
