import type { Pool } from './pool.ts';

export interface WorkspacePriceOverride {
  provider: string;
  model_pattern: string;
  rates: Partial<Record<'input' | 'output' | 'cache_read' | 'cache_write_5m' | 'cache_write_1h' | 'reasoning', string>>;
  currency: string;
  effective_from: string;
  note?: string;
}

const RATE_COLUMNS = ['input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning'] as const;

export async function listPriceOverrides(pool: Pool, workspaceId: string): Promise<WorkspacePriceOverride[]> {
  const { rows } = await pool.query(
    `SELECT provider, model_pattern, currency, effective_from, note,
            ${RATE_COLUMNS.map((r) => `${r}_per_mtok`).join(', ')}
       FROM price_overrides WHERE workspace_id = $1 ORDER BY effective_from`,
    [workspaceId],
  );
  return rows.map((r) => ({
    provider: r.provider,
    model_pattern: r.model_pattern,
    currency: r.currency,
    effective_from: new Date(r.effective_from).toISOString(),
    ...(r.note ? { note: r.note } : {}),
    rates: Object.fromEntries(RATE_COLUMNS.filter((k) => r[`${k}_per_mtok`] != null).map((k) => [k, r[`${k}_per_mtok`]])),
  }));
}

export async function addPriceOverride(
  pool: Pool,
  workspaceId: string,
  o: Omit<WorkspacePriceOverride, 'currency'> & { currency?: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO price_overrides (workspace_id, provider, model_pattern, currency, effective_from, note,
       ${RATE_COLUMNS.map((r) => `${r}_per_mtok`).join(', ')})
     VALUES ($1, $2, $3, $4, $5, $6, ${RATE_COLUMNS.map((_, i) => `$${i + 7}`).join(', ')})`,
    [workspaceId, o.provider, o.model_pattern, o.currency ?? 'USD', o.effective_from, o.note ?? null,
      ...RATE_COLUMNS.map((k) => o.rates[k] ?? null)],
  );
}
