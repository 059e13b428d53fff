// Wraps every Query and Mutation resolver of /graphql with its rule from apps/api/src/authz.ts:
// the permission (and a restricted key's reach) is checked before the resolver runs, and audited
// mutations are recorded (apps/api/src/audit.ts). A resolver without a rule is refused at startup.
// This is the only check: resolvers hold no scope checks of their own.
import { GraphQLError } from 'graphql';
import type { ApiKeyScope, Pool, PoolClient, Role } from '@spendgraph/db';
import { audited } from '../audit.ts';
import { FIELD_RULES, can, restrictionRefusal } from '../authz.ts';

interface Caller {
  workspaceId: string;
  scopes: string[];
  keyId: string | null;
  userId?: string;
  role?: Role;
  restriction?: Readonly<Record<string, string>>;
  /** An audited mutation's transaction: the change and its audit entry commit together. */
  db?: PoolClient;
}

type Resolver = (parent: unknown, args: Record<string, unknown>, context: Caller, info: unknown) => unknown;
// Resolvers are typed by their own modules; here they are only passed through.
type ResolverMap = { Query?: object; Mutation?: object };

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
        const refusal = restrictionRefusal(c, rule, name);
        if (refusal) throw new GraphQLError(refusal, { extensions: { code: 'FORBIDDEN' } });
        if (!rule.audit) return resolve(parent, args, c, info);
        // The resolver writes in the audit entry's transaction (`db` in its context).
        return audited(pool, c, name, rule.audit, args, async (db) => resolve(parent, args, { ...c, db }, info) as Promise<unknown>);
      };
      return [name, guarded];
    }));
  }
  return wrapped as T;
}
