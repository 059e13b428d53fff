// Hand-priced events for two workspaces. Workspace B reuses A's labels (plan
// p1, user ana, session s1, same models) with much larger costs, so any leak
// from B into A's results changes A's figures visibly.
import { randomUUID } from 'node:crypto';
import { ensureWorkspace, insertUsageEvents, type Pool, type UsageEventRow } from '@spendgraph/db';

/**
 * The fixtures' first day: the Monday (00:00 UTC) three weeks before this week,
 * so that the events always sit in the recent past, in two whole weekly roll-up
 * partitions outside the roll-ups' 7-day update window.
 */
export const BASE: Date = (() => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) - 21);
  return d;
})();

/** An instant `days` after BASE at hh:mm UTC, as an ISO string. */
export function at(days: number, hh = 0, mm = 0): string {
  return new Date(BASE.getTime() + ((days * 24 + hh) * 60 + mm) * 60_000).toISOString();
}

/** How Cube returns a time bucket (or a timestamp) `days` after BASE: local time, no zone. */
export function bucket(days: number, hh = 0, mm = 0): string {
  return at(days, hh, mm).replace('Z', '');
}

/** The date `days` after BASE (YYYY-MM-DD). */
export function date(days: number): string {
  return at(days).slice(0, 10);
}

export function row(workspaceId: string, e: Partial<UsageEventRow> & { occurred_at: string }): UsageEventRow {
  return {
    workspace_id: workspaceId,
    event_id: randomUUID(),
    kind: 'model_call',
    provider: null,
    model: null,
    status: 'ok',
    latency_ms: null,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: 0,
    input_cost: null,
    output_cost: null,
    cache_read_cost: null,
    cache_write_5m_cost: null,
    cache_write_1h_cost: null,
    reasoning_cost: null,
    total_cost: null,
    currency: 'USD',
    price_source: null,
    price_version: null,
    unpriced: false,
    space: null,
    plan_id: null,
    task_id: null,
    task_type: null,
    workflow: null,
    step: null,
    agent: null,
    user_id: null,
    customer_id: null,
    feature: null,
    session_id: null,
    work_item: null,
    source: 'api',
    tags: {},
    ...e,
  };
}

export function workspaceAEvents(ws: string): UsageEventRow[] {
  const sonnet = { provider: 'anthropic', model: 'claude-sonnet-4-5', price_source: 'catalog', price_version: 'test@1' };
  return [
    row(ws, {
      ...sonnet, occurred_at: at(0, 10), latency_ms: 100,
      input_tokens: 1000, output_tokens: 200, cache_read_tokens: 5000,
      input_cost: '0.003', output_cost: '0.003', cache_read_cost: '0.0015', total_cost: '0.0075',
      space: 'eng', plan_id: 'p1', task_id: 'p1/t1', task_type: 'feature', workflow: 'build', step: 'implement', agent: 'coder',
      user_id: 'ana', customer_id: 'c1', feature: 'chat', session_id: 's1', work_item: 'W-1', effort: 'high',
    }),
    row(ws, {
      ...sonnet, occurred_at: at(0, 11), status: 'error', latency_ms: 300,
      input_tokens: 500, input_cost: '0.0015', total_cost: '0.0015',
      space: 'eng', plan_id: 'p1', task_id: 'p1/t2', task_type: 'feature', workflow: 'build', step: 'review', agent: 'reviewer',
      user_id: 'ana', customer_id: 'c1', feature: 'chat', session_id: 's1',
    }),
    row(ws, {
      provider: 'openai', model: 'gpt-4o', price_source: 'catalog', price_version: 'test@1',
      occurred_at: at(1, 9, 30), latency_ms: 200,
      input_tokens: 2000, output_tokens: 400, cache_read_tokens: 1000, reasoning_tokens: 100,
      input_cost: '0.005', output_cost: '0.004', cache_read_cost: '0.00125', reasoning_cost: '0.001', total_cost: '0.01125',
      space: 'eng', plan_id: 'p2', task_id: 'p2/t1', task_type: 'bugfix', workflow: 'build', step: 'implement', agent: 'coder',
      user_id: 'bob', customer_id: 'c2', feature: 'search', session_id: 's2', effort: 'low',
    }),
    row(ws, {
      provider: 'mystery', model: 'unknown-model', occurred_at: at(1, 12), latency_ms: 400,
      input_tokens: 100, output_tokens: 50, unpriced: true,
      space: 'eng', plan_id: 'p2', task_id: 'p2/t1', user_id: 'bob', customer_id: 'c2', feature: 'search', session_id: 's2',
    }),
    row(ws, {
      kind: 'tool', occurred_at: at(8, 8), status: 'timeout',
      total_cost: '0.02', price_source: 'supplied',
      space: 'eng', plan_id: 'p1', task_id: 'p1/t1', user_id: 'ana', session_id: 's3', source: 'sdk',
    }),
    row(ws, {
      ...sonnet, occurred_at: at(8, 9), latency_ms: 500,
      input_tokens: 10, output_tokens: 10, cache_write_5m_tokens: 1000, cache_write_1h_tokens: 2000,
      input_cost: '0.00003', output_cost: '0.00015', cache_write_5m_cost: '0.00375', cache_write_1h_cost: '0.012', total_cost: '0.01593',
      space: 'ops', plan_id: 'p3', task_id: 'p3/t1', step: 'plan', agent: 'planner', user_id: 'carol', customer_id: 'c1', feature: 'chat',
    }),
  ];
}

export function workspaceBEvents(ws: string): UsageEventRow[] {
  return [
    row(ws, {
      provider: 'anthropic', model: 'claude-sonnet-4-5', occurred_at: at(0, 10, 30), latency_ms: 9000,
      input_tokens: 1_000_000, input_cost: '100.5', total_cost: '100.5',
      space: 'eng', plan_id: 'p1', task_id: 'p1/t1', step: 'implement', agent: 'coder', user_id: 'ana', customer_id: 'c1', session_id: 's1',
    }),
    row(ws, {
      provider: 'openai', model: 'gpt-4o', occurred_at: at(1, 10, 30), status: 'error', latency_ms: 10000,
      input_tokens: 2_000_000, input_cost: '200.25', total_cost: '200.25',
      plan_id: 'p9', task_id: 'p9/t1', user_id: 'zed', customer_id: 'c9', session_id: 's9',
    }),
  ];
}

export async function seedTwoWorkspaces(pool: Pool) {
  const a = await ensureWorkspace(pool, `sem-a-${randomUUID().slice(0, 8)}`);
  const b = await ensureWorkspace(pool, `sem-b-${randomUUID().slice(0, 8)}`);
  await insertUsageEvents(pool, [...workspaceAEvents(a.id), ...workspaceBEvents(b.id)]);
  return { a: a.id, b: b.id };
}
