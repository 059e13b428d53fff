// GraphQL for the organization's SSO connection (../graphql/sso.graphql). Who may call it and the
// audit entries are declared in ../authz.ts; here: the input's rules and the secret kept sealed.
import { z } from 'zod';
import {
  type Pool, type SsoConnection, deleteSsoConnection, findWorkspace, getRole, getSsoConnection, upsertSsoConnection,
} from '@spendgraph/db';
import type { PeopleCaller } from '../people/resolvers.ts';
import { UUID, badInput } from '../people/errors.ts';
import { parseInput } from '../people/inputs.ts';
import { changeDb } from '../audit.ts';
import type { SecretBox } from './secret-box.ts';
import { issuerProblem } from './issuer.ts';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

const inputSchema = z.object({
  issuer: z.string().trim().max(500).superRefine((v, ctx) => {
    const problem = issuerProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  clientId: z.string().trim().min(1, 'must not be empty').max(500),
  clientSecret: z.string().min(1, 'must not be empty (null for a public client)').max(2000).nullish(),
  domains: z.array(z.string().trim().toLowerCase().regex(DOMAIN, 'is not a domain name')).min(1, 'needs at least one domain').max(50)
    .refine((d) => new Set(d).size === d.length, 'names a domain twice'),
  defaultRole: z.enum(['admin', 'analyst', 'viewer'], 'must be admin, analyst or viewer'),
  workspaceIds: z.array(z.string().regex(UUID, 'is not an id')).max(100).transform((ids) => [...new Set(ids)]),
  enabled: z.boolean(),
});

/** The connection as the API shows it: the secret only as whether there is one. */
const present = ({ clientSecret, ...c }: SsoConnection) => ({ ...c, hasClientSecret: clientSecret !== null });

const organizationOf = async (pool: Pool, c: PeopleCaller) => (await findWorkspace(pool, c.workspaceId))!.organizationId;

/**
 * People join on first sign-in only workspaces of this organization the caller administers
 * (a key: its own workspace), so no one grants access they do not hold.
 */
async function requireAdministered(pool: Pool, c: PeopleCaller, organizationId: string, ids: string[]) {
  for (const [i, id] of ids.entries()) {
    const field = `input.workspaceIds.${i}`;
    const ws = await findWorkspace(pool, id);
    if (!ws || ws.organizationId !== organizationId) throw badInput(field, `'${id}' is not a workspace of this organization`);
    const role = c.userId ? await getRole(pool, c.userId, id) : id === c.workspaceId ? 'admin' : undefined;
    if (role !== 'owner' && role !== 'admin') throw badInput(field, `you do not administer the workspace '${ws.slug}'`);
  }
}

const domainTaken = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  if (err.code === '23505' && err.message?.startsWith('the domain')) throw badInput('input.domains', err.message);
  throw e;
};

export function ssoResolvers(deps: { pool: Pool; secrets: SecretBox }) {
  const { pool, secrets } = deps;
  return {
    Query: {
      async ssoConnection(_: unknown, _args: unknown, c: PeopleCaller) {
        const found = await getSsoConnection(pool, await organizationOf(pool, c));
        return found ? present(found) : null;
      },
    },
    Mutation: {
      async setSsoConnection(_: unknown, args: { input: unknown }, c: PeopleCaller) {
        const input = parseInput(inputSchema, args.input, 'input');
        const organizationId = await organizationOf(pool, c);
        await requireAdministered(pool, c, organizationId, input.workspaceIds);
        const clientSecret = input.clientSecret === undefined ? undefined : input.clientSecret === null ? null : secrets.seal(input.clientSecret);
        const saved = await upsertSsoConnection(changeDb(pool, c), { ...input, organizationId, clientSecret }).catch(domainTaken);
        return present(saved);
      },
      async deleteSsoConnection(_: unknown, _args: unknown, c: PeopleCaller) {
        return deleteSsoConnection(changeDb(pool, c), await organizationOf(pool, c));
      },
    },
  };
}
