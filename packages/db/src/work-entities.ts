// Plans, tasks and work items: upserts from the API, and the ids events name
// created on ingest. Every statement names the workspace.
import type { PLAN_STATUSES, TASK_STATUSES } from '@spendgraph/schema';
import { iso } from './iso.ts';
import type { Db } from './pool.ts';

export interface Plan {
  id: string;
  name: string | null;
  status: (typeof PLAN_STATUSES)[number];
  sourceDocument: string | null;
  owner: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface Task {
  id: string;
  planId: string | null;
  taskType: string | null;
  status: (typeof TASK_STATUSES)[number];
  /** Decimal string. */
  estimate: string | null;
  createdAt: string;
  closedAt: string | null;
}

export interface WorkItem {
  id: string;
  title: string | null;
  repository: string | null;
  url: string | null;
  createdAt: string;
}

/** Fields of an upsert: absent ones keep their stored value. */
export type PlanFields = Partial<Omit<Plan, 'id' | 'createdAt'>>;
export type TaskFields = Partial<Omit<Task, 'id' | 'createdAt'>>;
export type WorkItemFields = Partial<Omit<WorkItem, 'id' | 'createdAt'>>;

const toPlan = (r: any): Plan => ({
  id: r.id, name: r.name, status: r.status, sourceDocument: r.source_document, owner: r.owner,
  createdAt: iso(r.created_at), closedAt: iso(r.closed_at),
});
const toTask = (r: any): Task => ({
  id: r.id, planId: r.plan_id, taskType: r.task_type, status: r.status, estimate: r.estimate,
  createdAt: iso(r.created_at), closedAt: iso(r.closed_at),
});
const toWorkItem = (r: any): WorkItem => ({ id: r.id, title: r.title, repository: r.repository, url: r.url, createdAt: iso(r.created_at) });

/**
 * Builds `INSERT ... ON CONFLICT DO UPDATE` for the given columns: a column
 * whose value is absent (undefined) keeps what is stored; closed_at follows
 * the status unless given.
 */
async function upsert(db: Db, table: string, workspaceId: string, id: string, values: Record<string, unknown>): Promise<any> {
  const given = Object.entries(values).filter(([, v]) => v !== undefined);
  const cols = given.map(([c]) => c);
  const params = [workspaceId, id, ...given.map(([, v]) => v)];
  const sets = [...cols.map((c) => `${c} = EXCLUDED.${c}`), 'updated_at = now()'];
  const { rows } = await db.query(
    `INSERT INTO ${table} (workspace_id, id${cols.map((c) => `, ${c}`).join('')})
     VALUES ($1, $2${cols.map((_, i) => `, $${i + 3}`).join('')})
     ON CONFLICT (workspace_id, id) DO UPDATE SET ${sets.join(', ')}
     RETURNING *`,
    params,
  );
  return rows[0];
}

function closedAt(status: string | undefined, closed: string | null | undefined, closing: readonly string[]) {
  if (closed !== undefined) return closed;
  if (status === undefined) return undefined;
  return closing.includes(status) ? new Date().toISOString() : null;
}

export async function upsertPlan(db: Db, workspaceId: string, id: string, f: PlanFields): Promise<Plan> {
  return toPlan(await upsert(db, 'plans', workspaceId, id, {
    name: f.name, status: f.status, source_document: f.sourceDocument, owner: f.owner,
    closed_at: closedAt(f.status, f.closedAt, ['done', 'cancelled']),
  }));
}

export async function upsertTask(db: Db, workspaceId: string, id: string, f: TaskFields): Promise<Task> {
  return toTask(await upsert(db, 'tasks', workspaceId, id, {
    plan_id: f.planId, task_type: f.taskType, status: f.status, estimate: f.estimate,
    closed_at: closedAt(f.status, f.closedAt, ['done', 'cancelled']),
  }));
}

export async function upsertWorkItem(db: Db, workspaceId: string, id: string, f: WorkItemFields): Promise<WorkItem> {
  return toWorkItem(await upsert(db, 'work_items', workspaceId, id, { title: f.title, repository: f.repository, url: f.url }));
}

export async function listPlans(db: Db, workspaceId: string, where: { ids?: string[]; status?: string[] } = {}): Promise<Plan[]> {
  const { rows } = await db.query(
    `SELECT * FROM plans WHERE workspace_id = $1 AND ($2::text[] IS NULL OR id = ANY ($2)) AND ($3::text[] IS NULL OR status = ANY ($3))
      ORDER BY created_at, id`,
    [workspaceId, where.ids ?? null, where.status ?? null],
  );
  return rows.map(toPlan);
}

export async function listTasks(db: Db, workspaceId: string, where: { planIds?: string[]; status?: string[] } = {}): Promise<Task[]> {
  const { rows } = await db.query(
    `SELECT * FROM tasks WHERE workspace_id = $1 AND ($2::text[] IS NULL OR plan_id = ANY ($2)) AND ($3::text[] IS NULL OR status = ANY ($3))
      ORDER BY created_at, id`,
    [workspaceId, where.planIds ?? null, where.status ?? null],
  );
  return rows.map(toTask);
}

export async function listWorkItems(db: Db, workspaceId: string, ids?: string[]): Promise<WorkItem[]> {
  const { rows } = await db.query(
    'SELECT * FROM work_items WHERE workspace_id = $1 AND ($2::text[] IS NULL OR id = ANY ($2)) ORDER BY created_at, id',
    [workspaceId, ids ?? null],
  );
  return rows.map(toWorkItem);
}

/** What a batch of events names: created when unknown, never changed when known. */
export interface NamedWork {
  plans: string[];
  tasks: Array<{ id: string; planId: string | null; taskType: string | null }>;
  workItems: string[];
}

export async function ensureNamedWork(db: Db, workspaceId: string, w: NamedWork): Promise<void> {
  if (!w.plans.length && !w.tasks.length && !w.workItems.length) return;
  await db.query(
    `WITH p AS (
       INSERT INTO plans (workspace_id, id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING
     ), t AS (
       INSERT INTO tasks (workspace_id, id, plan_id, task_type)
       SELECT $1, * FROM unnest($3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING
     )
     INSERT INTO work_items (workspace_id, id) SELECT $1, unnest($6::text[]) ON CONFLICT DO NOTHING`,
    [workspaceId, w.plans, w.tasks.map((t) => t.id), w.tasks.map((t) => t.planId), w.tasks.map((t) => t.taskType), w.workItems],
  );
}
