// Dirty marks for roll-up partitions (db/migrations/1765000100000_rollup_dirty_days.sql,
// docs/decisions/0001-read-path.md): every write to usage_events notes the UTC days it
// touched, in its own transaction, so a roll-up partition built before the write is never
// read for those days.
import { canonicalUtcDay } from './iso.ts';
import type { PoolClient } from './pool.ts';

/** The distinct UTC days (YYYY-MM-DD) of some instants. */
export function utcDays(instants: Iterable<string | Date>): string[] {
  const days = new Set<string>();
  for (const at of instants) days.add((typeof at === 'string' ? canonicalUtcDay(at) : undefined) ?? new Date(at).toISOString().slice(0, 10));
  return [...days];
}

/** Marks a workspace's UTC days dirty. Call it inside the transaction that writes their events. */
export async function markRollupDaysDirty(client: PoolClient, workspaceId: string, days: string[]): Promise<void> {
  if (days.length) await client.query('SELECT mark_rollup_days_dirty($1, $2::date[])', [workspaceId, days]);
}

/** Marks the days of rows (any workspaces) dirty, one call per workspace. */
export async function markRowsDirty(client: PoolClient, rows: ReadonlyArray<{ workspace_id: string; occurred_at: string | Date }>): Promise<void> {
  const byWorkspace = new Map<string, Array<string | Date>>();
  for (const r of rows) {
    const list = byWorkspace.get(r.workspace_id) ?? [];
    list.push(r.occurred_at);
    byWorkspace.set(r.workspace_id, list);
  }
  for (const [ws, instants] of byWorkspace) await markRollupDaysDirty(client, ws, utcDays(instants));
}
