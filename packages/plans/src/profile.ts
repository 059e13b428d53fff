// A plan's cost profile, read through the semantic layer: totals (cost, calls,
// error rate, tasks, completed tasks, cost per completed task, output per
// dollar, tokens per task) and the split by task type, step and model. All from
// raw events (fresh): the totals need joined task statuses, which no roll-up
// holds, and splits read from a lagging roll-up would not add up to them.
import { Decimal } from 'decimal.js';
import { type CubeQuery, type QueryResult, type SemanticLayer, usageMember as m } from '@spendgraph/semantic';

export const PROFILE_MEASURES = [
  'total_cost', 'calls', 'error_calls', 'error_rate', 'distinct_tasks', 'completed_tasks', 'cost_per_completed_task',
  'completed_tasks_per_dollar', 'total_tokens', 'tokens_per_task',
] as const;
const SPLITS = {
  byTaskType: { dimension: 'task_type', measures: ['total_cost', 'calls', 'distinct_tasks', 'completed_tasks', 'cost_per_completed_task'] },
  byStep: { dimension: 'step', measures: ['total_cost', 'calls'] },
  byModel: { dimension: 'model', measures: ['total_cost', 'calls', 'total_tokens'] },
} as const;

type Value = string | null;
export interface Segment {
  value: Value;
  /** This segment's share of the plan's cost. */
  share: number | null;
  measures: Record<string, Value>;
}

export interface PlanProfile {
  planId: string;
  measures: Record<(typeof PROFILE_MEASURES)[number], Value>;
  byTaskType: Segment[];
  byStep: Segment[];
  byModel: Segment[];
}

export interface ProfileScope {
  /** Extra conditions (time range, filters) applied to every query. */
  timeDimensions?: CubeQuery['timeDimensions'];
  filters?: CubeQuery['filters'];
  timezone?: string;
}

const cell = (row: QueryResult['data'][number] | undefined, member: string): Value => {
  const v = row?.[member];
  return v === null || v === undefined ? null : String(v);
};

export async function planProfiles(semantic: SemanticLayer, workspaceId: string, planIds: string[], scope: ProfileScope = {}): Promise<PlanProfile[]> {
  if (!planIds.length) return [];
  const load = (measures: readonly string[], dimensions: string[]) =>
    semantic.load({
      measures: measures.map(m),
      dimensions: dimensions.map(m),
      filters: [...(scope.filters ?? []), { member: m('plan_id'), operator: 'equals', values: planIds }],
      timeDimensions: scope.timeDimensions ?? [],
      timezone: scope.timezone ?? 'UTC',
      limit: 50_000,
    }, { workspaceId }, { fresh: true });
  const [totals, ...splits] = await Promise.all([
    load(PROFILE_MEASURES, ['plan_id']),
    ...Object.values(SPLITS).map((s) => load(s.measures, ['plan_id', s.dimension])),
  ]);
  const splitNames = Object.keys(SPLITS) as Array<keyof typeof SPLITS>;
  return planIds.map((planId) => {
    const row = totals!.data.find((r) => r[m('plan_id')] === planId);
    const measures = Object.fromEntries(PROFILE_MEASURES.map((k) => [k, cell(row, m(k))])) as PlanProfile['measures'];
    const profile = { planId, measures } as PlanProfile;
    splitNames.forEach((name, i) => {
      const { dimension, measures: ms } = SPLITS[name];
      profile[name] = splits[i]!.data
        .filter((r) => r[m('plan_id')] === planId)
        .map((r) => ({ value: cell(r, m(dimension)), share: share(cell(r, m('total_cost')), measures.total_cost), measures: Object.fromEntries(ms.map((k) => [k, cell(r, m(k))])) }))
        .sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
    });
    return profile;
  });
}

function share(part: Value, whole: Value): number | null {
  if (part === null || whole === null || new Decimal(whole).isZero()) return null;
  return new Decimal(part).div(whole).toDecimalPlaces(6).toNumber();
}
