// Wraps every Query and Mutation resolver of /graphql with its rule from apps/api/src/authz.ts:
// the permission is checked before the resolver runs, and audited mutations are recorded
// (apps/api/src/audit.ts). A resolver without a rule is refused at startup.
import { GraphQLError } from 'graphql';
import { API_KEY_SCOPES, type ApiKeyScope, type Pool, type Role, roleScopes } from '@spendgraph/db';
import { audited } from '../audit.ts';
import { FIELD_RULES, type Permission, SCOPE_PERMISSIONS, can } from '../authz.ts';

interface Caller {
  workspaceId: string;
  scopes: string[];
  keyId: string | null;
  userId?: string;
  role?: Role;
}

type Resolver = (parent: unknown, args: Record<string, unknown>, context: Caller, info: unknown) => unknown;
// Resolvers are typed by their own modules; here they are only passed through.
type ResolverMap = { Query?: object; Mutation?: object };

/**
 * A person's request, once authorized here, carries the key scope the same action needs from a
 * key: the scope checks still inside some resolvers (budgets, retention, ...) then agree with
 * the role (an analyst may change budgets, which a key needs `admin` for).
 */
function asAuthorized(c: Caller, permission: Permission): Caller {
  if (!c.userId || !c.role) return c;
  const granting = API_KEY_SCOPES.find((s) => SCOPE_PERMISSIONS[s].includes(permission));
  const scopes = new Set<ApiKeyScope>([...roleScopes(c.role), ...(granting ? [granting] : [])]);
  return { ...c, scopes: [...scopes] };
}

export function authorizeResolvers<T extends ResolverMap>(resolvers: T, pool: Pool): T {
  const wrapped: Record<string, unknown> = { ...resolvers };
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = resolvers[type] as Record<string, Resolver> | undefined;
    if (!fields) continue;
    wrapped[type] = Object.fromEntries(Object.entries(fields).map(([name, resolve]) => {
      const rule = FIELD_RULES[`${type}.${name}`];
      if (!rule) throw new Error(`${type}.${name} declares no permission: add it to FIELD_RULES in apps/api/src/authz.ts`);
      const guarded: Resolver = (parent, args, c, info) => {
        if (!can({ ...c, scopes: c.scopes as ApiKeyScope[] }, rule.permission)) {
          const who = c.userId ? `the ${c.role} role` : 'this key';
          throw new GraphQLError(`${who} lacks the ${rule.permission} permission needed for ${name}`, { extensions: { code: 'FORBIDDEN' } });
        }
        const authorized = asAuthorized(c, rule.permission);
        if (!rule.audit) return resolve(parent, args, authorized, info);
        return audited(pool, c, name, rule.audit, args, async () => resolve(parent, args, authorized, info));
      };
      return [name, guarded];
    }));
  }
  return wrapped as T;
}
