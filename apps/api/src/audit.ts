// The one helper that records administrative changes (apps/api/src/graphql/authorize.ts calls it
// around every audited mutation; the CLI records through @spendgraph/db's recordAudit directly).
// Before and after are the target's row as stored, read before and after the change, with
// secrets (key and token hashes, webhook secrets, password hashes) left out.
import { type Pool, recordAudit } from '@spendgraph/db';
import type { AuditRule } from './authz.ts';

export interface Actor {
  workspaceId: string;
  keyId: string | null;
  userId?: string;
}

/** Columns and fields never written to the audit log. */
const SECRETS = ['key_hash', 'token_hash', 'secret', 'password_hash', 'key', 'token', 'session', 'password', 'link'];

/** The target's row as stored (secrets dropped), or null when there is none. */
async function targetRow(pool: Pool, rule: AuditRule, workspaceId: string, id: string | undefined): Promise<unknown> {
  if (!rule.table || !id) return null;
  const byWorkspace = rule.idColumn === 'workspace';
  const { rows } = await pool.query<{ row: unknown }>(
    `SELECT to_jsonb(t) - $1::text[] AS row FROM ${rule.table} t
      WHERE ${byWorkspace ? 'id = $2' : `workspace_id = $2 AND ${rule.idColumn ?? 'id'}::text = $3`}`,
    byWorkspace ? [SECRETS, workspaceId] : [SECRETS, workspaceId, id],
  );
  return rows[0]?.row ?? null;
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
  const argId = args[rule.idArg ?? 'id'];
  const givenId = rule.idColumn === 'workspace' ? actor.workspaceId : typeof argId === 'string' ? argId : undefined;
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
