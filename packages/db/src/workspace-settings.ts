// A workspace's settings as its settings page shows them: name, time zone, currency and raw
// retention (retention.ts changes that one), and whether any event has arrived yet (onboarding).
import { reconvertWorkspace } from './fx-rates.ts';
import { type Db, withTransaction } from './pool.ts';

export interface WorkspaceSettings {
  id: string;
  slug: string;
  name: string;
  organizationId: string;
  timeZone: string;
  currency: string;
  rawRetentionDays: number | null;
}

export interface WorkspaceSettingsPatch {
  name?: string;
  timeZone?: string;
  currency?: string;
}

interface Row { id: string; slug: string; name: string; organization_id: string; time_zone: string; currency: string; raw_retention_days: number | null }
const COLUMNS = 'id, slug, name, organization_id, time_zone, currency, raw_retention_days';
const settings = (r: Row): WorkspaceSettings => ({
  id: r.id, slug: r.slug, name: r.name, organizationId: r.organization_id, timeZone: r.time_zone, currency: r.currency, rawRetentionDays: r.raw_retention_days,
});

export async function getWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM workspaces WHERE id = $1`, [workspaceId]);
  return rows[0] && settings(rows[0]);
}

/**
 * Changes the fields given (the others stay). A new reporting currency re-converts the
 * workspace's events and marks the days that changed dirty, in the same transaction
 * (docs/decisions/0023-currencies.md).
 */
export async function updateWorkspaceSettings(db: Db, workspaceId: string, patch: WorkspaceSettingsPatch): Promise<WorkspaceSettings | undefined> {
  return withTransaction(db, async (client) => {
    const before = await client.query<{ currency: string }>('SELECT currency FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
    const { rows } = await client.query<Row>(
      `UPDATE workspaces SET name = coalesce($2, name), time_zone = coalesce($3, time_zone), currency = coalesce($4, currency)
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [workspaceId, patch.name ?? null, patch.timeZone ?? null, patch.currency ?? null],
    );
    if (rows[0] && before.rows[0]!.currency !== rows[0].currency) await reconvertWorkspace(client, workspaceId);
    return rows[0] && settings(rows[0]);
  });
}

/** Whether any event of the workspace was ever stored: one probe of usage_event_ids' key (ids outlive retention). */
export async function workspaceHasEvents(db: Db, workspaceId: string): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM usage_event_ids WHERE workspace_id = $1) AS any', [workspaceId]);
  return rows[0]!.any;
}
