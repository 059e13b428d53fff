// The workspace's settings: read by anyone who reads the workspace, changed by owners and admins
// (../authz.ts declares both; the change is audited there).
import { z } from 'zod';
import { isTimeZone } from '@spendgraph/budgets';
import { type Pool, type PoolClient, getWorkspaceSettings, knownCurrency, updateWorkspaceSettings, workspaceHasEvents } from '@spendgraph/db';
import { currencyCode } from '@spendgraph/schema';
import { changeDb } from '../audit.ts';
import { badInput, notFound } from './errors.ts';
import { parseInput } from './inputs.ts';

const patchSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200).nullish(),
  timeZone: z.string().max(100).refine(isTimeZone, 'is not an IANA time zone').nullish(),
  currency: currencyCode.nullish(),
});

interface Caller { workspaceId: string; db?: PoolClient }

export function workspaceResolvers({ pool }: { pool: Pool }) {
  const present = (s: Awaited<ReturnType<typeof getWorkspaceSettings>>) => {
    if (!s) throw notFound('workspace');
    return { ...s, hasEvents: () => workspaceHasEvents(pool, s.id) };
  };
  return {
    Query: {
      workspace: async (_: unknown, _args: unknown, c: Caller) => present(await getWorkspaceSettings(pool, c.workspaceId)),
    },
    Mutation: {
      async updateWorkspace(_: unknown, { input }: { input: unknown }, c: Caller) {
        const patch = parseInput(patchSchema, input, 'input');
        // The reporting currency must be convertible: the euro or a currency with ECB rates.
        if (patch.currency && !(await knownCurrency(pool, patch.currency))) {
          throw badInput('input.currency', `no reference rates for ${patch.currency}: import them first (README, "Currencies")`);
        }
        return present(await updateWorkspaceSettings(changeDb(pool, c), c.workspaceId, {
          name: patch.name ?? undefined, timeZone: patch.timeZone ?? undefined, currency: patch.currency ?? undefined,
        }));
      },
    },
  };
}
