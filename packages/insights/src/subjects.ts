// The figures of every session (or task) of a window, read through the semantic
// layer: one query grouped by subject, agent, model, status and the peer
// dimensions. A subject's cost is split into the parts anomaly causes are priced
// on: failed calls, subagent work, and the main agent's own successful calls.
import { Decimal } from 'decimal.js';
import type { AnomalyKind } from '@spendgraph/db';
import { type CubeQuery, type SemanticLayer, usageMember } from '@spendgraph/semantic';
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
  calls: number;
  /** Failed calls (status other than ok) and what they cost. */
  errorCalls: number;
  errorCost: Decimal;
  /** Successful calls of agents other than the main agent, plus the main agent's calls tagged subagent = true. */
  subagentCalls: number;
  subagentCost: Decimal;
  /** Distinct agents other than the main agent. */
  subagents: string[];
  /** The main agent's own successful calls and their prompt tokens (input, cache reads, cache writes). */
  coreCalls: number;
  corePromptTokens: number;
  /** Prompt tokens of every call, those read from the cache, and the cost of prompts. */
  promptTokens: number;
  cacheReadTokens: number;
  promptCost: number;
  inputCost: number;
  inputTokens: number;
  cacheReadCost: number;
  /** Tokens and cost per model. */
  modelTokens: Map<string, number>;
  modelCost: Map<string, Decimal>;
  /** The subject's value of each peer dimension: the one with the most calls (agent: its main agent). */
  peerValues: Map<string, string>;
}

const MEASURES = ['total_cost', 'calls', 'total_tokens', 'input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
  'input_cost', 'cache_read_cost', 'cache_write_5m_cost', 'cache_write_1h_cost', 'subagent_tagged_calls', 'subagent_tagged_cost'] as const;

type Row = Record<string, string | number | boolean | null>;
const dec = (v: unknown) => new Decimal((v as string | null) ?? 0);
const num = (r: Row, m: string) => Number(r[usageMember(m)] ?? 0);

function baseQuery(s: Scan, dimensions: string[], measures: readonly string[], filters: NonNullable<CubeQuery['filters']>): CubeQuery {
  return {
    measures: measures.map(usageMember),
    dimensions: dimensions.map(usageMember),
    timeDimensions: [{ dimension: usageMember('occurred_at'), dateRange: cubeRange(s.window) }],
    // Costs are in the workspace's reporting currency, every event converted (docs/decisions/0023-currencies.md).
    filters,
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

/** Tallies per value, to pick the one with the most calls (then the most cost, then the name). */
class Tally {
  private readonly by = new Map<string, { calls: number; cost: Decimal }>();
  add(value: string | null, calls: number, cost: Decimal) {
    if (value === null) return;
    const t = this.by.get(value) ?? { calls: 0, cost: new Decimal(0) };
    this.by.set(value, { calls: t.calls + calls, cost: t.cost.plus(cost) });
  }
  top(): string | undefined {
    return [...this.by].sort(([a, x], [b, y]) => y.calls - x.calls || y.cost.comparedTo(x.cost) || a.localeCompare(b))[0]?.[0];
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
  const dims = [...new Set([subject, 'agent', 'model', 'status', ...peerDims])];
  const rows = await load(semantic, s.workspaceId, baseQuery(s, dims, MEASURES, [{ member: usageMember(subject), operator: 'set' }]));
  const bySubject = new Map<string, Acc>();
  for (const r of rows) {
    const id = r[usageMember(subject)] as string;
    let acc = bySubject.get(id);
    if (!acc) bySubject.set(id, (acc = { rows: [], agents: new Tally(), tallies: new Map(peerDims.map((d) => [d, new Tally()])) }));
    acc.rows.push(r);
    const calls = num(r, 'calls');
    const cost = dec(r[usageMember('total_cost')]);
    acc.agents.add(r[usageMember('agent')] as string | null, calls, cost);
    for (const d of peerDims) acc.tallies.get(d)!.add(r[usageMember(d)] as string | null, calls, cost);
  }
  return [...bySubject].map(([id, acc]) => toSubject(id, acc));
}

const prompt = (r: Row) => num(r, 'input_tokens') + num(r, 'cache_read_tokens') + num(r, 'cache_write_5m_tokens') + num(r, 'cache_write_1h_tokens');
const failed = (r: Row) => (r[usageMember('status')] ?? 'ok') !== 'ok';

function toSubject(id: string, acc: Acc): Subject {
  const mainAgent = acc.agents.top();
  const cost = (rows: Row[], m = 'total_cost') => rows.reduce((t, r) => t.plus(dec(r[usageMember(m)])), new Decimal(0));
  const total = (rows: Row[], f: (r: Row) => number) => rows.reduce((t, r) => t + f(r), 0);
  const errorRows = acc.rows.filter(failed);
  const okRows = acc.rows.filter((r) => !failed(r));
  const mainRows = okRows.filter((r) => r[usageMember('agent')] === mainAgent);
  const otherRows = okRows.filter((r) => r[usageMember('agent')] !== mainAgent);
  const tagged = (r: Row) => num(r, 'subagent_tagged_calls');
  // A tagged call's prompt is not known apart from its row's; the row's tokens are split by calls.
  const untaggedPrompt = (r: Row) => (num(r, 'calls') ? prompt(r) * (1 - tagged(r) / num(r, 'calls')) : 0);
  const modelTokens = new Map<string, number>();
  const modelCost = new Map<string, Decimal>();
  for (const r of acc.rows) {
    const model = r[usageMember('model')] as string | null;
    if (model === null) continue;
    modelTokens.set(model, (modelTokens.get(model) ?? 0) + num(r, 'total_tokens'));
    modelCost.set(model, (modelCost.get(model) ?? new Decimal(0)).plus(dec(r[usageMember('total_cost')])));
  }
  const peerValues = new Map<string, string>();
  for (const [d, t] of acc.tallies) {
    const top = d === 'agent' ? mainAgent : t.top();
    if (top !== undefined) peerValues.set(d, top);
  }
  const subagentCalls = total(otherRows, (r) => num(r, 'calls')) + total(mainRows, tagged);
  return {
    id,
    cost: cost(acc.rows),
    calls: total(acc.rows, (r) => num(r, 'calls')),
    errorCalls: total(errorRows, (r) => num(r, 'calls')),
    errorCost: cost(errorRows),
    subagentCalls,
    subagentCost: cost(otherRows).plus(cost(mainRows, 'subagent_tagged_cost')),
    subagents: acc.agents.keys().filter((a) => a !== mainAgent).sort(),
    coreCalls: total(mainRows, (r) => num(r, 'calls') - tagged(r)),
    corePromptTokens: total(mainRows, untaggedPrompt),
    promptTokens: total(acc.rows, prompt),
    cacheReadTokens: total(acc.rows, (r) => num(r, 'cache_read_tokens')),
    promptCost: total(acc.rows, (r) => num(r, 'input_cost') + num(r, 'cache_read_cost') + num(r, 'cache_write_5m_cost') + num(r, 'cache_write_1h_cost')),
    inputCost: total(acc.rows, (r) => num(r, 'input_cost')),
    inputTokens: total(acc.rows, (r) => num(r, 'input_tokens')),
    cacheReadCost: total(acc.rows, (r) => num(r, 'cache_read_cost')),
    modelTokens,
    modelCost,
    peerValues,
  };
}
