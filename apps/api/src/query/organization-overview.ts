// One overview across the workspaces of an organization the caller may read (authz.ts,
// organizationReach decides which). The semantic layer answers per workspace (its scope is one
// workspace, and so are its roll-ups); here those answers are only put side by side and added
// with decimal.js, exactly: every figure is the model's measure of one workspace, or a sum of them.
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { type Unit, bucketPartial, periodJson } from '@spendgraph/periods';
import { type QueryReader, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import type { ReachedWorkspace } from '../authz.ts';
import { semanticCall } from './errors.ts';
import { MAX_ROWS, QueryArgs, type TimeRangeArg, checkTimezone } from './query-args.ts';
import { checkNumber } from '../query-limits.ts';

export interface OverviewArgs {
  timeRange?: TimeRangeArg | null;
  timezone?: string | null;
  granularity?: string | null;
  limit?: number | null;
}

/** The range of an overview asked without one. */
export const DEFAULT_OVERVIEW_RANGE: TimeRangeArg = { relative: 'last 30 days' };
const COST = usageMember('total_cost');
const CALLS = usageMember('calls');
/** The groups the overview ranks across workspaces, by their `usage` dimension. */
const RANKED = { topAgents: 'agent', topModels: 'model', topPlans: 'plan_id' } as const;

type Value = string | null;
interface PerWorkspace { workspace: string; totalCost: Value }

/** Adds decimal strings exactly; null when none of them is a number (nothing priced anywhere). */
function sum(values: readonly Value[]): Value {
  const present = values.filter((v): v is string => v !== null);
  return present.length ? Decimal.sum(...present).toFixed() : null;
}

const str = (v: unknown): Value => (v === null || v === undefined ? null : String(v));

export async function organizationOverview(semantic: SemanticLayer, workspaces: readonly ReachedWorkspace[], args: OverviewArgs) {
  const q = new QueryArgs(semantic);
  const timezone = args.timezone ?? 'UTC';
  checkTimezone(timezone);
  const limit = args.limit ?? 10;
  checkNumber('limit', limit, 1, 100);
  const granularity = args.granularity ?? 'day';
  const timeDimensions = q.timeRange(args.timeRange ?? DEFAULT_OVERVIEW_RANGE, 'timeRange', timezone) ?? [];
  const period = q.period!;
  const dateRange = timeDimensions[0]!.dateRange;

  // One snapshot for every workspace's queries: the parts add up to the totals even while events arrive.
  const per = await semantic.snapshot((reader) => Promise.all(workspaces.map(async (ws) => {
    const load = (query: Parameters<QueryReader['load']>[0]) =>
      semanticCall(q.origins, () => reader.load({ timezone, limit: MAX_ROWS, ...query }, { workspaceId: ws.id }));
    const totals = (await load({ measures: [COST, CALLS], timeDimensions })).data[0] ?? {};
    const bucket = `${q.timeDimension}.${granularity}`;
    const trend = (await load({ measures: [COST], timeDimensions: [{ dimension: q.timeDimension, granularity, dateRange }], order: [[bucket, 'asc']] }))
      .data.map((r) => ({ time: String(r[bucket]), totalCost: str(r[COST]) }));
    const groups: Record<string, Array<{ value: Value; totalCost: Value; calls: Value }>> = {};
    for (const [field, dim] of Object.entries(RANKED)) {
      const member = usageMember(dim);
      groups[field] = (await load({ measures: [COST, CALLS], dimensions: [member], timeDimensions })).data
        .map((r) => ({ value: str(r[member]), totalCost: str(r[COST]), calls: str(r[CALLS]) }));
    }
    return { ws, totalCost: str(totals[COST]), calls: str(totals[CALLS]) ?? '0', trend, groups };
  })));

  const totalCost = sum(per.map((p) => p.totalCost));
  const share = (v: Value) => (v === null || totalCost === null || new Decimal(totalCost).isZero() ? null : new Decimal(v).div(totalCost).toNumber());
  return {
    period: periodJson(period),
    totalCost,
    calls: Decimal.sum(0, ...per.map((p) => p.calls)).toFixed(),
    workspaces: per
      .map((p) => ({ ...p.ws, totalCost: p.totalCost, calls: p.calls, share: share(p.totalCost) }))
      .sort(byCostThen((w) => w.slug)),
    trend: mergeTrend(per.map((p) => ({ slug: p.ws.slug, points: p.trend })), (time) =>
      bucketPartial(DateTime.fromISO(time, { zone: timezone }).toJSDate(), granularity as Unit, period)),
    ...Object.fromEntries(Object.keys(RANKED).map((field) => [field, rank(per.map((p) => ({ slug: p.ws.slug, rows: p.groups[field]! })), limit)])),
  };
}

/** Highest cost first (unpriced last), then by a name: a stable order for equal figures. */
function byCostThen<T extends { totalCost: Value }>(name: (t: T) => string) {
  const cost = (t: T) => (t.totalCost === null ? new Decimal(-1) : new Decimal(t.totalCost));
  return (a: T, b: T) => cost(b).comparedTo(cost(a)) || name(a).localeCompare(name(b));
}

/** One point per bucket with every workspace's cost in it and their exact sum. */
function mergeTrend(series: Array<{ slug: string; points: Array<{ time: string; totalCost: Value }> }>, partial: (time: string) => boolean) {
  const buckets = new Map<string, PerWorkspace[]>();
  for (const { slug, points } of series) {
    for (const p of points) buckets.set(p.time, [...(buckets.get(p.time) ?? []), { workspace: slug, totalCost: p.totalCost }]);
  }
  return [...buckets.keys()].sort().map((time) => {
    const byWorkspace = buckets.get(time)!;
    return { time, partial: partial(time), totalCost: sum(byWorkspace.map((w) => w.totalCost)), byWorkspace };
  });
}

/** A dimension's values across workspaces: each value's cost summed over them, the top `limit`. */
function rank(per: Array<{ slug: string; rows: Array<{ value: Value; totalCost: Value; calls: Value }> }>, limit: number) {
  const groups = new Map<Value, { value: Value; calls: Value[]; byWorkspace: PerWorkspace[] }>();
  for (const { slug, rows } of per) {
    for (const r of rows) {
      const g = groups.get(r.value) ?? { value: r.value, calls: [], byWorkspace: [] };
      g.calls.push(r.calls);
      g.byWorkspace.push({ workspace: slug, totalCost: r.totalCost });
      groups.set(r.value, g);
    }
  }
  return [...groups.values()]
    .map((g) => ({ value: g.value, totalCost: sum(g.byWorkspace.map((w) => w.totalCost)), calls: sum(g.calls) ?? '0', byWorkspace: g.byWorkspace }))
    .sort(byCostThen((g) => g.value ?? ''))
    .slice(0, limit);
}

