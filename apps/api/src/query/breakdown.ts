// The breakdown tree: one semantic query per level (plus one per level for the
// non-additive measures of the `other` buckets), never a roll-up of our own. All of them read
// one snapshot (semantic.snapshot), so children add up to their parent exactly even while
// events arrive between the levels.
import { Decimal } from 'decimal.js';
import { periodJson } from '@spendgraph/periods';
import type { CubeQuery, MemberMeta, QueryResult, SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { argumentError, semanticCall } from './errors.ts';
import {
  type ArgumentNames, type FilterArg, GRAPHQL_ARGUMENTS, MAX_ROWS, QueryArgs, type TimeRangeArg, checkTimezone, equalsFilter, notInFilter, qualify, shortName,
} from './query-args.ts';
import { LIMITS, checkNumber } from '../query-limits.ts';

export interface BreakdownArgs {
  measures: string[];
  by: string[];
  filters?: FilterArg[] | null;
  timeRange?: TimeRangeArg | null;
  timezone?: string | null;
  sort?: { measure: string; direction?: 'ASC' | 'DESC' | null } | null;
  limit?: number | null;
  /** What the caller's transport calls its arguments (GraphQL's paths when absent). */
  names?: ArgumentNames;
}

type Value = string | null;
interface PathValue { dimension: string; value: Value }

export interface BreakdownNode {
  dimension: string | null;
  value: Value;
  label: string;
  other: boolean;
  otherCount: number | null;
  path: PathValue[];
  measures: Array<{ measure: string; value: Value; share: number | null }>;
  children: BreakdownNode[];
  /** The root only: the period answered, with whether it is partial. */
  period?: ReturnType<typeof periodJson> | null;
}

/** A node while the tree is built: values keyed by member. */
interface Draft {
  dimension: string | null;
  value: Value;
  other: boolean;
  otherCount: number | null;
  path: PathValue[];
  values: Map<string, Value>;
  children: Draft[];
}

type Row = QueryResult['data'][number];
/** Terms (parents × depth) of the filter that narrows a level to the parents kept above it. */
const MAX_PATH_TERMS = 200;

export async function breakdown(semantic: SemanticLayer, ctx: SemanticContext, args: BreakdownArgs): Promise<BreakdownNode> {
  const q = new QueryArgs(semantic);
  if (!args.measures.length) throw argumentError('INVALID_ARGUMENT', 'measures', 'name at least one measure');
  const { measures, dimensions: dims } = q.members(args.measures, args.by);
  if (new Set(dims).size !== dims.length) throw argumentError('INVALID_ARGUMENT', 'by', 'a dimension appears twice');
  const timezone = args.timezone ?? 'UTC';
  checkTimezone(timezone);
  const sortBy = qualify(args.sort?.measure ?? measures[0]!.name);
  const argNames = args.names ?? GRAPHQL_ARGUMENTS;
  if (!measures.some((m) => m.name === sortBy)) throw argumentError('INVALID_ARGUMENT', argNames.sortMeasure, 'must be one of the measures');
  const limit = args.limit ?? null;
  checkNumber('limit', limit, 1, LIMITS.limit);

  const base = { filters: q.filters(args.filters), timeDimensions: q.timeRange(args.timeRange, argNames.timeRange, timezone), timezone };
  const names = measures.map((m) => m.name);
  // Over a dimension that fans out (work items), only allocated measures add up: the others are
  // asked for every node, the `other` bucket included.
  const atLevel = (dim: string) => measures.map((m) => ({ ...m, additive: m.additive === true && (m.allocated === true || !q.fansOut(dim)) }));
  const direction = args.sort?.direction ?? 'DESC';

  const root = await semantic.snapshot((reader) => {
    const load = (query: CubeQuery) => semanticCall(q.origins, () => reader.load({ ...base, ...query, filters: [...base.filters, ...(query.filters ?? [])] }, ctx));
    return tree(load, { dims, names, atLevel, sortBy, direction, limit });
  });
  return { ...present(root, null, atLevel), period: q.period && periodJson(q.period) };
}

interface TreeShape {
  dims: string[];
  names: string[];
  atLevel: (dim: string) => MemberMeta[];
  sortBy: string;
  direction: 'ASC' | 'DESC';
  limit: number | null;
}

/** Builds the tree level by level with `load` (every load in one snapshot). */
async function tree(load: (query: CubeQuery) => Promise<QueryResult>, { dims, names, atLevel, sortBy, direction, limit }: TreeShape): Promise<Draft> {
  const [totals] = (await load({ measures: names })).data;
  const root: Draft = { dimension: null, value: null, other: false, otherCount: null, path: [], values: valuesOf(totals, names), children: [] };

  let level = [root];
  for (let i = 0; i < dims.length; i++) {
    const parents = level.filter((n) => !n.other);
    if (!parents.length) break;
    const dim = dims[i]!;
    const levelMeasures = atLevel(dim);
    const nonAdditive = levelMeasures.filter((m) => !m.additive).map((m) => m.name);
    // Narrowing to the kept parents pays while its filter is small; past that, every group is read
    // (within MAX_ROWS) and the rows of parents not kept are ignored below: Cube plans a filter of
    // thousands of terms slowly, on the event loop every other request shares.
    const narrow = parents.length * i <= MAX_PATH_TERMS;
    const { data } = await load({ measures: names, dimensions: dims.slice(0, i + 1), filters: narrow ? pathFilter(parents, i) : [], limit: MAX_ROWS });
    if (data.length >= MAX_ROWS) {
      throw argumentError('TOO_MANY_GROUPS', `by[${i}]`, `more than ${MAX_ROWS} groups at this level; add filters or a shorter time range`);
    }
    const byParent = groupBy(data, (r) => keyOf(dims.slice(0, i).map((d) => cell(r, d))));
    const order = rowOrder(sortBy, direction, dim);
    const others: Array<{ parent: Draft; other: Draft; kept: Value[] }> = [];
    for (const parent of parents) {
      const rows = (byParent.get(keyOf(parent.path.map((p) => p.value))) ?? []).sort(order);
      const kept = limit === null ? rows : rows.slice(0, limit);
      parent.children = kept.map((r) => ({
        dimension: dim, value: cell(r, dim), other: false, otherCount: null,
        path: [...parent.path, { dimension: dim, value: cell(r, dim) }], values: valuesOf(r, names), children: [],
      }));
      if (rows.length > kept.length) {
        const other = otherBucket(parent, dim, kept, rows.slice(kept.length), levelMeasures);
        parent.children.push(other);
        others.push({ parent, other, kept: kept.map((r) => cell(r, dim)) });
      }
    }
    if (others.length && nonAdditive.length) {
      // Averages, rates and distinct counts of the rest cannot be derived from the parts: ask for them.
      const { data: otherRows } = await load({
        measures: nonAdditive,
        dimensions: dims.slice(0, i),
        filters: [{ or: others.map(({ parent, kept }) => ({ and: [...pathEquals(parent), notInFilter(dim, kept)] })) }],
        limit: MAX_ROWS,
      });
      const byKey = new Map(otherRows.map((r) => [keyOf(dims.slice(0, i).map((d) => cell(r, d))), r]));
      for (const { parent, other } of others) {
        const r = byKey.get(keyOf(parent.path.map((p) => p.value)));
        for (const m of nonAdditive) other.values.set(m, r ? cell(r, m) : null);
      }
    }
    level = parents.flatMap((p) => p.children);
  }
  return root;
}

function cell(row: Row | undefined, member: string): Value {
  const v = row?.[member];
  return v === null || v === undefined ? null : String(v);
}

function valuesOf(row: Row | undefined, members: string[]) {
  return new Map(members.map((m) => [m, cell(row, m)]));
}

const keyOf = (values: Value[]) => JSON.stringify(values);

function groupBy<T>(items: T[], key: (t: T) => string) {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** By the sort measure (missing values last), then by the dimension's value so ties keep a stable order. */
function rowOrder(measure: string, direction: 'ASC' | 'DESC', dim: string) {
  const sign = direction === 'ASC' ? 1 : -1;
  const byValue = (a: Row, b: Row) => (cell(a, dim) ?? '').localeCompare(cell(b, dim) ?? '');
  return (a: Row, b: Row) => {
    const x = cell(a, measure);
    const y = cell(b, measure);
    if (x === null || y === null) return x === y ? byValue(a, b) : x === null ? 1 : -1;
    return sign * compareValues(x, y) || byValue(a, b);
  };
}

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** Numbers exactly (decimal strings); times (`last_event_at`, ISO readings) in their order as text. */
function compareValues(x: string, y: string): number {
  return NUMBER.test(x) && NUMBER.test(y) ? new Decimal(x).comparedTo(y) : x.localeCompare(y);
}

function pathEquals(node: Draft) {
  return node.path.map((p) => equalsFilter(p.dimension, p.value));
}

/** Restricts a level's query to the children of the parents kept at the level above. */
function pathFilter(parents: Draft[], depth: number): NonNullable<CubeQuery['filters']> {
  if (depth === 0) return [];
  return [{ or: parents.map((p) => ({ and: pathEquals(p) })) }];
}

/**
 * The children beyond the top N: additive measures are the parent minus the kept children, exactly,
 * and null when none of the rest has a value (the cost of only unpriced calls is unknown, not 0).
 */
function otherBucket(parent: Draft, dim: string, kept: Row[], rest: Row[], measures: MemberMeta[]): Draft {
  const values = new Map<string, Value>();
  for (const m of measures) {
    if (!m.additive) continue;
    const whole = parent.values.get(m.name);
    values.set(m.name, whole === null || whole === undefined || rest.every((r) => cell(r, m.name) === null)
      ? null
      : kept.reduce((sum, r) => sum.minus(cell(r, m.name) ?? 0), new Decimal(whole)).toFixed());
  }
  return { dimension: dim, value: null, other: true, otherCount: rest.length, path: [...parent.path, { dimension: dim, value: null }], values, children: [] };
}

function present(node: Draft, parent: Draft | null, atLevel: (dim: string) => MemberMeta[]): BreakdownNode {
  const measures = atLevel(node.dimension ?? '');
  return {
    dimension: node.dimension && shortName(node.dimension),
    value: node.value,
    label: node.other ? `Other (${node.otherCount})` : node.dimension === null ? 'Total' : node.value ?? '(none)',
    other: node.other,
    otherCount: node.otherCount,
    path: node.path.map((p) => ({ dimension: shortName(p.dimension), value: p.value })),
    measures: measures.map((m) => {
      const value = node.values.get(m.name) ?? null;
      return { measure: shortName(m.name), value, share: parent && m.additive ? share(value, parent.values.get(m.name) ?? null) : null };
    }),
    children: node.children.map((c) => present(c, node, atLevel)),
  };
}

function share(part: Value, whole: Value): number | null {
  if (part === null || whole === null || new Decimal(whole).isZero()) return null;
  return new Decimal(part).dividedBy(whole).toNumber();
}
