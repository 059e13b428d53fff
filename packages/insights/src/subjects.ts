// The figures of every session (or task) of a window, read through the semantic
// layer: one query grouped by subject, agent, model and the peer dimensions;
// the per-subject metrics anomaly causes are judged on are derived here.
import { Decimal } from 'decimal.js';
import type { AnomalyKind } from '@spendgraph/db';
import { type CubeQuery, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { median } from './stats.ts';
import { type Window, cubeRange } from './window.ts';

const MAX_ROWS = 50_000;

export const SUBJECT_DIMENSION: Record<AnomalyKind, string> = { session: 'session_id', task: 'task_id' };

export interface Scan {
  workspaceId: string;
  window: Window;
  timezone: string;
  currency: string;
}

export interface Subject {
  id: string;
  cost: Decimal;
  calls: Decimal;
  /** Prompt tokens: uncached input, cache reads and cache writes. */
  contextTokens: Decimal;
  cacheReadTokens: Decimal;
  errorCalls: Decimal;
  /** Calls of agents other than the main agent, plus the main agent's calls tagged subagent = true. */
  subagentCalls: Decimal;
  /** Distinct agents other than the main agent. */
  subagents: string[];
  /** Cost per model. */
  modelCost: Map<string, Decimal>;
  /** The subject's value of each peer dimension: the one with the most calls (agent: its main agent). */
  peerValues: Map<string, string>;
}

const MEASURES = ['total_cost', 'calls', 'input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
  'error_calls', 'subagent_tagged_calls'] as const;

type Row = Record<string, string | number | boolean | null>;
const dec = (v: unknown) => new Decimal((v as string | null) ?? 0);

function baseQuery(s: Scan, dimensions: string[], measures: readonly string[], filters: NonNullable<CubeQuery['filters']>): CubeQuery {
  return {
    measures: measures.map(usageMember),
    dimensions: dimensions.map(usageMember),
    timeDimensions: [{ dimension: usageMember('occurred_at'), dateRange: cubeRange(s.window) }],
    filters: [{ member: usageMember('currency'), operator: 'equals', values: [s.currency] }, ...filters],
    timezone: s.timezone,
    limit: MAX_ROWS,
  };
}

async function load(semantic: SemanticLayer, workspaceId: string, query: CubeQuery): Promise<Row[]> {
  // Raw events: the job must judge what has been stored, not a roll-up that lags it.
  const { data } = await semantic.load(query, { workspaceId }, { fresh: true });
  if (data.length >= MAX_ROWS) throw new Error(`insights query returned ${MAX_ROWS} rows or more; refusing a partial answer`);
  return data;
}

/** Models whose cost per 1k tokens (the model's measure) is above the median model's in this window. */
export async function expensiveModels(semantic: SemanticLayer, s: Scan): Promise<{ models: Set<string>; costPer1k: Map<string, Decimal> }> {
  const rows = await load(semantic, s.workspaceId, baseQuery(s, ['model'], ['cost_per_1k_tokens'], [{ member: usageMember('model'), operator: 'set' }]));
  const costPer1k = new Map<string, Decimal>();
  for (const r of rows) if (r[usageMember('cost_per_1k_tokens')] !== null) costPer1k.set(r[usageMember('model')] as string, dec(r[usageMember('cost_per_1k_tokens')]));
  const mid = median([...costPer1k.values()]);
  return { models: new Set([...costPer1k].filter(([, c]) => c.gt(mid)).map(([m]) => m)), costPer1k };
}

/** Tallies per value, to pick the one with the most calls (then the most cost, then the name). */
class Tally {
  private readonly by = new Map<string, { calls: Decimal; cost: Decimal }>();
  add(value: string | null, calls: Decimal, cost: Decimal) {
    if (value === null) return;
    const t = this.by.get(value) ?? { calls: new Decimal(0), cost: new Decimal(0) };
    this.by.set(value, { calls: t.calls.plus(calls), cost: t.cost.plus(cost) });
  }
  top(): string | undefined {
    return [...this.by].sort(([a, x], [b, y]) => y.calls.comparedTo(x.calls) || y.cost.comparedTo(x.cost) || a.localeCompare(b))[0]?.[0];
  }
  get(value: string) {
    return this.by.get(value);
  }
  keys() {
    return [...this.by.keys()];
  }
}

interface Acc {
  rows: Row[];
  agents: Tally;
  tallies: Map<string, Tally>;
}

export async function readSubjects(semantic: SemanticLayer, s: Scan, kind: AnomalyKind, peerDimensions: string[]): Promise<Subject[]> {
  const subject = SUBJECT_DIMENSION[kind];
  const peerDims = peerDimensions.filter((d) => d !== subject);
  const dims = [...new Set([subject, 'agent', 'model', ...peerDims])];
  const rows = await load(semantic, s.workspaceId, baseQuery(s, dims, MEASURES, [{ member: usageMember(subject), operator: 'set' }]));
  const bySubject = new Map<string, Acc>();
  for (const r of rows) {
    const id = r[usageMember(subject)] as string;
    let acc = bySubject.get(id);
    if (!acc) bySubject.set(id, (acc = { rows: [], agents: new Tally(), tallies: new Map(peerDims.map((d) => [d, new Tally()])) }));
    acc.rows.push(r);
    const calls = dec(r[usageMember('calls')]);
    const cost = dec(r[usageMember('total_cost')]);
    acc.agents.add(r[usageMember('agent')] as string | null, calls, cost);
    for (const d of peerDims) acc.tallies.get(d)!.add(r[usageMember(d)] as string | null, calls, cost);
  }
  return [...bySubject].map(([id, acc]) => toSubject(id, acc));
}

function toSubject(id: string, acc: Acc): Subject {
  const mainAgent = acc.agents.top();
  const sum = (m: string, rows = acc.rows) => rows.reduce((t, r) => t.plus(dec(r[usageMember(m)])), new Decimal(0));
  const mainRows = acc.rows.filter((r) => r[usageMember('agent')] === mainAgent);
  const otherCalls = sum('calls').minus(sum('calls', mainRows));
  const modelCost = new Map<string, Decimal>();
  for (const r of acc.rows) {
    const model = r[usageMember('model')] as string | null;
    if (model !== null) modelCost.set(model, (modelCost.get(model) ?? new Decimal(0)).plus(dec(r[usageMember('total_cost')])));
  }
  const peerValues = new Map<string, string>();
  for (const [d, t] of acc.tallies) {
    const top = d === 'agent' ? mainAgent : t.top();
    if (top !== undefined) peerValues.set(d, top);
  }
  return {
    id,
    cost: sum('total_cost'),
    calls: sum('calls'),
    contextTokens: sum('input_tokens').plus(sum('cache_read_tokens')).plus(sum('cache_write_5m_tokens')).plus(sum('cache_write_1h_tokens')),
    cacheReadTokens: sum('cache_read_tokens'),
    errorCalls: sum('error_calls'),
    subagentCalls: otherCalls.plus(sum('subagent_tagged_calls', mainRows)),
    subagents: acc.agents.keys().filter((a) => a !== mainAgent).sort(),
    modelCost,
    peerValues,
  };
}
