// Spend of many budgets at once, read through the semantic layer. Budgets whose scopes are
// `equals` conditions on the same dimensions share queries grouped by those dimensions,
// whatever their windows: a thousand budgets cost a few queries per set of dimensions.
// A window is read in segments so that its whole days come from roll-ups (exact: the
// semantic layer reads only sealed partitions, docs/decisions/0001-read-path.md) and only
// its edges — today so far, the partial first day of a rolling window — from raw events:
// an evaluation costs the same at 10 M or 1 B events.
// A group's windows (today, this week, this month, the last 7 days, their trend lookbacks)
// share queries by day, each budget summing its own days: their recent whole days (from
// roll-ups), and their edges — today so far and the partial first days, each on a day of its
// own — as raw reads, one per run of consecutive days. A lifetime's older history is a query of its own.
// A budget's spend is the sum of its groups' and segments' exact sums (sums of disjoint
// groups add up exactly, as in the breakdown's `other` bucket).
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { cubeTime } from '@spendgraph/periods';
import { type CubeQuery, type QueryReader, type QueryResult, type SemanticLayer, rollupFloor, usageMember } from '@spendgraph/semantic';

/** What spend is read through: the layer, or a reader of one of its snapshots. */
export type SpendReader = QueryReader & Pick<SemanticLayer, 'meta'>;
import type { Budget } from './schema.ts';
import { equalsScope, scopeFilters } from './scope.ts';

export interface SpendRequest {
  budget: Budget;
  /**
   * Window start; null for a lifetime window: everything recorded, with no end either (events
   * stamped ahead of the clock count: the money was spent).
   */
  from: DateTime | null;
  /** The window ends now, at `to` (a lifetime window: its days are local to `to`'s zone). */
  to: DateTime;
}

interface Group {
  query: CubeQuery;
  /** The cost measure: allocated to work items when the scope names them (see costMember). */
  cost: string;
  dimensions: string[];
  /** Per request of the group, its window's date ranges and the values it counts for each dimension (all rows for a solo query). */
  members: Array<{ slot: number; segments: Array<[string, string]>; values: Array<Set<string>>; lifetime: boolean }>;
}

/**
 * One query of a group, by day: the span of several members' recent whole-day segments, or
 * edges (today so far, partial first days) each within a day of its own, as one filter.
 * Or one range of its own (a lifetime's history), summed whole.
 */
interface Read {
  range: [string, string];
  /** Edges read together (each on a day of its own), or undefined. */
  edges?: Array<[string, string]>;
  /** A span of whole days: counts every whole-day segment within it. */
  wholeDays?: boolean;
}

const MAX_ROWS = 50_000;
/** Dimensions a call can have several values of (its work items): their spend is the allocated cost. */
const WORK_ITEM_DIMENSIONS = new Set(['work_item', 'work_item_title', 'work_item_repository']);

/**
 * What a budget counts: cost (a budget on work items counts a call shared with other items by its
 * share, never in full for each), or a plan limit's tokens or calls.
 */
function costMember(b: Budget): string {
  if (b.unit === 'tokens') return usageMember('total_tokens');
  if (b.unit === 'calls') return usageMember('calls');
  return usageMember(b.scope.some((f) => WORK_ITEM_DIMENSIONS.has(f.member.replace(/^usage\./, ''))) ? 'work_item_total_cost' : 'total_cost');
}

/** Long before any event (the start of a lifetime window's oldest segment). */
const DAWN = '1000-01-01T00:00:00.000';
/** Long after any event (the end of a lifetime window: ingest accepts stamps up to 24 hours ahead). */
const DUSK = '2999-12-31T23:59:59.999';

/**
 * The window [from, to] as Cube date ranges (local, inclusive): whole days in the middle
 * (roll-ups can answer them), the partial first and last days apart, and for a lifetime
 * window the history before the roll-ups' floor apart and today open-ended (read raw).
 */
