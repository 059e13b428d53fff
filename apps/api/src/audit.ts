// The one helper that records administrative changes (apps/api/src/graphql/authorize.ts calls it
// around every audited mutation; the CLI records through @spendgraph/db's recordAudit directly).
// Before and after are the target's row as stored, read before and after the change, with
// secrets (key and token hashes, webhook secrets, password hashes) left out.
import { type Pool, findWorkspace, recordAudit } from '@spendgraph/db';
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
  if (rule.idColumn === 'workspace') return ['id = $2', [workspaceId]];
  if (rule.idColumn === 'organization') return ['organization_id::text = $2', [id]];
  return [`workspace_id = $2 AND ${rule.idColumn ?? 'id'}::text = $3`, [workspaceId, id]];
}

/** The target's row as stored (secrets dropped), or null when there is none. */
async function targetRow(pool: Pool, rule: AuditRule, workspaceId: string, id: string | undefined): Promise<unknown> {
  if (!rule.table || !id) return null;
  const [where, params] = targetWhere(rule, workspaceId, id);
  const { rows } = await pool.query<{ row: unknown }>(`SELECT to_jsonb(t) - $1::text[] AS row FROM ${rule.table} t WHERE ${where}`, [SECRETS, ...params]);
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
 * Runs a change and records it: actor, workspace, action, target and the target before and
 * after. Without a table the result (redacted) stands for the after.
 */
export async function audited<T>(pool: Pool, actor: Actor, action: string, rule: AuditRule, args: Record<string, unknown>, change: () => Promise<T>): Promise<T> {
  const givenId = await givenIdOf(pool, rule, actor.workspaceId, args);
  const before = await targetRow(pool, rule, actor.workspaceId, givenId);
  const result = await change();
  const targetId = givenId ?? idOf(result) ?? idOf((result as { apiKey?: unknown; invitation?: unknown })?.apiKey ?? (result as { invitation?: unknown })?.invitation);
  const after = rule.table ? await targetRow(pool, rule, actor.workspaceId, targetId) : { args: redact(args), result: redact(result) };
  await recordAudit(pool, {
    actor: { userId: actor.userId ?? null, keyId: actor.keyId }, workspaceId: actor.workspaceId,
    action, targetType: rule.targetType, targetId: targetId ?? null, before, after,
  });
  return result;
}
