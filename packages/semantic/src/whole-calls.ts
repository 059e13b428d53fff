// `calls` of one work item without Cube's fan-out deduplication. Grouping or filtering
// usage_events' measures by a work item (work_item_allocations, one row per call and work item)
// makes Cube count each call once per distinct event: the distinct keys of the allocation rows
// joined back to the events, several times the cost of the allocated measures themselves.
// A call has at most one allocation row per work item (the table's primary key; a call for one
// work item or none has exactly one row), so where every row of a query is of one work item —
// grouped by work_item, or filtered to one value of it — that work item's calls are its
// allocation rows: `work_item_whole_calls` (cube/model/cubes/work_item_allocations.yml), asked
// in place of `calls` and answered under its name. Anywhere else (the total, a breakdown by
// repository over several items) a call shared by several items must still count once: the
// query is left as it is.
const CALLS = 'usage.calls';
const WHOLE_CALLS = 'usage.work_item_whole_calls';
const WORK_ITEM = 'usage.work_item';

type Filter = Record<string, any>;

/** A top-level (ANDed) filter that keeps one work item. */
function oneWorkItem(filters: Filter[]): boolean {
  return filters.some((f) =>
    Array.isArray(f.and) ? oneWorkItem(f.and) : (f.member ?? f.dimension) === WORK_ITEM && f.operator === 'equals' && f.values?.length === 1);
}

/** Whether a filter anywhere names `member` (a filter on calls keeps the query as it is). */
function names(filters: Filter[], member: string): boolean {
  return filters.some((f) => (Array.isArray(f.and) ? names(f.and, member) : Array.isArray(f.or) ? names(f.or, member) : (f.member ?? f.dimension) === member));
}

/** The normalized query with calls counted from allocation rows where that is exact (else unchanged). */
export function wholeCallsPerWorkItem(normalized: any): { query: any; rewritten: boolean } {
  const measures: string[] = normalized.measures ?? [];
  const filters: Filter[] = normalized.filters ?? [];
  if (!measures.includes(CALLS) || normalized.ungrouped || names(filters, CALLS)) return { query: normalized, rewritten: false };
  if (!(normalized.dimensions ?? []).includes(WORK_ITEM) && !oneWorkItem(filters)) return { query: normalized, rewritten: false };
  const swap = (m: unknown) => (m === CALLS ? WHOLE_CALLS : m);
  const order = Array.isArray(normalized.order)
    ? normalized.order.map((o: any) => (Array.isArray(o) ? [swap(o[0]), ...o.slice(1)] : o && typeof o === 'object' ? { ...o, id: swap(o.id) } : o))
    : normalized.order;
  return { query: { ...normalized, measures: measures.map(swap), ...(order === undefined ? {} : { order }) }, rewritten: true };
}

/** The plan's answer under the name the caller asked: `calls`. */
export function asCalls<P extends { aliasNameToMember: Record<string, string> }>(plan: P): P {
  return { ...plan, aliasNameToMember: Object.fromEntries(Object.entries(plan.aliasNameToMember).map(([a, m]) => [a, m === WHOLE_CALLS ? CALLS : m])) };
}
