// The expected answer of a question: plain SQL over the raw usage_events rows, written from
// the measures' definitions (README, cube/ descriptions) and never through the semantic layer.
import { Decimal } from 'decimal.js';
import type { Pool } from '@spendgraph/db';
import type { Instants } from './periods.ts';
import type { Filter, Question } from './questions.ts';

const TOKENS = '(input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + reasoning_tokens)';
const FAILED = "status <> 'ok'";

export const MEASURE_SQL: Record<string, string> = {
  total_cost: 'sum(total_cost)',
  calls: 'count(*)',
  input_tokens: 'sum(input_tokens)',
  total_tokens: `sum(${TOKENS})`,
  error_calls: `count(*) FILTER (WHERE ${FAILED})`,
  unpriced_calls: 'count(*) FILTER (WHERE unpriced)',
  avg_cost_per_call: 'sum(total_cost) / nullif(count(*) FILTER (WHERE NOT unpriced), 0)',
  avg_latency_ms: '1.0 * sum(latency_ms) / nullif(count(latency_ms), 0)',
  error_rate: `100.0 * count(*) FILTER (WHERE ${FAILED}) / nullif(count(*), 0)`,
  cost_per_1k_tokens: `1000 * sum(total_cost) / nullif(sum(${TOKENS}) FILTER (WHERE NOT unpriced), 0)`,
  p95_latency_ms: 'round(CAST(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS numeric), 3)',
  distinct_sessions: 'count(DISTINCT session_id)',
  distinct_users: 'count(DISTINCT user_id)',
  distinct_tasks: 'count(DISTINCT task_id)',
};
/** Sums and counts: children add up to their parent, exactly. */
export const ADDITIVE = new Set(['total_cost', 'calls', 'input_tokens', 'total_tokens', 'error_calls', 'unpriced_calls']);
/** Quotients: equal up to the last digits of a division. */
export const RATIOS = new Set(['avg_cost_per_call', 'avg_latency_ms', 'error_rate', 'cost_per_1k_tokens']);

export type Values = Record<string, string | null>;
export type Key = Array<string | null>;

const column = (member: string) => {
  if (!/^[a-z_0-9]+$/.test(member)) throw new Error(`truth: bad member ${member}`);
  return member === 'unpriced' ? 'unpriced::text' : member;
};

class Where {
  readonly params: unknown[];
  readonly clauses: string[];
  constructor(workspaceId: string) {
    this.params = [workspaceId];
    this.clauses = ['workspace_id = $1'];
  }
  param(v: unknown) {
    this.params.push(v);
    return `$${this.params.length}`;
  }
  range(r: Instants) {
    if (r.start !== null) this.clauses.push(`occurred_at >= ${this.param(new Date(r.start).toISOString())}`);
    if (r.end !== null) this.clauses.push(`occurred_at < ${this.param(new Date(r.end).toISOString())}`);
    return this;
  }
  filters(fs: Filter[]) {
    for (const f of fs) {
      const c = column(f.member);
      const v = f.values ?? [];
      const like = (pattern: (x: string) => string) => `(${v.map((x) => `${c} ILIKE ${this.param(pattern(x.replace(/[\\%_]/g, '\\$&')))}`).join(' OR ')})`;
      this.clauses.push({
        equals: () => `${c} = ANY(${this.param(v)})`,
        notEquals: () => `(${c} IS NULL OR ${c} <> ALL(${this.param(v)}))`, // absent is "not that value"
        set: () => `${c} IS NOT NULL`,
        notSet: () => `${c} IS NULL`,
        contains: () => like((x) => `%${x}%`),
        startsWith: () => like((x) => `${x}%`),
      }[f.operator]!());
    }
    return this;
  }
  sql() {
    return this.clauses.join(' AND ');
  }
}

function selectMeasures(measures: string[]) {
  return measures.map((m, i) => `(${MEASURE_SQL[m]})::text AS m${i}`).join(', ');
}

function valuesOf(row: Record<string, string | null>, measures: string[]): Values {
  return Object.fromEntries(measures.map((m, i) => [m, row[`m${i}`] ?? null]));
}

/** Every node of the breakdown tree: one grouped query per level. Keyed by the JSON of its path. */
export async function breakdownTruth(pool: Pool, ws: string, q: Question, r: Instants): Promise<Map<string, Values>> {
  const out = new Map<string, Values>();
  for (let depth = 0; depth <= q.by.length; depth++) {
    const dims = q.by.slice(0, depth).map(column);
    const w = new Where(ws).range(r).filters(q.filters);
    const groupCols = dims.map((d, i) => `(${d})::text AS d${i}`);
    const sql = `SELECT ${[...groupCols, selectMeasures(q.measures)].join(', ')} FROM usage_events WHERE ${w.sql()}${dims.length ? ` GROUP BY ${dims.map((_, i) => i + 1).join(', ')}` : ''}`;
    const { rows } = await pool.query(sql, w.params);
    for (const row of rows) out.set(JSON.stringify(dims.map((_, i) => row[`d${i}`])), valuesOf(row, q.measures));
  }
  return out;
}

/** Every point: keyed by the JSON of [series key, bucket start in local time]. */
export async function timeseriesTruth(pool: Pool, ws: string, q: Question, r: Instants): Promise<Map<string, Values>> {
  const w = new Where(ws).range(r).filters(q.filters);
  const zone = w.param(q.timezone);
  const dims = q.by.map(column);
  const bucket = `to_char(date_trunc('${q.granularity}', occurred_at AT TIME ZONE ${zone}), 'YYYY-MM-DD"T"HH24:MI:SS.MS')`;
  const sql = `SELECT ${[`${bucket} AS t`, ...dims.map((d, i) => `(${d})::text AS d${i}`), selectMeasures(q.measures)].join(', ')}
    FROM usage_events WHERE ${w.sql()} GROUP BY ${[1, ...dims.map((_, i) => i + 2)].join(', ')}`;
  const { rows } = await pool.query(sql, w.params);
  return new Map(rows.map((row) => [JSON.stringify([dims.map((_, i) => row[`d${i}`]), row.t]), valuesOf(row, q.measures)]));
}

/**
 * A budget's spend: the cost of its scope in its currency over its window (0 when nothing).
 * A lifetime budget counts all of it: raw events and the daily aggregates retention moved them
 * into (a guardrail must not forget money spent because raw rows expired).
 */
export async function spendTruth(pool: Pool, ws: string, q: Question, r: Instants): Promise<string> {
  const where = (range: Instants) => {
    const w = new Where(ws).range(range).filters(q.budget!.scope);
    w.clauses.push(`currency = ${w.param('USD')}`);
    return w;
  };
  const sum = async (table: string, w: Where) =>
    (await pool.query(`SELECT coalesce(sum(total_cost), 0)::text AS spend FROM ${table} WHERE ${w.sql()}`, w.params)).rows[0].spend as string;
  const raw = await sum('usage_events', where(r));
  if (r.start !== null) return raw;
  return new Decimal(raw).plus(await sum('usage_daily', where({ start: null, end: null }))).toFixed();
}

/** Changes whenever a row of the workspace is added, removed or repriced: answers are compared only between equal fingerprints. */
export async function fingerprint(pool: Pool, ws: string): Promise<string> {
  const { rows } = await pool.query(
    `SELECT count(*) AS n, coalesce(sum(total_cost), 0)::text AS cost, count(*) FILTER (WHERE unpriced) AS unpriced,
            (SELECT raw_data_horizon FROM workspaces WHERE id = $1) AS horizon
       FROM usage_events WHERE workspace_id = $1`, [ws]);
  return JSON.stringify(rows[0]);
}
