// Anomalies in words: a cause's name and its evidence as a person reads them (the API keeps the
// metric names for machines), and the page's filters as URL state.
import { formatMeasure, formatMoney, formatPercent } from './format';
import type { AnomaliesQueryVariables, AnomalyCauseKind, AnomalyKind } from './graphql/operations';
import { COMPARE, type TimeRange, parseCompare, parseRange } from './query-state';

export const CAUSE_LABELS: Record<string, string> = {
  model_choice: 'Expensive models',
  context_size: 'Large prompts',
  cache_misses: 'Cache misses',
  retries: 'Failed calls',
  subagents: 'Subagent work',
  call_volume: 'Many calls',
};

export const causeLabel = (cause: string | null | undefined) => (cause ? CAUSE_LABELS[cause] ?? cause.replaceAll('_', ' ') : 'no single cause');

// How each evidence metric reads: its name and how its values are shown.
const EVIDENCE: Record<string, [string, (v: string) => string]> = {
  price_per_1k_tokens: ['price per 1,000 tokens', (v) => formatMoney(v)],
  prompt_tokens_per_call: ['prompt tokens per call', (v) => formatMeasure('tokens', v)],
  cache_hit_rate: ['prompt tokens read from the cache', (v) => formatPercent(Number(v))],
  failed_call_cost_share: ['share of its cost spent on failed calls', (v) => formatPercent(Number(v))],
  subagent_cost_share: ['share of its cost spent by subagents', (v) => formatPercent(Number(v))],
  calls: ['calls of its main agent', (v) => formatMeasure('calls', v)],
};

/** "share of its cost spent by subagents: 40.0% (peers' median 0.0%)". */
export function evidenceText(e: { metric: string; value: string; peerMedian: string }): string {
  const [label, show] = EVIDENCE[e.metric] ?? [e.metric.replaceAll('_', ' '), (v: string) => formatMeasure(e.metric, v)];
  return `${label}: ${show(e.value)} (peers' median ${show(e.peerMedian)})`;
}

export interface Explained {
  kind: string;
  cost: string;
  excess: string;
  ratio: string;
  peerGroup: { dimension: string; value: string; size: number; medianCost: string };
  causes: Array<{ cause: string; excess?: string | null }>;
}

/** One sentence: what it cost against its peers, and where the excess came from. */
export function explanation(a: Explained): string {
  const peers = `${a.peerGroup.size - 1} similar ${a.kind}s (${a.peerGroup.value.replaceAll(' x ', ' × ')})`;
  const head = `Cost ${formatMoney(a.cost)}, ${Number(a.ratio).toFixed(1)}× the ${formatMoney(a.peerGroup.medianCost)} median of ${peers}: ${formatMoney(a.excess)} more.`;
  const parts = a.causes.filter((c) => c.excess).map((c) => `${causeLabel(c.cause).toLowerCase()} ${formatMoney(c.excess)}`);
  return parts.length ? `${head} From ${parts.join(', ')}.` : head;
}

export const STATUS_CHOICES = { unresolved: ['open', 'acknowledged'], open: ['open'], acknowledged: ['acknowledged'], dismissed: ['dismissed'], all: [] } as const;
export type StatusChoice = keyof typeof STATUS_CHOICES;
export const GROUPINGS = { subject: 'session or task', peer_group: 'peer group', likely_cause: 'likely cause' } as const;

export interface AnomalyQuery {
  /** The range picker's (components/RangePicker): a preset (`range=`) or From/To dates, and `compare=previous`. */
  range?: string; from?: string; to?: string; compare?: typeof COMPARE; kind?: AnomalyKind; status: StatusChoice; peer?: string; cause?: string; subject?: string;
  sort: 'impact' | 'recent'; group?: keyof typeof GROUPINGS; after?: string;
}

const pick = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? value as T : fallback);
const text = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/** The page's URL state (unknown values fall back to the defaults: unresolved, largest impact first). */
export function anomalyQuery(p: Record<string, string | undefined>): AnomalyQuery {
  return {
    range: text(p.range), from: text(p.from), to: text(p.to), compare: parseCompare(p) ? COMPARE : undefined, kind: pick<AnomalyKind | ''>(p.kind, ['session', 'task', ''], '') || undefined, peer: text(p.peer), cause: text(p.cause), subject: text(p.subject),
    status: pick(p.status, Object.keys(STATUS_CHOICES) as StatusChoice[], 'unresolved'), sort: pick(p.sort, ['impact', 'recent'], 'impact'),
    group: pick(p.group, [...Object.keys(GROUPINGS), ''] as Array<keyof typeof GROUPINGS | ''>, '') || undefined, after: text(p.after),
  };
}

/** The URL of the page with some of its state changed (a cursor only survives when said again). */
export function anomalyHref(q: AnomalyQuery, change: Partial<AnomalyQuery> = {}): string {
  const s = anomalyParams({ ...q, after: undefined, ...change }).toString();
  return s ? `/anomalies?${s}` : '/anomalies';
}

/** The state as URL parameters (defaults left out). */
function anomalyParams(q: Partial<AnomalyQuery>): URLSearchParams {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  if (q.status === 'unresolved') params.delete('status');
  if (q.sort === 'impact') params.delete('sort');
  return params;
}

/** The page's range (the picker's state): a preset, From/To dates, or the last 30 days. */
export const anomalyRange = (q: AnomalyQuery): TimeRange => parseRange({ range: q.range, from: q.from, to: q.to });

/** The URL parameters besides the range's (the picker keeps them in its links and forms). */
export function anomalyFilterParams(q: AnomalyQuery): Record<string, string | undefined> {
  const { range: _r, from: _f, to: _t, compare: _c, after: _a, ...rest } = q;
  return Object.fromEntries(anomalyParams(rest));
}

/** The API's filter arguments over a period (ISO times, the API's own for the range: `periodOf`). */
export function anomalyFilterArgs(q: AnomalyQuery, period: { from: string; to: string }): Pick<AnomaliesQueryVariables, 'kind' | 'from' | 'to' | 'status' | 'peerGroup' | 'likelyCause' | 'subject'> {
  return {
    kind: q.kind ?? null, from: period.from, to: period.to, status: STATUS_CHOICES[q.status].length ? [...STATUS_CHOICES[q.status]] : null,
    peerGroup: q.peer ?? null, likelyCause: q.cause && q.cause in CAUSE_LABELS ? q.cause as AnomalyCauseKind : null, subject: q.subject ?? null,
  };
}
