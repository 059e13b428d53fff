// Revenue entries (issue 17, margin): stored once per sender id, so a resent request or an
// invoice event delivered twice counts once. The model reads them (cube allocations.yml).
import type { RevenueEntry, RevenueSource } from '@spendgraph/schema';
import type { Db } from './pool.ts';

/** Stores the entries; returns how many were new (the rest were already stored under their id). */
export async function insertRevenue(db: Db, workspaceId: string, source: RevenueSource, entries: RevenueEntry[]): Promise<{ stored: number; duplicates: number }> {
  if (entries.length === 0) return { stored: 0, duplicates: 0 };
  const rows = entries.map((e) => ({
    external_id: e.id, day: e.day, customer_id: e.customerId, feature: e.feature, plan_id: e.planId, amount: e.amount, currency: e.currency,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO revenue_entries (workspace_id, external_id, day, customer_id, feature, plan_id, amount, currency, source)
     SELECT $1, external_id, day, customer_id, feature, plan_id, amount, currency, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, day date, customer_id text, feature text, plan_id text, amount numeric, currency text)
     ON CONFLICT (workspace_id, external_id) DO NOTHING`,
    [workspaceId, JSON.stringify(rows), source]);
  const stored = rowCount ?? 0;
  return { stored, duplicates: entries.length - stored };
}
