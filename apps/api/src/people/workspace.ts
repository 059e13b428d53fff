// The workspace's settings: read by anyone who reads the workspace, changed by owners and admins
// (../authz.ts declares both; the change is audited there).
import { z } from 'zod';
import { isTimeZone } from '@spendgraph/budgets';
import { type Pool, type PoolClient, getWorkspaceSettings, updateWorkspaceSettings, workspaceHasEvents } from '@spendgraph/db';
import { changeDb } from '../audit.ts';
import { notFound } from './errors.ts';
import { parseInput } from './inputs.ts';

const patchSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200).nullish(),
  timeZone: z.string().max(100).refine(isTimeZone, 'is not an IANA time zone').nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'is not an ISO 4217 code (three capital letters)').nullish(),
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
        return present(await updateWorkspaceSettings(changeDb(pool, c), c.workspaceId, {
          name: patch.name ?? undefined, timeZone: patch.timeZone ?? undefined, currency: patch.currency ?? undefined,
        }));
      },
    },
  };
}
