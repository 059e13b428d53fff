// Explorer and event-log state in the URL, so a view can be shared: measures,
// segments (by), time range, granularity, filters, top-N per node, table sort.
import type { FilterOperator, Granularity } from './graphql/operations.ts';

export interface Filter { member: string; operator: string; values: string[] }
export interface TimeRange { relative?: string; from?: string; to?: string }
export interface ExploreState {
  measures: string[];
  by: string[];
  range: TimeRange;
  granularity: Granularity;
  filters: Filter[];
  limit: number;
  sort: { column: string; desc: boolean } | null;
  /** Period-over-period columns: the same query over the previous period. */
  compare: boolean;
}

export type SearchParams = Record<string, string | string[] | undefined>;

/** The range presets every picker offers: the API's period names (packages/periods); `this month` is month to date. */
export const RANGES = ['today', 'yesterday', 'this week', 'last week', 'last 7 days', 'last 30 days', 'last 90 days', 'this month', 'last month', 'this quarter', 'last quarter'];
/** Presets of whole calendar units (pages whose figures are per month: cost pools are allocated by month). */
export const MONTH_RANGES = ['this month', 'last month', 'this quarter', 'last quarter', 'this year'];
export const GRANULARITIES: Granularity[] = ['hour', 'day', 'week', 'month'];
export const OPERATORS = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet'];

