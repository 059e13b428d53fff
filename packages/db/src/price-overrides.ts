import { TOKEN_TYPES, type TokenType } from '@spendgraph/schema';
import type { Pool } from './pool.ts';

export interface WorkspacePriceOverride {
  provider: string;
  model_pattern: string;
  rates: Partial<Record<TokenType, string>>;
  currency: string;
  effective_from: string;
  note?: string;
}

/** A rate per token type: `<type>_per_mtok`. */
const rateColumn = (t: TokenType) => `${t}_per_mtok`;

export async function listPriceOverrides(pool: Pool, workspaceId: string): Promise<WorkspacePriceOverride[]> {
  const { rows } = await pool.query(
    `SELECT provider, model_pattern, currency, effective_from, note,
            ${TOKEN_TYPES.map(rateColumn).join(', ')}
       FROM price_overrides WHERE workspace_id = $1 ORDER BY effective_from`,
    [workspaceId],
  );
  return rows.map((r) => ({
    provider: r.provider,
    model_pattern: r.model_pattern,
    currency: r.currency,
    effective_from: new Date(r.effective_from).toISOString(),
    ...(r.note ? { note: r.note } : {}),
    rates: Object.fromEntries(TOKEN_TYPES.filter((t) => r[rateColumn(t)] != null).map((t) => [t, r[rateColumn(t)]])),
  }));
}

export async function addPriceOverride(
  pool: Pool,
  workspaceId: string,
  o: Omit<WorkspacePriceOverride, 'currency'> & { currency?: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO price_overrides (workspace_id, provider, model_pattern, currency, effective_from, note,
       ${TOKEN_TYPES.map(rateColumn).join(', ')})
     VALUES ($1, $2, $3, $4, $5, $6, ${TOKEN_TYPES.map((_, i) => `$${i + 7}`).join(', ')})`,
    [workspaceId, o.provider, o.model_pattern, o.currency ?? 'USD', o.effective_from, o.note ?? null,
      ...TOKEN_TYPES.map((t) => o.rates[t] ?? null)],
  );
}
