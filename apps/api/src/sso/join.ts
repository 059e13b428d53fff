// Just-in-time membership: the person the provider vouched for gets an account on first sign-in
// (no password: SSO only, until they set one) and joins the connection's workspaces with its
// default role; an existing member keeps the role they have. Each join is audited, with the
// person as actor. The session then acts in their oldest workspace of this organization.
import { type Pool, type User, createUser, findUserByEmail, getRole, joinWorkspace, workspacesOf } from '@spendgraph/db';
import { audited } from '../audit.ts';
import type { AuditRule } from '../authz.ts';
import { SsoFailure } from './failure.ts';
import type { SsoIdentity } from './flow.ts';

const MEMBER: AuditRule = { targetType: 'member', table: 'memberships', idColumn: 'user_id', idArg: 'userId' };

async function accountOf(pool: Pool, who: SsoIdentity): Promise<User> {
  const existing = await findUserByEmail(pool, who.email);
  if (existing) return existing;
  // Two first sign-ins at once: the second finds the account the first made.
  return createUser(pool, { email: who.email, name: who.name }).catch(async (e: { code?: string }) => {
    if (e.code !== '23505') throw e;
    return (await findUserByEmail(pool, who.email))!;
  });
}

/** A workspace the connection names was deleted since: nothing to join. */
const workspaceGone = (e: { code?: string }) => {
  if (e.code === '23503') return false;
  throw e;
};

/** The person and the workspace (with their role there) their session acts in. */
export async function joinOnSignIn(pool: Pool, who: SsoIdentity) {
  const user = await accountOf(pool, who);
  if (user.disabledAt) throw new SsoFailure(403, 'account_disabled', `the account ${who.email} is disabled: ask an admin`);
  const { connection: c } = who;
  for (const workspaceId of c.workspaceIds) {
    if (await getRole(pool, user.id, workspaceId)) continue;
    const actor = { workspaceId, keyId: null, userId: user.id };
    const join = () => joinWorkspace(pool, { userId: user.id, workspaceId, role: c.defaultRole }).catch(workspaceGone);
    await audited(pool, actor, 'ssoJoin', MEMBER, { userId: user.id }, join);
  }
  const membership = (await workspacesOf(pool, user.id)).find((w) => w.organizationId === c.organizationId);
  if (!membership) {
    throw new SsoFailure(403, 'sso_no_workspace', `you signed in as ${who.email}, but you are not a member of any workspace of this organization yet: ask an admin to invite you`);
  }
  return { user, membership };
}
