// Plans, tasks and work items (upserts and lists) and plan analytics: side-by-side
// profiles and outliers, all figures from the semantic layer (@spendgraph/plans).
import { type Plan, type Pool, listPlans, listTasks, listWorkItems, upsertPlan, upsertTask, upsertWorkItem } from '@spendgraph/db';
import { type OutlierMetric, type PlanProfile, planOutliers, planProfiles } from '@spendgraph/plans';
import { planUpsertSchema, taskUpsertSchema, workEntityIdSchema, workItemUpsertSchema } from '@spendgraph/schema';
import type { SemanticLayer } from '@spendgraph/semantic';
import type { z } from 'zod';
import { camelCase, camelKeys, snakeKeys } from '../case.ts';
import { argumentError, semanticCall } from '../query/errors.ts';
import { QueryArgs, type TimeRangeArg, checkTimezone } from '../query/query-args.ts';

interface Context { workspaceId: string }
const MAX_COMPARED = 50;

/** Validates an upsert with the REST schema (snake_case); errors name `input.<field>`. */
function parsed<S extends z.ZodType>(schema: S, id: string, input: object): { id: string; fields: z.infer<S> } {
  const idCheck = workEntityIdSchema.safeParse(id);
  if (!idCheck.success) throw argumentError('INVALID_ARGUMENT', 'id', idCheck.error.issues[0]!.message);
  const body = schema.safeParse(snakeKeys(input));
  if (!body.success) {
    const issue = body.error.issues[0]!;
    throw argumentError('INVALID_ARGUMENT', `input.${camelCase(issue.path.map(String).join('.'))}`, issue.message);
  }
  return { id: idCheck.data, fields: camelKeys(body.data as object) as z.infer<S> };
}

const measureList = (values: Record<string, string | null>) => Object.entries(values).map(([measure, value]) => ({ measure, value, share: null }));
const presentProfile = (p: PlanProfile, plans: Map<string, Plan>) => ({
  planId: p.planId,
  plan: plans.get(p.planId) ?? null,
  measures: measureList(p.measures),
  ...Object.fromEntries((['byTaskType', 'byStep', 'byModel'] as const).map((k) => [k, p[k].map((s) => ({ value: s.value, share: s.share, measures: measureList(s.measures) }))])),
});

export function planResolvers(deps: { pool: Pool; semantic: SemanticLayer }) {
  return {
    Query: {
      plans: (_: unknown, a: { ids?: string[]; status?: string[] }, c: Context) => listPlans(deps.pool, c.workspaceId, { ids: a.ids, status: a.status }),
      tasks: (_: unknown, a: { planId?: string; status?: string[] }, c: Context) =>
        listTasks(deps.pool, c.workspaceId, { planIds: a.planId ? [a.planId] : undefined, status: a.status }),
      workItems: (_: unknown, a: { ids?: string[] }, c: Context) => listWorkItems(deps.pool, c.workspaceId, a.ids),
      comparePlans: async (_: unknown, a: { ids: string[]; timeRange?: TimeRangeArg; timezone?: string }, c: Context) => {
        if (!a.ids.length || a.ids.length > MAX_COMPARED) throw argumentError('INVALID_ARGUMENT', 'ids', `name 1 to ${MAX_COMPARED} plans`);
        const timezone = a.timezone ?? 'UTC';
        checkTimezone(timezone);
        const q = new QueryArgs(deps.semantic);
        const [profiles, plans] = await Promise.all([
          semanticCall(q.origins, () => planProfiles(deps.semantic, c.workspaceId, [...new Set(a.ids)], { timeDimensions: q.timeRange(a.timeRange, 'timeRange', timezone), timezone })),
          listPlans(deps.pool, c.workspaceId, { ids: a.ids }),
        ]);
        const byId = new Map(plans.map((p) => [p.id, p]));
        return profiles.map((p) => presentProfile(p, byId));
      },
      planOutliers: (_: unknown, a: { metric?: OutlierMetric; threshold?: number }, c: Context) => {
        if (a.threshold !== undefined && !(a.threshold > 0)) throw argumentError('INVALID_ARGUMENT', 'threshold', 'must be greater than 0');
        return planOutliers(deps.semantic, c.workspaceId, { metric: a.metric, threshold: a.threshold });
      },
    },
    Mutation: {
      upsertPlan: (_: unknown, a: { id: string; input: object }, c: Context) => {
        const { id, fields } = parsed(planUpsertSchema, a.id, a.input);
        return upsertPlan(deps.pool, c.workspaceId, id, fields);
      },
      upsertTask: (_: unknown, a: { id: string; input: object }, c: Context) => {
        const { id, fields } = parsed(taskUpsertSchema, a.id, a.input);
        return upsertTask(deps.pool, c.workspaceId, id, fields);
      },
      upsertWorkItem: (_: unknown, a: { id: string; input: object }, c: Context) => {
        const { id, fields } = parsed(workItemUpsertSchema, a.id, a.input);
        return upsertWorkItem(deps.pool, c.workspaceId, id, fields);
      },
    },
  };
}
