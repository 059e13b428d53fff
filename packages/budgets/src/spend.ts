// Spend of many budgets at once, read through the semantic layer from raw events
// (roll-ups lag; a guardrail must see the last batch). Budgets whose scopes are
// `equals` conditions on the same dimensions, over the same window, share one
// query grouped by those dimensions: a thousand user budgets cost one query.
// A budget's spend is the sum of its groups' exact sums (sums of disjoint groups
// add up exactly, as in the breakdown's `other` bucket).
import { Decimal } from 'decimal.js';
import type { DateTime } from 'luxon';
import type { CubeQuery, QueryResult, SemanticLayer } from '@spendgraph/semantic';
import { cubeTime } from './period.ts';
import type { Budget } from './schema.ts';
import { equalsScope, member, scopeFilters } from './scope.ts';

export interface SpendRequest {
  budget: Budget;
  /** Window start (null: since the beginning); the window ends at `to`. */
  from: DateTime | null;
  to: DateTime;
}

interface Group {
  query: CubeQuery;
  /** The cost measure: allocated to work items when the scope names them (see costMember). */
  cost: string;
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

function newGroup(r: SpendRequest, dimensions: string[], filters: CubeQuery['filters']): Group {
  const timeDimensions = r.from ? [{ dimension: member('occurred_at'), dateRange: [cubeTime(r.from), cubeTime(r.to)] as [string, string] }] : [];
  const cost = costMember(r.budget);
  const query: CubeQuery = { measures: [cost], dimensions: dimensions.map(member), timeDimensions, timezone: r.budget.timezone, limit: MAX_ROWS };
  return { query: filters ? { ...query, filters } : query, cost, dimensions, members: [] };
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

/** Spend of each request (same order), exact decimals; 0 where nothing was spent. */
export async function readSpend(semantic: SemanticLayer, workspaceId: string, requests: SpendRequest[]): Promise<Decimal[]> {
  const spends = new Array<Decimal>(requests.length);
  await Promise.all(
    plan(requests).map(async (g) => {
      const { data } = await semantic.load(g.query, { workspaceId }, { fresh: true });
      if (data.length >= MAX_ROWS) throw new Error(`budget spend query returned ${MAX_ROWS} rows or more; refusing a partial answer`);
      for (const m of g.members) spends[m.slot] = spendOf(data, g, m.values);
    }),
  );
  return spends;
}