export function windowSegments(from: DateTime | null, to: DateTime): Array<[string, string]> {
  const today = to.startOf('day');
  const segments: Array<[string, string]> = [];
  const before = (t: DateTime) => cubeTime(t.minus({ milliseconds: 1 }));
  let days: DateTime;
  if (!from) {
    days = DateTime.fromJSDate(rollupFloor(), { zone: to.zone }).startOf('day').plus({ days: 3 }); // clear of the floor in any zone
    segments.push([DAWN, before(days)]);
  } else {
    days = from.equals(from.startOf('day')) ? from : from.startOf('day').plus({ days: 1 });
    if (days > today) return [[cubeTime(from), cubeTime(to)]]; // within one day
    if (days > from) segments.push([cubeTime(from), before(days)]);
  }
  if (days < today) segments.push([cubeTime(days), before(today)]);
  segments.push([cubeTime(today < days ? days : today), from ? cubeTime(to) : DUSK]);
  return segments;
}

/** Whole-day segments starting this many days back or later are read by day in one query. */
const BY_DAY_DAYS = 62;

function newGroup(r: SpendRequest, dimensions: string[], filters: CubeQuery['filters']): Group {
  const cost = costMember(r.budget);
  const query: CubeQuery = { measures: [cost], dimensions: dimensions.map(usageMember), timezone: r.budget.timezone, limit: MAX_ROWS };
  return { query: filters ? { ...query, filters } : query, cost, dimensions, members: [] };
}

/** Puts each request in a group: shared for `equals` scopes on the same dimensions, shared by identical scopes otherwise. */
function plan(requests: SpendRequest[]): Group[] {
  const groups = new Map<string, Group>();
  const windows = new Map<string, Array<[string, string]>>(); // a thousand budgets have a handful of windows
  requests.forEach((r, slot) => {
    const windowKey = `${r.from?.toMillis()}|${r.to.toMillis()}|${r.to.zoneName}`;
    if (!windows.has(windowKey)) windows.set(windowKey, windowSegments(r.from, r.to));
    const segments = windows.get(windowKey)!;
    const scope = equalsScope(r.budget.scope);
    if (!scope) {
      const filters = scopeFilters(r.budget); // summed by the database
      const key = JSON.stringify(['solo', r.budget.timezone, costMember(r.budget), filters]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = newGroup(r, [], filters)));
      group.members.push({ slot, segments, values: [], lifetime: r.from === null });
      return;
    }
    const dims = [...scope.keys()].sort();
    const key = JSON.stringify([r.budget.timezone, r.budget.currency, dims]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = newGroup(r, dims, undefined)));
    group.members.push({ slot, segments, values: dims.map((d) => new Set(scope.get(d)!)), lifetime: r.from === null });
  });
  for (const g of groups.values()) {
    if (g.query.filters) continue; // a solo query has its budget's filters
    g.query.filters = [
      ...g.dimensions.map((d, i) => ({ member: usageMember(d), operator: 'equals', values: [...new Set(g.members.flatMap((m) => [...m.values[i]!]))] })),
    ];
  }
  return [...groups.values()];
}

const isWholeDays = ([from, to]: [string, string]) => from.endsWith('T00:00:00.000') && to.endsWith('T23:59:59.999');
const day = (t: string) => t.slice(0, 10);
const same = (a: [string, string], b: [string, string]) => a[0] === b[0] && a[1] === b[1];

/**
 * The group's queries: its recent whole-day segments as one span read by day (unless that
 * could pass the row limit), its edges (each within one day) as reads by day, one per run of
 * consecutive days, each other segment on its own; each distinct range once.
 */
