// Any explorer view segmented by workspace across the organization (issue 24): the breakdown or
// timeseries of each workspace the caller may read (authz.ts, organizationReach, decides which;
// the semantic layer's scope stays one workspace), put under one workspace level. The only
// arithmetic is the exact sum of disjoint workspaces' additive measures at the root; the root's
// non-additive measures (averages, rates, distinct counts) cannot be derived from the parts and are null.
import { Decimal } from 'decimal.js';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import type { ReachedWorkspace } from '../authz.ts';
import { type BreakdownArgs, type BreakdownNode, breakdown } from './breakdown.ts';
import { argumentError } from './errors.ts';
import { QueryArgs } from './query-args.ts';
import { type TimeseriesArgs, timeseries } from './timeseries.ts';

/** The dimension name of the workspace level (not a member of the model: the layer never sees it). */
export const WORKSPACE_DIMENSION = 'workspace';

type Value = string | null;
const ctxOf = (ws: ReachedWorkspace, restriction: SemanticContext['restriction']): SemanticContext => ({ workspaceId: ws.id, restriction });

/** A workspace's tree as a child of the organization's root: its path starts with the workspace. */
function underWorkspace(node: BreakdownNode, ws: ReachedWorkspace): BreakdownNode {
  const step = { dimension: WORKSPACE_DIMENSION, value: ws.slug };
  const prefix = (n: BreakdownNode): BreakdownNode => ({ ...n, path: [step, ...n.path], children: n.children.map(prefix) });
  const { period: _period, ...own } = node;
  return { ...prefix(own), dimension: WORKSPACE_DIMENSION, value: ws.slug, label: ws.name, path: [step] };
}

const share = (part: Value, whole: Value) => (part === null || whole === null || new Decimal(whole).isZero() ? null : new Decimal(part).div(whole).toNumber());
const sum = (values: Value[]) => {
  const present = values.filter((v): v is string => v !== null);
  return present.length ? Decimal.sum(...present).toFixed() : null;
};

/**
 * The workspaces a segmented query reads: those named (slugs or ids), each of which must be
 * reached; none named (an empty list): every one reached. A refusal names the field.
 */
export function segmentWorkspaces(reached: readonly ReachedWorkspace[], named: readonly string[], field = 'workspaces'): ReachedWorkspace[] {
  if (!named.length) return [...reached];
  return [...new Set(named)].map((n, i) => reached.find((w) => w.slug === n || w.id === n) ?? (() => {
    // Not FORBIDDEN (the permission layer's answer): whether it exists elsewhere is not said.
    throw argumentError('INVALID_ARGUMENT', `${field}[${i}]`, `'${n}' is not a workspace of your organization you may read`);
  })());
}

/** The breakdown with a workspace level on top: one child per workspace, highest sort measure first. */
export async function breakdownAcross(semantic: SemanticLayer, workspaces: readonly ReachedWorkspace[], restriction: SemanticContext['restriction'], args: BreakdownArgs): Promise<BreakdownNode> {
  const q = new QueryArgs(semantic);
  const measures = q.members(args.measures, args.by).measures;
  const trees = await Promise.all(workspaces.map(async (ws) => ({ ws, tree: await breakdown(semantic, ctxOf(ws, restriction), args) })));
  const valueOf = (n: BreakdownNode, m: string) => n.measures.find((x) => x.measure === m)?.value ?? null;
  const names = trees[0]?.tree.measures.map((m) => m.measure) ?? [];
  const additive = new Set(measures.filter((m) => m.additive === true).map((m) => names[measures.indexOf(m)]));
  const rootValues = new Map(names.map((m) => [m, additive.has(m) ? sum(trees.map((t) => valueOf(t.tree, m))) : null]));
  const sortBy = names[Math.max(0, args.sort ? args.measures.indexOf(args.sort.measure) : 0)] ?? names[0];
  const sign = args.sort?.direction === 'ASC' ? 1 : -1;
  const children = trees.map(({ ws, tree }) => {
    const node = underWorkspace(tree, ws);
    return { ...node, measures: node.measures.map((m) => ({ ...m, share: additive.has(m.measure) ? share(m.value, rootValues.get(m.measure) ?? null) : null })) };
  }).sort((x, y) => {
    const [a, b] = [valueOf(x, sortBy!), valueOf(y, sortBy!)];
    if (a === null || b === null) return a === b ? x.label.localeCompare(y.label) : a === null ? 1 : -1;
    return sign * new Decimal(a).comparedTo(b) || x.label.localeCompare(y.label);
  });
  return {
    dimension: null, value: null, label: 'Total', other: false, otherCount: null, path: [],
    measures: names.map((m) => ({ measure: m, value: rootValues.get(m) ?? null, share: null })),
    children,
    period: trees[0]?.tree.period ?? null,
  };
}

/** The timeseries of each workspace, each series keyed by its workspace first. */
export async function timeseriesAcross(semantic: SemanticLayer, workspaces: readonly ReachedWorkspace[], restriction: SemanticContext['restriction'], args: TimeseriesArgs) {
  const per = await Promise.all(workspaces.map(async (ws) => ({ ws, ts: await timeseries(semantic, ctxOf(ws, restriction), args) })));
  return {
    granularity: args.granularity,
    period: per[0]?.ts.period ?? null,
    series: per.flatMap(({ ws, ts }) => ts.series.map((s) => ({
      ...s,
      key: [{ dimension: WORKSPACE_DIMENSION, value: ws.slug }, ...s.key],
      label: s.key.length ? `${ws.name} / ${s.label}` : ws.name,
    }))),
  };
}
