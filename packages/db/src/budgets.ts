// Budgets: what a workspace may spend, on what scope, per period. Every read and
// write names the workspace (evaluation reads all active ones).
import { iso } from './iso.ts';
import type { Db } from './pool.ts';

export interface ScopeFilterRow {
  member: string;
  operator: 'equals' | 'notEquals';
  values: string[];
}

export interface BudgetFields {
  name: string;
  scope: ScopeFilterRow[];
  wholeWorkspace: boolean;
  period: 'daily' | 'weekly' | 'monthly' | 'rolling' | 'lifetime';
  rollingDays: number | null;
  /** A rolling window given in hours instead (a plan's 5-hour window); one of the two. */
  rollingHours: number | null;
  timezone: string;
  /** What the amount counts: money (cost), or a plan's usage (tokens, calls). */
  unit: 'cost' | 'tokens' | 'calls';
  /** Decimal string, in the unit. */
  amount: string;
  currency: string;
  /** Percent of the amount, ascending. */
  thresholds: number[];
  forecastAlerts: boolean;
  mode: 'soft' | 'hard';
  /** An organization budget: the organization and the workspaces it covers (null: all of them, later ones too). Set on creation only. */
  organization?: { id: string; workspaceIds: string[] | null } | null;
}

export interface Budget extends BudgetFields {
  /** The workspaces whose spend counts and where its hard stop applies: its own, or an organization budget's. */
  coveredWorkspaceIds: string[];
  id: string;
  workspaceId: string;
  paused: boolean;
  createdAt: string;
  updatedAt: string;
}

const BUDGET_COLUMNS = `id, workspace_id, name, scope, whole_workspace, period, rolling_days, rolling_hours, unit, timezone, amount::text AS amount,
  currency, thresholds::float8[] AS thresholds, forecast_alerts, mode, paused, created_at, updated_at, organization_id, workspace_ids,
  CASE WHEN organization_id IS NULL THEN ARRAY[workspace_id]
       ELSE coalesce(workspace_ids, ARRAY(SELECT w.id FROM workspaces w WHERE w.organization_id = budgets.organization_id ORDER BY w.id)) END AS covered`;

/** Budgets covering a workspace: its own, and its organization's that name it or all of its workspaces. */
const COVERS = `(workspace_id = $1 OR (organization_id = (SELECT organization_id FROM workspaces WHERE id = $1)
  AND (workspace_ids IS NULL OR $1 = ANY (workspace_ids))))`;

function toBudget(r: any): Budget {
  return {
    id: r.id, workspaceId: r.workspace_id, name: r.name, scope: r.scope, wholeWorkspace: r.whole_workspace,
    period: r.period, rollingDays: r.rolling_days, rollingHours: r.rolling_hours, unit: r.unit, timezone: r.timezone, amount: r.amount, currency: r.currency,
    thresholds: r.thresholds, forecastAlerts: r.forecast_alerts, mode: r.mode, paused: r.paused,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
    organization: r.organization_id ? { id: r.organization_id, workspaceIds: r.workspace_ids } : null, coveredWorkspaceIds: r.covered,
  };
}

function budgetValues(f: BudgetFields) {
  return [f.name, JSON.stringify(f.scope), f.wholeWorkspace, f.period, f.rollingDays, f.timezone, f.amount, f.currency,
    f.thresholds, f.forecastAlerts, f.mode, f.rollingHours, f.unit];
}

export async function insertBudget(db: Db, workspaceId: string, f: BudgetFields): Promise<Budget> {
  const { rows } = await db.query(
    `INSERT INTO budgets (workspace_id, name, scope, whole_workspace, period, rolling_days, timezone, amount, currency,
       thresholds, forecast_alerts, mode, rolling_hours, unit, organization_id, workspace_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, ...budgetValues(f), f.organization?.id ?? null, f.organization?.workspaceIds ?? null],
  );
  return toBudget(rows[0]);
}

export async function updateBudget(db: Db, workspaceId: string, id: string, f: BudgetFields): Promise<Budget | undefined> {
  const { rows } = await db.query(
    `UPDATE budgets SET name = $3, scope = $4, whole_workspace = $5, period = $6, rolling_days = $7, timezone = $8,
       amount = $9, currency = $10, thresholds = $11, forecast_alerts = $12, mode = $13, rolling_hours = $14, unit = $15, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, id, ...budgetValues(f)],
  );
  return rows[0] && toBudget(rows[0]);
}

export async function setBudgetPaused(db: Db, workspaceId: string, id: string, paused: boolean): Promise<Budget | undefined> {
  const { rows } = await db.query(
    `UPDATE budgets SET paused = $3, updated_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, id, paused],
  );
  return rows[0] && toBudget(rows[0]);
}

export async function deleteBudget(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM budgets WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export async function getBudget(db: Db, workspaceId: string, id: string): Promise<Budget | undefined> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toBudget(rows[0]);
}

/**
 * A budget of the workspace, or an organization budget of its organization (its home may be
 * another workspace: changes go to `workspaceId`). Who may see or change the latter is the API's
 * check (apps/api/src/authz.ts: budgetVisible, organizationSetAccess).
 */
export async function getOrganizationalBudget(db: Db, workspaceId: string, id: string): Promise<Budget | undefined> {
  const { rows } = await db.query(
    `SELECT ${BUDGET_COLUMNS} FROM budgets WHERE id = $2
        AND (workspace_id = $1 OR organization_id = (SELECT organization_id FROM workspaces WHERE id = $1))`, [workspaceId, id]);
  return rows[0] && toBudget(rows[0]);
}

/** The organization budgets of an organization, oldest first. */
export async function organizationBudgets(db: Db, organizationId: string): Promise<Budget[]> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE organization_id = $1 ORDER BY created_at, id`, [organizationId]);
  return rows.map(toBudget);
}

export async function listBudgets(db: Db, workspaceId: string): Promise<Budget[]> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toBudget);
}

/** A workspace's budgets and the organization budgets covering it: what its guard check answers from. */
export async function coveringBudgets(db: Db, workspaceId: string): Promise<Budget[]> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE ${COVERS} ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toBudget);
}

/** Budgets to evaluate: not paused; covering one workspace (its own and its organization's), some ids, and/or hard ones only. */
export async function activeBudgets(db: Db, where: { workspaceId?: string; ids?: string[]; hardOnly?: boolean } = {}): Promise<Budget[]> {
  const { rows } = await db.query(
    `SELECT ${BUDGET_COLUMNS} FROM budgets
      WHERE NOT paused AND ($1::uuid IS NULL OR ${COVERS}) AND ($2::uuid[] IS NULL OR id = ANY ($2))
        AND (NOT $3 OR mode = 'hard')
      ORDER BY workspace_id, id`,
    [where.workspaceId ?? null, where.ids ?? null, where.hardOnly ?? false],
  );
  return rows.map(toBudget);
}