function reads(g: Group, today: string): Read[] {
  const recent = DateTime.fromISO(today).minus({ days: BY_DAY_DAYS }).toISODate()!;
  const distinct = new Map(g.members.flatMap((m) => m.segments).map((s) => [s.join('|'), s]));
  const segments = [...distinct.values()];
  const out: Read[] = [];
  const days = segments.filter((s) => isWholeDays(s) && day(s[0]) >= recent);
  const span: [string, string] | undefined = days.length ? [days.map((s) => s[0]).sort()[0]!, days.map((s) => s[1]).sort().at(-1)!] : undefined;
  const values = g.query.filters!.reduce((n, f) => n * ('values' in f ? (f.values?.length ?? 1) : 1), 1);
  const byDay = span && (DateTime.fromISO(day(span[1])).diff(DateTime.fromISO(day(span[0])), 'days').days + 1) * values < MAX_ROWS;
  if (byDay) out.push({ range: span, wholeDays: true });
  const edges = new Map<string, [string, string]>(); // by day
  for (const s of segments) {
    if (byDay && days.includes(s)) continue;
    if (day(s[0]) === day(s[1]) && !edges.has(day(s[0])) && !isWholeDays(s)) edges.set(day(s[0]), s);
    else out.push({ range: s });
  }
  for (const run of adjacentRuns([...edges.values()].sort((x, y) => x[0].localeCompare(y[0])))) {
    out.push({ range: [run[0]![0], run.at(-1)![1]], edges: run });
  }
  return out;
}

/**
 * Edges on consecutive days (yesterday's tail and today) read as one query; a lone edge a week
 * back (a rolling window's first day) as its own: the database scans a query's whole range, not
 * only its edges, so one query spanning the week would read a week of raw events.
 */
function adjacentRuns(edges: Array<[string, string]>): Array<Array<[string, string]>> {
  const runs: Array<Array<[string, string]>> = [];
  for (const e of edges) {
    const last = runs.at(-1)?.at(-1);
    const next = last && DateTime.fromISO(day(last[0])).plus({ days: 1 }).toISODate();
    if (last && day(e[0]) <= next!) runs.at(-1)!.push(e);
    else runs.push([e]);
  }
  return runs;
}

/** The member's segments a read answers; rows of a read by day count for the segment's days. */
function segmentsIn(m: Group['members'][number], read: Read): Array<[string, string]> {
  if (read.edges) return m.segments.filter((s) => read.edges!.some((e) => same(e, s)));
  if (read.wholeDays) return m.segments.filter((s) => isWholeDays(s) && s[0] >= read.range[0] && s[1] <= read.range[1]);
  return m.segments.filter((s) => same(s, read.range));
}

function query(g: Group, read: Read): CubeQuery {
  const occurredAt = usageMember('occurred_at');
  const byDay = read.edges || read.wholeDays;
  const q: CubeQuery = { ...g.query, timeDimensions: [{ dimension: occurredAt, dateRange: read.range, ...(byDay ? { granularity: 'day' } : {}) }] };
  if (read.edges && read.edges.length > 1) {
    q.filters = [...q.filters!, { or: read.edges.map((e) => ({ member: occurredAt, operator: 'inDateRange', values: [...e] })) }];
  }
  return q;
}

/** A read's costs by the values of the group's dimensions (as JSON), with the row's day when read by day. */
type Costs = Map<string, Array<{ day: string | undefined; cost: string }>>;

function costsOf(rows: QueryResult['data'], g: Group, byDay: boolean): Costs {
  const costs: Costs = new Map();
  for (const row of rows) {
    const cost = row[g.cost] as string | null;
    if (cost === null) continue;
    const key = JSON.stringify(g.dimensions.map((d) => row[usageMember(d)]));
    if (!costs.has(key)) costs.set(key, []);
    costs.get(key)!.push({ day: byDay ? day(String(row[usageMember('occurred_at.day')])) : undefined, cost });
  }
  return costs;
}

/** Every combination of a member's values, as the keys of costsOf (one for most budgets). */
function keysOf(values: Array<Set<string>>): string[] {
  const combos = values.reduce<string[][]>((acc, set) => acc.flatMap((c) => [...set].map((v) => [...c, v])), [[]]);
  return combos.map((c) => JSON.stringify(c));
}