function all(p: SearchParams, k: string): string[] {
  const v = p[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
function one(p: SearchParams, k: string) {
  return all(p, k)[0];
}
function list(v: string | undefined) {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** `member|operator|v1,v2` per `f` parameter. */
export function parseFilters(p: SearchParams): Filter[] {
  return all(p, 'f').flatMap((s) => {
    const [member, operator, values] = s.split('|');
    return member && operator ? [{ member, operator, values: values === undefined ? [] : values.split(',').map(decodeURIComponent) }] : [];
  });
}

export function filterParam(f: Filter) {
  return `${f.member}|${f.operator}|${f.values.map(encodeURIComponent).join(',')}`;
}

export function parseRange(p: SearchParams, fallback = 'last 30 days'): TimeRange {
  const from = one(p, 'from');
  if (from) return { from, ...(one(p, 'to') ? { to: one(p, 'to') } : {}) };
  return { relative: one(p, 'range') ?? fallback };
}

/** The explorer's segment by workspace across the organization (not a member of the model: the API's `workspaces` argument). */
export const WORKSPACE_SEGMENT = 'workspace';

/**
 * A view segmented by workspace: `workspace` among the segments (always the top level) and/or a
 * filter `workspace equals a,b`. `workspaces` is what the API is asked for (null: this workspace
 * only; []: every one the person may read), `by` and `filters` the rest, `levels` the table's levels.
 */
export function workspaceSegment(state: Pick<ExploreState, 'by' | 'filters'>) {
  const named = state.filters.find((f) => f.member === WORKSPACE_SEGMENT && f.operator === 'equals');
  const by = state.by.filter((d) => d !== WORKSPACE_SEGMENT);
  const workspaces = named ? named.values : state.by.includes(WORKSPACE_SEGMENT) ? [] : null;
  return { workspaces, by, filters: state.filters.filter((f) => f.member !== WORKSPACE_SEGMENT), levels: workspaces ? [WORKSPACE_SEGMENT, ...by] : by };
}

export function parseExplore(p: SearchParams): ExploreState {
  const measures = list(one(p, 'm'));
  const sort = one(p, 'sort');
  const limit = Number(one(p, 'limit') ?? 10);
  return {
    measures: measures.length ? measures : ['total_cost', 'calls'],
    by: list(one(p, 'by')),
    range: parseRange(p),
    granularity: GRANULARITIES.find((g) => g === one(p, 'gran')) ?? 'day',
    filters: parseFilters(p),
    limit: Number.isInteger(limit) && limit > 0 && limit <= 1000 ? limit : 10,
    sort: sort ? { column: sort.replace(/:(asc|desc)$/, ''), desc: !sort.endsWith(':asc') } : null,
    compare: parseCompare(p),
  };
}

function rangeParams(range: TimeRange, q: URLSearchParams) {
  if (range.from) {
    q.set('from', range.from);
    if (range.to) q.set('to', range.to);
  } else if (range.relative) q.set('range', range.relative);
}

/** `compare=previous` in the URL: show each figure beside the previous period's (`compare=1`, the explorer's former value, still reads). */
export const COMPARE = 'previous';
export function parseCompare(p: SearchParams): boolean {
  const v = one(p, 'compare');
  return v === COMPARE || v === '1';
}

/** A range as URL parameters (`range=` or `from=`/`to=`). */
export function rangeSearch(range: TimeRange): string {
  const q = new URLSearchParams();
  rangeParams(range, q);
  return q.toString();
}

/** How a range reads in a label: `last 30 days`, `2026-11-01 – 2026-11-15`. */
export function rangeName(range: TimeRange): string {
  return range.from ? `${range.from} – ${range.to ?? 'now'}` : range.relative ?? '';
}

export function exploreQuery(s: ExploreState): string {
  const q = new URLSearchParams();
  q.set('m', s.measures.join(','));
  if (s.by.length) q.set('by', s.by.join(','));
  rangeParams(s.range, q);
  q.set('gran', s.granularity);
  for (const f of s.filters) q.append('f', filterParam(f));
  if (s.limit !== 10) q.set('limit', String(s.limit));
  if (s.sort) q.set('sort', `${s.sort.column}:${s.sort.desc ? 'desc' : 'asc'}`);
  if (s.compare) q.set('compare', COMPARE);
  return q.toString();
}

/** The event log's URL for the events behind a segment: its filters plus the path's values. */
export function eventsHref(filters: Filter[], range: TimeRange, path: Array<{ dimension: string; value: string | null }>) {
  const q = new URLSearchParams();
  rangeParams(range, q);
  for (const f of filters) q.append('f', filterParam(f));
  for (const p of path) q.append('f', filterParam(p.value === null ? { member: p.dimension, operator: 'notSet', values: [] } : { member: p.dimension, operator: 'equals', values: [p.value] }));
  return `/events?${q}`;
}

/**
 * The events behind an `Other (N)` bucket: its parent's path, and none of the values its
 * siblings show (a shown `(none)` sibling excludes events without the field), as the API forms it.
 */
export function otherEventsHref(filters: Filter[], range: TimeRange, parentPath: Array<{ dimension: string; value: string | null }>, dimension: string, shown: Array<string | null>) {
  const present = shown.filter((v): v is string => v !== null);
  const exclude: Filter[] = [
    ...(present.length ? [{ member: dimension, operator: 'notEquals', values: present }] : []),
    ...(present.length < shown.length ? [{ member: dimension, operator: 'set', values: [] }] : []),
  ];
  return eventsHref([...filters, ...exclude], range, parentPath);
}

/** The same length of time just before a range (the period-over-period comparison). */
export function previousRange(range: TimeRange, today = new Date().toISOString().slice(0, 10)): TimeRange & { previous?: boolean } {
  if (!range.from) return { ...range, previous: true };
  const day = 86_400_000;
  const from = Date.parse(`${range.from}T00:00:00Z`);
  const to = Date.parse(`${range.to ?? today}T00:00:00Z`); // inclusive last day
  const days = Math.round((to - from) / day) + 1;
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { from: iso(from - days * day), to: iso(from - day) };
}

/** GraphQL filter arguments (set/notSet take no values). */
export function apiFilters(filters: Filter[]): Array<{ member: string; operator: FilterOperator; values?: string[] }> {
  // An operator read from the URL is any text: the API refuses one it does not know, naming the field.
  return filters.map((f) => (f.operator === 'set' || f.operator === 'notSet' ? { member: f.member, operator: f.operator } : { ...f, operator: f.operator as FilterOperator }));
}
