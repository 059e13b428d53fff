// Spend of many budgets at once, read through the semantic layer. Budgets whose scopes are
// `equals` conditions on the same dimensions, over the same window, share one query grouped
// by those dimensions: a thousand user budgets cost one query per window segment.
// A window is read in segments so that its whole days come from roll-ups (exact: the
// semantic layer reads only sealed partitions, docs/decisions/0001-read-path.md) and only
// its edges — today so far, the partial first day of a rolling window — from raw events:
// an evaluation costs the same at 10 M or 1 B events.
// A budget's spend is the sum of its groups' and segments' exact sums (sums of disjoint
// groups add up exactly, as in the breakdown's `other` bucket).
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { type CubeQuery, type QueryResult, type SemanticLayer, rollupFloor } from '@spendgraph/semantic';
import { cubeTime } from './period.ts';
import type { Budget } from './schema.ts';
import { equalsScope, member, scopeFilters } from './scope.ts';

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
  /** A lifetime window: the archived days count too. */
  lifetime: boolean;
  /** The window's date ranges, read one query each. */
  segments: Array<[string, string]>;
  dimensions: string[];
  /** Per request of the group, the values it counts for each dimension (all rows for a solo query). */
  members: Array<{ slot: number; values: Array<Set<string>> }>;
}

const MAX_ROWS = 50_000;
/** Dimensions a call can have several values of (its work items): their spend is the allocated cost. */
const WORK_ITEM_DIMENSIONS = new Set(['work_item', 'work_item_title', 'work_item_repository']);

/** A budget on work items counts a call shared with other items by its share, never in full for each. */
function costMember(b: Budget): string {
  return member(b.scope.some((f) => WORK_ITEM_DIMENSIONS.has(f.member.replace(/^usage\./, ''))) ? 'work_item_total_cost' : 'total_cost');
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

function newGroup(r: SpendRequest, dimensions: string[], filters: CubeQuery['filters']): Group {
  const cost = costMember(r.budget);
  const query: CubeQuery = { measures: [cost], dimensions: dimensions.map(member), timezone: r.budget.timezone, limit: MAX_ROWS };
  return { query: filters ? { ...query, filters } : query, cost, lifetime: r.from === null, segments: windowSegments(r.from, r.to), dimensions, members: [] };
}

/** Puts each request in a group: shared for `equals` scopes, its own for scopes that exclude values. */
function plan(requests: SpendRequest[]): Group[] {
  const groups = new Map<string, Group>();
  requests.forEach((r, slot) => {
    const scope = equalsScope(r.budget.scope);
    if (!scope) {
      const group = newGroup(r, [], scopeFilters(r.budget)); // summed by the database
      groups.set(`solo:${slot}`, group);
      group.members.push({ slot, values: [] });
      return;
    }
    const dims = [...scope.keys()].sort();
    const key = JSON.stringify([r.budget.timezone, r.budget.currency, r.from?.toMillis() ?? null, r.to.toMillis(), dims]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = newGroup(r, dims, undefined)));
    group.members.push({ slot, values: dims.map((d) => new Set(scope.get(d)!)) });
  });
  for (const g of groups.values()) {
    if (g.query.filters) continue; // a solo query has its budget's filters
    const currency = requests[g.members[0]!.slot]!.budget.currency;
    g.query.filters = [
      { member: member('currency'), operator: 'equals', values: [currency] },
      ...g.dimensions.map((d, i) => ({ member: member(d), operator: 'equals', values: [...new Set(g.members.flatMap((m) => [...m.values[i]!]))] })),
    ];
  }
  return [...groups.values()];
}

function spendOf(rows: QueryResult['data'], g: Group, values: Array<Set<string>>): Decimal {
  let total = new Decimal(0);
  for (const row of rows) {
    if (g.dimensions.every((d, i) => values[i]!.has(row[member(d)] as string))) total = total.plus((row[g.cost] as string | null) ?? 0);
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
function archivedQuery(semantic: SemanticLayer, g: Group): CubeQuery | undefined {
  if (!g.lifetime || g.cost !== member('total_cost')) return undefined;
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

/** Spend of each request (same order), exact decimals; 0 where nothing was spent. */
export async function readSpend(semantic: SemanticLayer, workspaceId: string, requests: SpendRequest[]): Promise<Decimal[]> {
  const spends = new Array<Decimal>(requests.length);
  for (let i = 0; i < requests.length; i++) spends[i] = new Decimal(0);
  const add = (g: Group, data: QueryResult['data']) => {
    if (data.length >= MAX_ROWS) throw new Error(`budget spend query returned ${MAX_ROWS} rows or more; refusing a partial answer`);
    for (const m of g.members) spends[m.slot] = spends[m.slot]!.plus(spendOf(data, g, m.values));
  };
  await Promise.all(
    plan(requests).flatMap((g) => {
      const reads = g.segments.map(async (dateRange) => {
        const query = { ...g.query, timeDimensions: [{ dimension: member('occurred_at'), dateRange }] };
        // A range open into the future is raw events only: roll-ups are built up to a day ahead.
        add(g, (await semantic.load(query, { workspaceId }, { fresh: dateRange[1] === DUSK })).data);
      });
      const archived = archivedQuery(semantic, g);
      if (archived) reads.push(semantic.load(archived, { workspaceId }).then(({ data }) => add(g, asUsageRows(data))));
      return reads;
    }),
  );
  return spends;
}