/** The member's spend in a read: all its rows, or those of the segment's days when read by day. */
function spendOf(costs: Costs, keys: string[], days?: [string, string]): Decimal {
  let total = new Decimal(0);
  for (const key of keys) {
    for (const { day: d, cost } of costs.get(key) ?? []) {
      if (days && (d! < day(days[0]) || d! > day(days[1]))) continue;
      total = total.plus(cost);
    }
  }
  return total;
}

const HISTORY = 'usage_history';
const inHistory = (name: string) => name.replace(/^usage\./, `${HISTORY}.`);

/**
 * A lifetime window also counts the days retention archived (raw events gone, daily
 * aggregates kept in `usage_history`): a guardrail never forgets money spent. Undefined
 * where the archive cannot answer the scope (work-item shares, members it does not keep).
 */
function archivedQuery(semantic: SpendReader, g: Group): CubeQuery | undefined {
  if (!g.members.some((m) => m.lifetime) || g.cost !== usageMember('total_cost')) return undefined;
  const history = semantic.meta().views.find((v) => v.name === HISTORY);
  const kept = new Set(history?.dimensions.map((d) => d.name));
  const members = [...(g.query.dimensions ?? []), ...(g.query.filters ?? []).map((f) => ('member' in f ? f.member : '') as string)];
  if (!members.every((m) => kept.has(inHistory(m)))) return undefined;
  return {
    measures: [inHistory(g.cost)],
    dimensions: (g.query.dimensions ?? []).map(inHistory),
    filters: [
      ...(g.query.filters ?? []).map((f) => ({ ...f, member: inHistory((f as { member: string }).member) })),
      { member: `${HISTORY}.archived`, operator: 'equals', values: ['true'] },
    ],
    limit: MAX_ROWS,
  } as CubeQuery;
}

/** Rows of a usage_history query named as the `usage` view's. */
const asUsageRows = (rows: QueryResult['data']) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(`${HISTORY}.`, 'usage.'), v])));

function checkedRows(data: QueryResult['data']): QueryResult['data'] {
  if (data.length >= MAX_ROWS) throw new Error(`budget spend query returned ${MAX_ROWS} rows or more; refusing a partial answer`);
  return data;
}

/** Spend of each request (same order), exact decimals; 0 where nothing was spent. */
export async function readSpend(semantic: SpendReader, workspaceId: string, requests: SpendRequest[]): Promise<Decimal[]> {
  const spends = requests.map(() => new Decimal(0));
  await Promise.all(
    plan(requests).flatMap((g) => {
      const ends = g.members.flatMap((m) => m.segments).map((s) => s[1]).filter((t) => t !== DUSK);
      const today = day(ends.sort().at(-1) ?? g.members[0]!.segments.at(-1)![0]);
      const loads = reads(g, today).map(async (read) => {
        // A range open into the future is raw events only: roll-ups are built up to a day ahead. Edges
        // (partial days) are raw events anyway; asked as such, their plan is reused as `now` moves on.
        const fresh = read.range[1] === DUSK || Boolean(read.edges);
        const { data } = await semantic.load(query(g, read), { workspaceId }, { fresh });
        const byDay = Boolean(read.edges || read.wholeDays);
        const costs = costsOf(checkedRows(data), g, byDay);
        for (const m of g.members) {
          const keys = keysOf(m.values);
          for (const s of segmentsIn(m, read)) spends[m.slot] = spends[m.slot]!.plus(spendOf(costs, keys, byDay ? s : undefined));
        }
      });
      const archived = archivedQuery(semantic, g);
      if (archived) {
        loads.push(semantic.load(archived, { workspaceId }).then(({ data }) => {
          const costs = costsOf(asUsageRows(checkedRows(data)), g, false);
          for (const m of g.members.filter((x) => x.lifetime)) spends[m.slot] = spends[m.slot]!.plus(spendOf(costs, keysOf(m.values)));
        }));
      }
      return loads;
    }),
  );
  return spends;
}
