// The figures of a morning report, read through the semantic layer (raw
// events: a report must hold what was stored, not a roll-up that lags it) and
// from the anomaly and budget tables. Money stays in exact decimal strings.
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { linearRegression } from 'simple-statistics';
import { type Pool, budgetStatuses, listAnomalies, listBudgets } from '@spendgraph/db';
import { standing } from '@spendgraph/budgets';
import { type Period, cubeDateRange, previousPeriod, resolvePeriod } from '@spendgraph/periods';
import { type CubeQuery, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { median } from '../stats.ts';
import { type EconomicsFigures, economicsFigures } from './economics.ts';

export const TREND_SESSIONS = 30;
export const TOP_N = 5;
/** Sessions older than this are not part of the trend, however few the recent ones. */
export const TREND_LOOKBACK_DAYS = 30;

export interface Amount { cost: string; calls: string }
export interface Change extends Amount { previousCost: string; changePercent: number | null }
export interface Share { id: string; cost: string; share: number | null }

export interface MorningFigures {
  forDate: string;
  timezone: string;
  currency: string;
  yesterday: Change;
  last7Days: Change & { from: string; to: string };
  trend: {
    sessions: number;
    /** Oldest first. */
    costs: Array<{ sessionId: string; cost: string }>;
    averageCost: string;
    medianCost: string;
    firstHalfAverage: string;
    secondHalfAverage: string;
    changePercent: number | null;
    /** Least-squares slope of cost over session order, per session. */
    slopePerSession: number;
    direction: 'rising' | 'falling' | 'flat';
  };
  providers: Array<Share & { provider: string; yesterdayCost: string; models: Array<Share & { model: string }> }>;
  topWorkItems: Share[];
  topPlans: Share[];
  anomalies: Array<{
    id: string; kind: string; subjectId: string; cost: string; peerMedian: string; ratio: string;
    peerDimension: string; peerValue: string; peerCount: number; cause: string | null; summary: string | null;
    /** The excess over the peer median by cause (absent in reports stored before causes were priced). */
    causes?: Array<{ cause: string; excess: string }>;
  }>;
  budgetsAtRisk: Array<{
    id: string; name: string; mode: string; period: string; state: string; spend: string; amount: string; currency: string;
    percentUsed: number; projectedCrossingAt: string | null; blocking: boolean;
  }>;
  /** Billed vs tracked (the report's date and its month to date, as UTC days); absent in reports stored before. */
  reconciliation?: EconomicsFigures['reconciliation'];
  /** Month to date: revenue, true cost, margin, least profitable customers; absent in reports stored before. */
  margin?: EconomicsFigures['margin'];
}

export interface ReportScope {
  workspaceId: string;
  /** The day reported on, YYYY-MM-DD in `timezone`. */
  forDate: string;
  timezone: string;
  currency: string;
  /** When the report is written (budget standings are as of then). */
  at: Date;
}

type Row = Record<string, string | number | boolean | null>;
const ZERO = new Decimal(0);
const dec = (v: unknown) => new Decimal((v as string | null) ?? 0);
const day = (t: DateTime) => t.toFormat('yyyy-MM-dd');

async function load(semantic: SemanticLayer, r: ReportScope, q: Omit<CubeQuery, 'timezone'>): Promise<Row[]> {
  // Costs are in the workspace's reporting currency (r.currency), every event converted (ADR 0023).
  const filters = q.filters ?? [];
  return (await semantic.load({ ...q, filters, timezone: r.timezone }, { workspaceId: r.workspaceId }, { fresh: true })).data;
}

const range = (p: Period) => ({ dimension: usageMember('occurred_at'), dateRange: cubeDateRange(p) });

/**
 * A period of the shared vocabulary (packages/periods) as it stood at the end of the reported
 * day: the report's `last 7 days` is what the overview showed for `last 7 days` at that moment,
 * complete days only. The previous period too, for comparisons.
 */
export function reportPeriod(r: Pick<ReportScope, 'forDate' | 'timezone'>, text: string, previous = false): Period {
  const lastInstant = new Date(DateTime.fromISO(r.forDate, { zone: r.timezone }).plus({ days: 1 }).toMillis() - 1);
  const p = (previous ? previousPeriod : resolvePeriod)(text, r.timezone, lastInstant);
  return { ...p, partial: false };
}

function percentChange(now: Decimal, before: Decimal): number | null {
  return before.isZero() ? null : now.minus(before).div(before).times(100).toDecimalPlaces(1).toNumber();
}

const shareOf = (part: Decimal, whole: Decimal) => (whole.isZero() ? null : part.div(whole).toDecimalPlaces(4).toNumber());

/** Yesterday and the last 7 days, each against the period before: one daily series over 14 days. */
async function totals(semantic: SemanticLayer, r: ReportScope, date: DateTime) {
  const rows = await load(semantic, r, {
    measures: [usageMember('total_cost'), usageMember('calls')],
    timeDimensions: [{ ...range({ ...reportPeriod(r, 'last 7 days'), from: reportPeriod(r, 'last 7 days', true).from }), granularity: 'day' }],
  });
  const byDay = new Map(rows.map((x) => [String(x[usageMember('occurred_at.day')]).slice(0, 10), x]));
  const sum = (from: number, to: number, m: string) => {
    let t = ZERO;
    for (let i = from; i <= to; i++) t = t.plus(dec(byDay.get(day(date.minus({ days: i })))?.[usageMember(m)]));
    return t;
  };
  const change = (from: number, to: number, width: number): Change => {
    const cost = sum(from, to, 'total_cost');
    const previousCost = sum(from + width, to + width, 'total_cost');
    return { cost: cost.toFixed(), calls: sum(from, to, 'calls').toFixed(), previousCost: previousCost.toFixed(), changePercent: percentChange(cost, previousCost) };
  };
  return {
    yesterday: change(0, 0, 1),
    last7Days: { ...change(0, 6, 7), from: day(date.minus({ days: 6 })), to: day(date) },
  };
}

async function trend(semantic: SemanticLayer, r: ReportScope, date: DateTime): Promise<MorningFigures['trend']> {
  const rows = await load(semantic, r, {
    measures: [usageMember('total_cost'), usageMember('last_event_at')],
    dimensions: [usageMember('session_id')],
    timeDimensions: [range(reportPeriod(r, `last ${TREND_LOOKBACK_DAYS} days`))],
    filters: [{ member: usageMember('session_id'), operator: 'set' }],
    order: [[usageMember('last_event_at'), 'desc'], [usageMember('session_id'), 'asc']],
    limit: TREND_SESSIONS,
  });
  const costs = rows.reverse().map((x) => ({ sessionId: x[usageMember('session_id')] as string, cost: dec(x[usageMember('total_cost')]) }));
  const values = costs.map((c) => c.cost);
  const half = values.length >> 1;
  const avg = (xs: Decimal[]) => (xs.length ? xs.reduce((t, x) => t.plus(x), ZERO).div(xs.length) : ZERO);
  const first = avg(values.slice(0, half));
  const second = avg(values.slice(values.length - half));
  const changePercent = half ? percentChange(second, first) : null;
  // A least-squares line through (order, cost): the slope is a float, fine for a direction.
  const slope = values.length >= 2 ? linearRegression(values.map((v, i) => [i, v.toNumber()])).m : 0;
  const direction = changePercent === null || Math.abs(changePercent) < 10 ? 'flat' : changePercent > 0 ? 'rising' : 'falling';
  return {
    sessions: values.length,
    costs: costs.map((c) => ({ sessionId: c.sessionId, cost: c.cost.toFixed() })),
    averageCost: avg(values).toDecimalPlaces(6).toFixed(),
    medianCost: median(values).toFixed(),
    firstHalfAverage: first.toDecimalPlaces(6).toFixed(),
    secondHalfAverage: second.toDecimalPlaces(6).toFixed(),
    changePercent,
    slopePerSession: Number(slope.toFixed(6)),
    direction,
  };
}

/** Cost per provider and model over the 7 days, with each provider's cost of the last day. */
async function providers(semantic: SemanticLayer, r: ReportScope, date: DateTime): Promise<MorningFigures['providers']> {
  const rows = await load(semantic, r, {
    measures: [usageMember('total_cost')],
    dimensions: [usageMember('provider'), usageMember('model')],
    timeDimensions: [{ ...range(reportPeriod(r, 'last 7 days')), granularity: 'day' }],
    limit: 50_000,
  });
  const total = rows.reduce((t, x) => t.plus(dec(x[usageMember('total_cost')])), ZERO);
  const byProvider = Map.groupBy(rows, (x) => (x[usageMember('provider')] as string | null) ?? '(none)');
  return [...byProvider].map(([provider, list]) => {
    const cost = list.reduce((t, x) => t.plus(dec(x[usageMember('total_cost')])), ZERO);
    const yesterday = list.filter((x) => String(x[usageMember('occurred_at.day')]).startsWith(day(date)))
      .reduce((t, x) => t.plus(dec(x[usageMember('total_cost')])), ZERO);
    const byModel = Map.groupBy(list, (x) => (x[usageMember('model')] as string | null) ?? '(none)');
    const models = [...byModel].map(([model, ms]) => {
      const c = ms.reduce((t, x) => t.plus(dec(x[usageMember('total_cost')])), ZERO);
      return { id: model, model, cost: c.toFixed(), share: shareOf(c, total) };
    });
    return { id: provider, provider, cost: cost.toFixed(), share: shareOf(cost, total), yesterdayCost: yesterday.toFixed(), models: models.sort(byCost) };
  }).sort(byCost);
}

const byCost = (a: { cost: string; id: string }, b: { cost: string; id: string }) => new Decimal(b.cost).comparedTo(a.cost) || a.id.localeCompare(b.id);

/** The top N values of a dimension by cost over the 7 days, with their share of the 7 days' cost. */
async function top(semantic: SemanticLayer, r: ReportScope, date: DateTime, dimension: string, weekCost: Decimal): Promise<Share[]> {
  // A call shared by work items counts for each by its share, so the items' shares of the week add up.
  const cost = usageMember(dimension === 'work_item' ? 'work_item_total_cost' : 'total_cost');
  const rows = await load(semantic, r, {
    measures: [cost],
    dimensions: [usageMember(dimension)],
    timeDimensions: [range(reportPeriod(r, 'last 7 days'))],
    filters: [{ member: usageMember(dimension), operator: 'set' }],
    order: [[cost, 'desc'], [usageMember(dimension), 'asc']],
    limit: TOP_N,
  });
  return rows.map((x) => ({ id: x[usageMember(dimension)] as string, cost: dec(x[cost]).toFixed(), share: shareOf(dec(x[cost]), weekCost) }));
}

async function anomaliesOf(pool: Pool, r: ReportScope, date: DateTime): Promise<MorningFigures['anomalies']> {
  const list = await listAnomalies(pool, r.workspaceId, { from: date.toUTC().toISO()!, to: date.plus({ days: 1 }).toUTC().toISO()!, first: 20 });
  return list.map((a) => ({
    id: a.id, kind: a.kind, subjectId: a.subjectId, cost: a.cost, peerMedian: a.peerMedian, ratio: a.ratio,
    peerDimension: a.peerDimension, peerValue: a.peerValue, peerCount: a.peerCount,
    cause: a.causes[0]?.cause ?? null, summary: a.causes[0]?.summary ?? null,
    causes: a.causes.filter((c) => c.excess !== undefined).map((c) => ({ cause: c.cause, excess: c.excess! })),
  }));
}

/** Budgets at risk (BudgetStanding.atRisk): over, in warning, blocking, or projected to cross this period. */
async function budgetsAtRisk(pool: Pool, r: ReportScope): Promise<MorningFigures['budgetsAtRisk']> {
  const [budgets, statuses] = await Promise.all([listBudgets(pool, r.workspaceId), budgetStatuses(pool, r.workspaceId)]);
  const byId = new Map(statuses.map((s) => [s.budgetId, s]));
  return budgets.flatMap((b) => {
    const status = byId.get(b.id);
    const s = standing(b, status, r.at); // the same standing, and test, as the budgets page and the overview
    const projected = s.current ? (status?.projectedCrossingAt ?? null) : null;
    if (!s.atRisk) return [];
    return [{
      id: b.id, name: b.name, mode: b.mode, period: b.period, state: s.state, spend: s.spend.toFixed(), amount: b.amount,
      currency: b.currency, percentUsed: Number(s.percentUsed.toFixed(2)), projectedCrossingAt: projected, blocking: s.blocking,
    }];
  }).sort((a, b) => b.percentUsed - a.percentUsed);
}

export async function morningFigures(deps: { pool: Pool; semantic: SemanticLayer }, r: ReportScope): Promise<MorningFigures> {
  const date = DateTime.fromISO(r.forDate, { zone: r.timezone }).startOf('day');
  const [t, tr, prov, anomalies, budgets] = await Promise.all([
    totals(deps.semantic, r, date), trend(deps.semantic, r, date), providers(deps.semantic, r, date),
    anomaliesOf(deps.pool, r, date), budgetsAtRisk(deps.pool, r),
  ]);
  const weekCost = new Decimal(t.last7Days.cost);
  const [topWorkItems, topPlans, economics] = await Promise.all([
    top(deps.semantic, r, date, 'work_item', weekCost), top(deps.semantic, r, date, 'plan_id', weekCost), economicsFigures(deps.semantic, r),
  ]);
  return {
    forDate: r.forDate, timezone: r.timezone, currency: r.currency,
    ...t, trend: tr, providers: prov, topWorkItems, topPlans, anomalies, budgetsAtRisk: budgets, ...economics,
  };
}
