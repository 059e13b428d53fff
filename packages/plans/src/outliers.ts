// Plans that stand out from their peers on a metric (robust statistics: the
// median and the median absolute deviation, Iglewicz-Hoaglin modified z-score),
// each with the dimension that explains most of its difference. Every query is
// exact (roll-ups are read only for sealed days, docs/decisions/0001-read-path.md),
// so the explanation's parts agree with the totals wherever they are read from.
import { Decimal } from 'decimal.js';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { type QueryReader, type SemanticLayer, usageMember as m } from '@spendgraph/semantic';

export const OUTLIER_METRICS = ['cost_per_completed_task', 'total_cost', 'tokens_per_task', 'error_rate'] as const;
export type OutlierMetric = (typeof OUTLIER_METRICS)[number];
/** Where the difference is looked for. */
export const EXPLAINING_DIMENSIONS = ['model', 'step', 'task_type', 'agent'] as const;

export interface Explanation {
  dimension: string;
  value: string | null;
  /** Share of the plan's cost on this value, and of its peers' pooled cost. */
  planShare: number;
  peerShare: number;
  /** Cost the plan spent on this value beyond what its peers' mix predicts. */
  excessCost: string;
}

export interface PlanOutlier {
  planId: string;
  value: number;
  /** Modified z-score: 0.6745 (x - median) / MAD. */
  score: number;
  direction: 'high' | 'low';
  totalCost: string;
  explanation: Explanation | null;
}

export interface OutlierReport {
  metric: OutlierMetric;
  plans: number;
  median: number | null;
  mad: number | null;
  threshold: number;
  outliers: PlanOutlier[];
}

export async function planOutliers(
  semantic: SemanticLayer,
  workspaceId: string,
  opts: { metric?: OutlierMetric; threshold?: number } = {},
): Promise<OutlierReport> {
  // One snapshot for the metric and its explanations: their figures agree even while events
  // arrive, and the roll-up partitions' dirty spans are read once for all ten reads.
  return semantic.snapshot((reader) => outliersIn(reader, workspaceId, opts));
}

async function outliersIn(reader: QueryReader, workspaceId: string, opts: { metric?: OutlierMetric; threshold?: number }): Promise<OutlierReport> {
  const metric = opts.metric ?? 'cost_per_completed_task';
  const threshold = opts.threshold ?? 3.5;
  const { data } = await reader.load(
    { measures: [m(metric), m('total_cost')], dimensions: [m('plan_id')], filters: [{ member: m('plan_id'), operator: 'set' }], limit: 50_000 },
    { workspaceId },
  );
  const plans = data
    .filter((r) => r[m(metric)] !== null)
    .map((r) => ({ planId: String(r[m('plan_id')]), value: Number(r[m(metric)]), totalCost: String(r[m('total_cost')] ?? '0') }));
  const report: OutlierReport = { metric, plans: plans.length, median: null, mad: null, threshold, outliers: [] };
  if (plans.length < 3) return report; // no peers to stand out from
  const values = plans.map((p) => p.value);
  report.median = median(values);
  report.mad = medianAbsoluteDeviation(values);
  if (report.mad === 0) return report; // most plans are alike: nothing stands out by this measure
  const flagged = plans
    .map((p) => ({ ...p, score: (0.6745 * (p.value - report.median!)) / report.mad! }))
    .filter((p) => Math.abs(p.score) > threshold)
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
  if (!flagged.length) return report;
  const peers = plans.filter((p) => !flagged.some((f) => f.planId === p.planId)).map((p) => p.planId);
  const explain = await explainer(reader, workspaceId, peers, flagged);
  report.outliers = flagged.map((p) => ({
    planId: p.planId, value: p.value, score: Number(p.score.toFixed(3)), direction: p.score > 0 ? 'high' : 'low',
    totalCost: p.totalCost, explanation: explain(p),
  }));
  return report;
}

/**
 * For each explaining dimension: the peers' pooled cost by value (one query, so
 * the database sums it) and each flagged plan's cost by value. A plan's excess
 * on a value is its cost there minus its total times the peers' share of that
 * value; the value with the largest excess (the most negative for a plan below its
 * peers), over all dimensions, explains it.
 */
async function explainer(reader: QueryReader, workspaceId: string, peers: string[], flagged: Array<{ planId: string; totalCost: string; score: number }>) {
  const load = (dimensions: string[], planIds: string[]) =>
    reader.load({ measures: [m('total_cost')], dimensions: dimensions.map(m), filters: [{ member: m('plan_id'), operator: 'equals', values: planIds }], limit: 50_000 }, { workspaceId });
  const [peerTotal, ...splits] = await Promise.all([
    load([], peers),
    ...EXPLAINING_DIMENSIONS.flatMap((d) => [load([d], peers), load(['plan_id', d], flagged.map((f) => f.planId))]),
  ]);
  const cost = (r: Record<string, unknown> | undefined) => new Decimal((r?.[m('total_cost')] as string | null) ?? 0);
  const pooled = cost(peerTotal!.data[0]);
  // A plan above its peers is explained by what it spent more on; one below, by what it spent less on.
  return (plan: { planId: string; totalCost: string; score: number }): Explanation | null => {
    const sign = plan.score > 0 ? 1 : -1;
    const ownTotal = new Decimal(plan.totalCost);
    if (ownTotal.isZero() || pooled.isZero()) return null;
    let best: Explanation | null = null;
    EXPLAINING_DIMENSIONS.forEach((dimension, i) => {
      const peerRows = splits[2 * i]!.data;
      const ownRows = splits[2 * i + 1]!.data.filter((r) => r[m('plan_id')] === plan.planId);
      const values = new Set([...peerRows, ...ownRows].map((r) => (r[m(dimension)] ?? null) as string | null));
      for (const value of values) {
        const ownCost = cost(ownRows.find((r) => (r[m(dimension)] ?? null) === value));
        const peerShare = cost(peerRows.find((r) => (r[m(dimension)] ?? null) === value)).div(pooled);
        const excess = ownCost.minus(ownTotal.times(peerShare));
        if (!best || excess.times(sign).gt(new Decimal(best.excessCost).times(sign))) {
          best = {
            dimension, value, planShare: ownCost.div(ownTotal).toDecimalPlaces(6).toNumber(),
            peerShare: peerShare.toDecimalPlaces(6).toNumber(), excessCost: excess.toDecimalPlaces(6).toFixed(),
          };
        }
      }
    });
    return best;
  };
}
