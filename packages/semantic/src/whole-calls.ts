// `calls` of one work item without Cube's fan-out deduplication. Grouping or filtering
// usage_events' measures by a work item (work_item_allocations, one row per call and work item)
// makes Cube count each call once per distinct event: the distinct keys of the allocation rows
// joined back to the events, several times the cost of the allocated measures themselves.
// A call has at most one allocation row per work item (the table's primary key; a call for one
// work item or none has exactly one row), so where every row of a query is of one work item —
// grouped by work_item, or filtered to one value of it — that work item's calls are its
// allocation rows: `work_item_whole_calls` (cube/model/cubes/work_item_allocations.yml), asked
// in place of `calls` and answered under its name. Anywhere else (the total, a breakdown by
// repository over several items) a call shared by several items must still count once.
//
// And where no row is split by work item — no work item member (`usage.work_item*` dimensions)
// among the query's dimensions, filters or segments, yet an allocated measure joins the allocation
// rows — a call's rows all fall in one group and their shares add up to exactly 1: `calls` is
// the sum of the shares (`work_item_call_shares`). Both are additive, so the work item roll-ups
// (daily_by_work_item in cube/model/cubes/usage_events.yml) answer them.
import { filtersName, keepsOneValue } from './filter-members.ts';

const CALLS = 'usage.calls';
const WHOLE_CALLS = 'usage.work_item_whole_calls';
const CALL_SHARES = 'usage.work_item_call_shares';
const WORK_ITEM = 'usage.work_item';
/** The allocated measures (work_item_allocations through the view) and the work item side's dimensions. */
const WORK_ITEM_SIDE = /^usage\.work_item/;

type Filter = Record<string, any>;

/** What counts `calls` exactly from allocation rows in this query: whole rows, shares, or nothing (undefined). */
function callsMeasure(normalized: any): string | undefined {
  const measures: string[] = normalized.measures ?? [];
  const filters: Filter[] = normalized.filters ?? [];
  if (!measures.includes(CALLS) || normalized.ungrouped || filtersName(filters, (m) => m === CALLS)) return undefined;
  const dimensions: string[] = normalized.dimensions ?? [];
  if (dimensions.includes(WORK_ITEM) || keepsOneValue(filters, WORK_ITEM)) return WHOLE_CALLS;
  const split = [...dimensions, ...(normalized.segments ?? []), ...(normalized.timeDimensions ?? []).map((td: any) => td.dimension)].some((m) => WORK_ITEM_SIDE.test(m));
  if (split || filtersName(filters, (m) => WORK_ITEM_SIDE.test(m)) || !measures.some((m) => m !== CALLS && WORK_ITEM_SIDE.test(m))) return undefined;
  return CALL_SHARES;
}

/** The normalized query with calls counted from allocation rows where that is exact (else unchanged). */
export function wholeCallsPerWorkItem(normalized: any): { query: any; rewritten: boolean } {
  const counted = callsMeasure(normalized);
  if (!counted || (normalized.measures ?? []).includes(counted)) return { query: normalized, rewritten: false };
  const measures: string[] = normalized.measures;
  const swap = (m: unknown) => (m === CALLS ? counted : m);
  const order = Array.isArray(normalized.order)
    ? normalized.order.map((o: any) => (Array.isArray(o) ? [swap(o[0]), ...o.slice(1)] : o && typeof o === 'object' ? { ...o, id: swap(o.id) } : o))
    : normalized.order;
  return { query: { ...normalized, measures: measures.map(swap), ...(order === undefined ? {} : { order }) }, rewritten: true };
}

/** The plan's answer under the name the caller asked: `calls`. */
export function asCalls<P extends { aliasNameToMember: Record<string, string> }>(plan: P): P {
  return {
    ...plan,
    aliasNameToMember: Object.fromEntries(Object.entries(plan.aliasNameToMember).map(([a, m]) => [a, m === WHOLE_CALLS || m === CALL_SHARES ? CALLS : m])),
  };
}

/** `calls` as the whole number it is: a sum of shares reads `12.000` where the count reads `12`. */
export function callsValue<T>(member: string, value: T): T {
  return member === CALLS && typeof value === 'string' ? (value.replace(/^(-?\d+)\.0*$/, '$1') as T) : value;
}
