// The one helper that records administrative changes (apps/api/src/graphql/authorize.ts calls it
// around every audited mutation; the CLI records through @spendgraph/db's recordAudit directly).
// The change and its entry are one transaction: a change whose entry cannot be written is rolled
// back, and no change goes unrecorded. Before and after are the target's row as stored, read in
// that transaction before and after the change, with secrets (key and token hashes, webhook
// secrets, password hashes) left out.
import { type Db, type Pool, type PoolClient, findWorkspace, recordAudit, withTransaction } from '@spendgraph/db';
import type { AuditRule } from './authz.ts';

export interface Actor {
  workspaceId: string;
  keyId: string | null;
  userId?: string;
}

/** Columns and fields never written to the audit log. */
const SECRETS = ['key_hash', 'token_hash', 'secret', 'client_secret', 'password_hash', 'key', 'token', 'session', 'password', 'link'];

/** Where the target's row is: by id in the caller's workspace, the workspace itself, or its organization's row. */
function targetWhere(rule: AuditRule, workspaceId: string, id: string): [string, string[]] {
  // A workspace- or organization-wide target is named by givenIdOf (the caller's workspace or organization).
  if (rule.idColumn === 'workspace') return ['id::text = $2', [id]];
  if (rule.idColumn === 'organization') return ['organization_id::text = $2', [id]];
  // An organization's row (an organization budget changed from another workspace it covers) is its target too.
  const where = rule.organizational ? `(workspace_id = $2 OR organization_id = (SELECT organization_id FROM workspaces WHERE id = $2))` : 'workspace_id = $2';
  return [`${where} AND ${rule.idColumn ?? 'id'}::text = $3`, [workspaceId, id]];
}

/** The target's row as stored (secrets dropped), or null when there is none. */
async function targetRow(db: Db, rule: AuditRule, workspaceId: string, id: string | undefined): Promise<unknown> {
  if (!rule.table || !id) return null;
  const [where, params] = targetWhere(rule, workspaceId, id);
  const { rows } = await db.query<{ row: unknown }>(`SELECT to_jsonb(t) - $1::text[] AS row FROM ${rule.table} t WHERE ${where}`, [SECRETS, ...params]);
  return rows[0]?.row ?? null;
}

/** The target's id as the arguments (or, for a workspace- or organization-wide target, the caller) name it. */
async function givenIdOf(pool: Pool, rule: AuditRule, workspaceId: string, args: Record<string, unknown>): Promise<string | undefined> {
  if (rule.idColumn === 'workspace') return workspaceId;
  if (rule.idColumn === 'organization') return (await findWorkspace(pool, workspaceId))?.organizationId;
  const argId = args[rule.idArg ?? 'id'];
  return typeof argId === 'string' ? argId : undefined;
}

/** The result without its secrets (a new key, a token, a webhook secret are shown once, never logged). */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRETS.includes(k) && !/secret|token$|password/i.test(k)).map(([k, v]) => [k, redact(v)]));
}

const idOf = (v: unknown): string | undefined => {
  const id = (v as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
};

/**
 * What a change answers once it is committed, when the answer needs it committed (a budget's
 * evaluation, a job the worker reads the row of): `audited` runs it after the commit. `changed`
 * is what was changed (its id names the audit entry's target).
 */
export class AfterCommit<T> {
  readonly changed: unknown;
  readonly run: () => Promise<T>;
  constructor(changed: unknown, run: () => Promise<T>) {
    this.changed = changed;
    this.run = run;
  }
}
export const afterCommit = <T>(changed: unknown, run: () => Promise<T>) => new AfterCommit(changed, run);

/** The transaction an audited change writes in (GraphQL puts it in the resolver's context as `db`). */
export const changeDb = (pool: Pool, c: { db?: PoolClient }): Db => c.db ?? pool;

/**
 * Runs a change and records it in the same transaction: actor, workspace, action, target and the
 * target before and after. Without a table the result (redacted) stands for the after. The
 * change gets the transaction's client; what it answers with afterCommit runs once committed.
 */
export async function audited<T>(
  pool: Pool, actor: Actor, action: string, rule: AuditRule, args: Record<string, unknown>, change: (db: PoolClient) => Promise<T | AfterCommit<T>>,
): Promise<T> {
  const givenId = await givenIdOf(pool, rule, actor.workspaceId, args);
  const result = await withTransaction(pool, async (db) => {
    const before = await targetRow(db, rule, actor.workspaceId, givenId);
    const result = await change(db);
    const answer = result instanceof AfterCommit ? result.changed : result;
    const targetId = givenId ?? idOf(answer) ?? idOf((answer as { apiKey?: unknown; invitation?: unknown })?.apiKey ?? (answer as { invitation?: unknown })?.invitation);
    const after = rule.table ? await targetRow(db, rule, actor.workspaceId, targetId) : { args: redact(args), result: redact(answer) };
    await recordAudit(db, {
      actor: { userId: actor.userId ?? null, keyId: actor.keyId }, workspaceId: actor.workspaceId,
      action, targetType: rule.targetType, targetId: targetId ?? null, before, after,
    });
    return result;
  });
  return result instanceof AfterCommit ? result.run() : result;
}
