// GraphQL for people, roles, keys and the audit log. Who may call each field, and the audit
// entries of the mutations, are declared in ../authz.ts and applied by ../graphql/authorize.ts:
// nothing here checks a permission except the owner rule (only an owner makes or unmakes owners).
import {
  type ApiKey, type Pool, type PoolClient, type Role, LastOwner, changeRole, createInvitation, getApiKey, getRole, getUser,
  issueApiKey, listApiKeys, listAudit, listInvitations, listMembers, removeMembership, revokeInvitation, revokeWorkspaceApiKey,
  rotateApiKey, withTransaction, workspacesOf, findWorkspace, developerIdsOf, setDeveloperIds,
} from '@spendgraph/db';
import { GraphQLError } from 'graphql';
import { afterCommit, changeDb } from '../audit.ts';
import { permissionsOf } from '../authz.ts';
import { UUID, badInput, forbidden, notFound } from './errors.ts';
import { workspaceResolvers } from './workspace.ts';
import { apiKeyInputSchema, auditFilterSchema, developerIdsSchema, emailSchema, parseInput, roleSchema } from './inputs.ts';
import { type InvitationMail, mailInvitation } from './invitation-mail.ts';

export interface PeopleCaller {
  workspaceId: string;
  scopes: string[];
  keyId: string | null;
  userId?: string;
  role?: Role;
  /** The audited change's transaction (graphql/authorize.ts): every mutation writes in it. */
  db?: PoolClient;
}

const MAX_INVITATION_HOURS = 720;
const MAX_OVERLAP_HOURS = 24 * 30;

const requireId = (field: string, id: string) => {
  if (!UUID.test(id)) throw badInput(field, `'${id}' is not an id`);
};

/** A key as listed: restriction as dimension/value pairs, its maker resolved lazily. */
function presentKey(pool: Pool, k: ApiKey) {
  return {
    ...k,
    restriction: Object.entries(k.restriction ?? {}).map(([dimension, value]) => ({ dimension, value })),
    active: !k.revokedAt && (!k.expiresAt || Date.parse(k.expiresAt) > Date.now()),
    createdBy: async () => (k.createdBy ? await getUser(pool, k.createdBy) : null),
  };
}

/** Giving or taking the owner role is an owner's (or an admin key's) act. */
function requireOwnerFor(c: PeopleCaller, ...roles: Array<Role | undefined>) {
  if (!roles.includes('owner')) return;
  if (c.userId ? c.role !== 'owner' : !c.scopes.includes('admin')) throw forbidden('only an owner can give or take the owner role');
}

const lastOwner = (e: unknown) => {
  if (e instanceof LastOwner) throw new GraphQLError(e.message, { extensions: { code: 'LAST_OWNER' } });
  throw e;
};

export interface PeopleDeps {
  pool: Pool;
  /** Unset: invitations are not e-mailed (the inviter passes the link on). */
  invitationMail?: InvitationMail | undefined;
}

