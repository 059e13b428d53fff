// POST /v1/cost-pools/focus — cost pools from a FOCUS 1.x CSV file (issue 17, shared costs): one
// pool per value of `group_by` (default ServiceName) and charge month, its amount the lines'
// BilledCost (or `cost=EffectiveCost`) summed exactly. Re-importing a file replaces the amounts of
// the pools of the same name and month, so it never counts twice. `dimension` (with `method` and
// `measure`) gives the pools this import creates an allocation rule; existing pools keep theirs.
// A file that cannot be read is refused whole with 400 naming the line and column.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FOCUS_POOL_COST_COLUMNS } from '@spendgraph/billing';
import type { AllocationRule, Pool } from '@spendgraph/db';
import { issuePath } from '@spendgraph/budgets';
import { type Authenticate, authenticated } from '../auth.ts';
import { audited } from '../audit.ts';
import { importFocusPools } from '../pool-import.ts';
import { refuseUnreadable } from './bills.ts';

export const poolImportQuerySchema = z.strictObject({
  group_by: z.string().min(1).max(100).optional().describe('The FOCUS column whose value names each pool (default ServiceName), e.g. ServiceCategory, SubAccountName, x_Team.'),
  cost: z.enum(FOCUS_POOL_COST_COLUMNS).optional().describe('The cost summed (default BilledCost; EffectiveCost for amortized commitments).'),
  dimension: z.enum(['workflow', 'feature', 'customer', 'plan']).optional().describe('Give the pools this import creates a rule allocating them over this dimension.'),
  method: z.enum(['proportional', 'even']).optional().describe('With dimension: proportional (default) or even.'),
  measure: z.enum(['cost', 'tokens', 'calls']).optional().describe('With a proportional rule: the measure the shares follow (default cost).'),
});

type Query = z.infer<typeof poolImportQuerySchema>;

/** The rule the query asks for, or a message naming the parameter at fault. */
function ruleOf(q: Query): AllocationRule | null | { field: string; message: string } {
  if (!q.dimension) {
    const stray = (['method', 'measure'] as const).find((f) => q[f] !== undefined);
    return stray ? { field: 'dimension', message: `is required with ${stray}` } : null;
  }
  const method = q.method ?? 'proportional';
  if (method === 'even' && q.measure) return { field: 'measure', message: 'an even rule takes no measure' };
  return { method, measure: method === 'proportional' ? q.measure ?? 'cost' : null, dimension: q.dimension, percentages: null };
}

export function costPoolRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; pool: Pool }) {
  app.register(async (pools) => {
    // The file as it came (CSV is not JSON; money must stay exact).
    pools.removeAllContentTypeParsers();
    pools.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const signedIn = { preHandler: authenticated(deps.authenticate) }; // authz.ts: economics:manage
    pools.post('/v1/cost-pools/focus', signedIn, async (request, reply) => {
      const parsed = poolImportQuerySchema.safeParse(request.query ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issuePath(issue.path);
        const message = issue.code === 'unrecognized_keys' ? 'is not a parameter of this import' : issue.message;
        return reply.code(400).send({ error: 'invalid_request', field, message: `${field}: ${message}` });
      }
      const rule = ruleOf(parsed.data);
      if (rule && 'field' in rule) return reply.code(400).send({ error: 'invalid_request', field: rule.field, message: `${rule.field}: ${rule.message}` });
      const text = typeof request.body === 'string' ? request.body : '';
      const identity = request.identity!;
      const actor = { workspaceId: identity.workspaceId, keyId: identity.keyId, userId: identity.userId };
      const options = { groupBy: parsed.data.group_by, cost: parsed.data.cost };
      try {
        const result = await audited(deps.pool, actor, 'importCostPools', { targetType: 'cost_pool' }, { source: 'focus', ...options },
          (db) => importFocusPools(db, identity.workspaceId, text, options, rule));
        return reply.code(201).send({ ...result, pools: result.pools.map((p) => ({ ...p, month: p.month.slice(0, 7) })), skipped: result.skipped.map((p) => ({ ...p, month: p.month.slice(0, 7) })) });
      } catch (e) {
        return refuseUnreadable(reply, e);
      }
    });
  });
}
