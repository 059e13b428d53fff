// Where alerts and reports are delivered: a webhook, Slack or e-mail channel of a
// workspace, or of one of its budgets. Every read and write names the workspace.
import { iso } from './iso.ts';
import type { Db } from './pool.ts';

export interface AlertChannel {
  id: string;
  workspaceId: string;
  budgetId: string | null;
  name: string;
  type: 'webhook' | 'slack' | 'email';
  target: string;
  secret: string | null;
  enabled: boolean;
  createdAt: string;
}

const CHANNEL_COLUMNS = 'id, workspace_id, budget_id, name, type, target, secret, enabled, created_at';

function toChannel(r: any): AlertChannel {
  return {
    id: r.id, workspaceId: r.workspace_id, budgetId: r.budget_id, name: r.name, type: r.type, target: r.target,
    secret: r.secret, enabled: r.enabled, createdAt: iso(r.created_at),
  };
}

export async function insertAlertChannel(
  db: Db,
  workspaceId: string,
  c: Pick<AlertChannel, 'budgetId' | 'name' | 'type' | 'target' | 'secret'>,
): Promise<AlertChannel> {
  const { rows } = await db.query(
    `INSERT INTO alert_channels (workspace_id, budget_id, name, type, target, secret)
     SELECT $1, $2, $3, $4, $5, $6
      WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM budgets WHERE id = $2 AND workspace_id = $1)
     RETURNING ${CHANNEL_COLUMNS}`,
    [workspaceId, c.budgetId, c.name, c.type, c.target, c.secret],
  );
  if (!rows[0]) throw new Error(`no budget ${c.budgetId} in this workspace`);
  return toChannel(rows[0]);
}

export async function getAlertChannel(db: Db, workspaceId: string, id: string): Promise<AlertChannel | undefined> {
  const { rows } = await db.query(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toChannel(rows[0]);
}

export async function listAlertChannels(db: Db, workspaceId: string): Promise<AlertChannel[]> {
  const { rows } = await db.query(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toChannel);
}

export async function deleteAlertChannel(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM alert_channels WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}