export function peopleResolvers(deps: PeopleDeps) {
  const { pool } = deps;
  const workspace = workspaceResolvers(deps);
  return {
    Query: {
      ...workspace.Query,
      async me(_: unknown, _args: unknown, c: PeopleCaller) {
        const workspace = (await findWorkspace(pool, c.workspaceId))!;
        const person = c.userId ? await getUser(pool, c.userId) : undefined;
        const key = c.keyId ? await getApiKey(pool, c.workspaceId, c.keyId) : undefined;
        return {
          workspaceId: c.workspaceId, organizationId: workspace.organizationId,
          person: person ?? null, role: c.role ?? null, developerIds: person ? developerIdsOf(person) : [],
          workspaces: c.userId ? await workspacesOf(pool, c.userId) : [],
          apiKey: key ? presentKey(pool, key) : null,
          permissions: [...permissionsOf({ ...c, scopes: c.scopes as never })].sort(),
        };
      },
      members: (_: unknown, _args: unknown, c: PeopleCaller) => listMembers(pool, c.workspaceId),
      invitations: (_: unknown, _args: unknown, c: PeopleCaller) => listInvitations(pool, c.workspaceId),
      apiKeys: async (_: unknown, _args: unknown, c: PeopleCaller) => (await listApiKeys(pool, c.workspaceId)).map((k) => presentKey(pool, k)),
      async auditLog(_: unknown, args: { filter?: unknown; first?: number | null; before?: string | null }, c: PeopleCaller) {
        const f = parseInput(auditFilterSchema, args.filter ?? {}, 'filter');
        const first = args.first ?? 100;
        if (!Number.isInteger(first) || first < 1 || first > 1000) throw badInput('first', 'must be between 1 and 1000');
        if (args.before != null && !/^\d{1,18}$/.test(args.before)) throw badInput('before', 'is not an audit entry id');
        const entries = await listAudit(pool, {
          ...f, workspaceId: c.workspaceId, since: f.since ? new Date(f.since) : null, until: f.until ? new Date(f.until) : null, before: args.before, first,
        });
        return entries.map((e) => ({ ...e, before: e.before === null ? null : JSON.stringify(e.before), after: e.after === null ? null : JSON.stringify(e.after) }));
      },
    },
    Mutation: {
      ...workspace.Mutation,
      async setMyDeveloperIds(_: unknown, args: { ids: string[] }, c: PeopleCaller) {
        if (!c.userId) throw badInput('ids', 'only a signed-in person has developer ids (this is an API key)');
        const ids = parseInput(developerIdsSchema, args.ids, 'ids');
        return developerIdsOf((await setDeveloperIds(pool, c.userId, ids))!);
      },
      async inviteMember(_: unknown, args: { email: string; role: string; expiresInHours?: number | null }, c: PeopleCaller) {
        const email = parseInput(emailSchema, args.email, 'email');
        const role = parseInput(roleSchema, args.role, 'role');
        const hours = args.expiresInHours ?? 72;
        if (!Number.isInteger(hours) || hours < 1 || hours > MAX_INVITATION_HOURS) throw badInput('expiresInHours', `must be between 1 and ${MAX_INVITATION_HOURS}`);
        requireOwnerFor(c, role);
        const db = changeDb(pool, c);
        const made = await createInvitation(db, {
          workspaceId: c.workspaceId, email, role, createdBy: c.userId ?? null, expiresAt: new Date(Date.now() + hours * 3_600_000),
        });
        const workspace = (await findWorkspace(db, c.workspaceId))!.name;
        const invitedBy = c.userId ? ((await getUser(db, c.userId))?.email ?? null) : null;
        // E-mailed once committed: the link must work when it arrives.
        return afterCommit(made, async () => ({ ...made, emailed: await mailInvitation(deps.invitationMail, { ...made, workspace, invitedBy }) }));
      },
      async revokeInvitation(_: unknown, { id }: { id: string }, c: PeopleCaller) {
        requireId('id', id);
        return (await revokeInvitation(changeDb(pool, c), c.workspaceId, id)) ?? Promise.reject(notFound('invitation'));
      },
      async changeMemberRole(_: unknown, args: { userId: string; role: string }, c: PeopleCaller) {
        requireId('userId', args.userId);
        const role = parseInput(roleSchema, args.role, 'role');
        const db = changeDb(pool, c);
        requireOwnerFor(c, role, await getRole(db, args.userId, c.workspaceId));
        const changed = await withTransaction(db, (client) => changeRole(client, c.workspaceId, args.userId, role)).catch(lastOwner);
        if (!changed) throw notFound('member');
        return (await listMembers(db, c.workspaceId)).find((m) => m.userId === args.userId)!;
      },
      async removeMember(_: unknown, args: { userId: string }, c: PeopleCaller) {
        requireId('userId', args.userId);
        const db = changeDb(pool, c);
        requireOwnerFor(c, await getRole(db, args.userId, c.workspaceId));
        const removed = await withTransaction(db, (client) => removeMembership(client, c.workspaceId, args.userId)).catch(lastOwner);
        if (!removed) throw notFound('member');
        return true;
      },
      async createApiKey(_: unknown, { input }: { input: unknown }, c: PeopleCaller) {
        const k = parseInput(apiKeyInputSchema, input, 'input');
        const { key, apiKey } = await issueApiKey(changeDb(pool, c), c.workspaceId, {
          name: k.name, scopes: [...new Set(k.scopes)], createdBy: c.userId ?? null,
          expiresAt: k.expiresAt ? new Date(k.expiresAt) : null,
          restriction: k.restriction ?? null,
        });
        return { key, apiKey: presentKey(pool, apiKey) };
      },
      async revokeApiKey(_: unknown, { id }: { id: string }, c: PeopleCaller) {
        requireId('id', id);
        const revoked = await revokeWorkspaceApiKey(changeDb(pool, c), c.workspaceId, id);
        if (!revoked) throw notFound('API key');
        return presentKey(pool, revoked);
      },
      async rotateApiKey(_: unknown, args: { id: string; overlapHours?: number | null }, c: PeopleCaller) {
        requireId('id', args.id);
        const hours = args.overlapHours ?? 24;
        if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) {
          throw badInput('overlapHours', `must be between 0 and ${MAX_OVERLAP_HOURS}`);
        }
        const rotated = await rotateApiKey(changeDb(pool, c), c.workspaceId, args.id, hours * 3_600_000, c.userId ?? null);
        if (!rotated) throw notFound('working API key');
        return { key: rotated.key, apiKey: presentKey(pool, rotated.apiKey) };
      },
    },
  };
}
