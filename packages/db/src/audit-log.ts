// The audit log: every administrative change with its actor (a person or a key), time,
// workspace, action, target and the target before and after. Append-only: the table's trigger
// refuses UPDATE, DELETE and TRUNCATE, so nothing here (or anywhere) can change an entry.
import type { Pool, PoolClient } from './pool.ts';
import { iso } from './iso.ts';

type Db = Pool | PoolClient;

export interface AuditActor {
  userId?: string | null;
  keyId?: string | null;
  /** Where neither applies, e.g. "cli". */
  label?: string | null;
}

export interface AuditEntryInput {
  actor: AuditActor;
  workspaceId?: string | null;
  organizationId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  organizationId: string | null;
  workspaceId: string | null;
  actorUserId: string | null;
  actorKeyId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

interface AuditRow {
  id: string; occurred_at: Date; organization_id: string | null; workspace_id: string | null; actor_user_id: string | null;
  actor_key_id: string | null; actor_label: string | null; action: string; target_type: string | null; target_id: string | null;
  before: unknown; after: unknown;
}
const COLUMNS = 'id, occurred_at, organization_id, workspace_id, actor_user_id, actor_key_id, actor_label, action, target_type, target_id, before, after';
const entry = (r: AuditRow): AuditEntry => ({
  id: String(r.id), occurredAt: iso(r.occurred_at), organizationId: r.organization_id, workspaceId: r.workspace_id,
  actorUserId: r.actor_user_id, actorKeyId: r.actor_key_id, actorLabel: r.actor_label, action: r.action,
  targetType: r.target_type, targetId: r.target_id, before: r.before, after: r.after,
});

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Appends an entry; the organization defaults to the workspace's. */
export async function recordAudit(db: Db, e: AuditEntryInput): Promise<AuditEntry> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO audit_log (organization_id, workspace_id, actor_user_id, actor_key_id, actor_label, action, target_type, target_id, before, after)
     VALUES (coalesce($1, (SELECT organization_id FROM workspaces WHERE id = $2)), $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING ${COLUMNS}`,
    [e.organizationId ?? null, e.workspaceId ?? null, e.actor.userId ?? null, e.actor.keyId ?? null, e.actor.label ?? null,
      e.action, e.targetType ?? null, e.targetId ?? null, json(e.before), json(e.after)],
  );
  return entry(rows[0]!);
}

export interface AuditFilter {
  workspaceId: string;
  action?: string | null;
  actorUserId?: string | null;
  actorKeyId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  since?: Date | null;
  until?: Date | null;
  /** Entries older than this id (the last one of the previous page). */
  before?: string | null;
  first?: number;
}

/** Entries of a workspace, newest first, filtered; at most `first` (default 100, at most 10,000). */
export async function listAudit(db: Db, f: AuditFilter): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log
      WHERE workspace_id = $1
        AND ($2::text IS NULL OR action = $2)
        AND ($3::uuid IS NULL OR actor_user_id = $3)
        AND ($4::uuid IS NULL OR actor_key_id = $4)
        AND ($5::text IS NULL OR target_type = $5)
        AND ($6::text IS NULL OR target_id = $6)
        AND ($7::timestamptz IS NULL OR occurred_at >= $7)
        AND ($8::timestamptz IS NULL OR occurred_at < $8)
        AND ($9::bigint IS NULL OR id < $9)
      ORDER BY id DESC LIMIT $10`,
    [f.workspaceId, f.action ?? null, f.actorUserId ?? null, f.actorKeyId ?? null, f.targetType ?? null, f.targetId ?? null,
      f.since ?? null, f.until ?? null, f.before ?? null, Math.min(Math.max(f.first ?? 100, 1), 10_000)],
  );
  return rows.map(entry);
}
