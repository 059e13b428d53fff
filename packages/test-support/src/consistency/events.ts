// Seeded usage events as a client sends them to POST /v1/events: catalog-priced, supplied and
// unpriced calls, tools, errors, missing latencies, every context field, spread over ~75 days
// (both 2026 DST changes of Europe and America, Sydney's spring) up to a few hours ahead.
import type { Random } from './random.ts';

export const VOCAB = {
  provider: ['anthropic', 'openai', 'mystery'],
  status: ['ok', 'ok', 'ok', 'ok', 'error', 'rate_limited', 'timeout'],
  plan_id: ['plan-1', 'plan-2', 'plan-3', 'plan-4'],
  task_type: ['bugfix', 'feature', 'refactor'],
  workflow: ['plan-execute', 'review-loop', 'one-shot'],
  step: ['plan', 'implement', 'review', 'test'],
  agent: ['coder', 'reviewer', 'planner'],
  user_id: ['ana', 'bo', 'chen', 'dee', 'eli'],
  customer_id: ['acme', 'globex', 'initech'],
  feature: ['search', 'chat', 'summary'],
  space: ['eng', 'ops'],
  work_item: ['WRK-1', 'WRK-2', 'WRK-3', 'WRK-4'],
  source: ['api', 'sdk', 'import'],
} as const;

const MODELS: Record<string, string[]> = {
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'],
  openai: ['gpt-4o', 'gpt-4o-mini', 'o3'],
  mystery: ['mystery-model-9'],
};
export const ALL_MODELS = Object.values(MODELS).flat();

const DAY = 86_400_000;
export const HISTORY_DAYS = 75;

/** Drops a field now and then: absent context is a group of its own ("(none)"). */
function maybe<T>(r: Random, p: number, v: () => T): T | undefined {
  return r.chance(p) ? v() : undefined;
}

/** One event at `at` (ms precision: Cube's inclusive range ends are whole milliseconds). */
export function event(r: Random, at: number): Record<string, unknown> {
  const provider = r.chance(0.06) ? 'mystery' : r.pick(['anthropic', 'openai']);
  const tool = r.chance(0.05);
  const plan = maybe(r, 0.85, () => r.pick(VOCAB.plan_id));
  const context = {
    plan_id: plan,
    task_id: plan && maybe(r, 0.9, () => `${plan}/task-${r.int(1, 6)}`),
    task_type: maybe(r, 0.7, () => r.pick(VOCAB.task_type)),
    workflow: maybe(r, 0.8, () => r.pick(VOCAB.workflow)),
    step: maybe(r, 0.9, () => r.pick(VOCAB.step)),
    agent: maybe(r, 0.8, () => r.pick(VOCAB.agent)),
    user_id: maybe(r, 0.9, () => r.pick(VOCAB.user_id)),
    customer_id: maybe(r, 0.5, () => r.pick(VOCAB.customer_id)),
    feature: maybe(r, 0.6, () => r.pick(VOCAB.feature)),
    space: maybe(r, 0.7, () => r.pick(VOCAB.space)),
    work_item: maybe(r, 0.4, () => r.pick(VOCAB.work_item)),
    session_id: maybe(r, 0.95, () => `s-${r.int(1, 60)}`),
    source: r.pick(VOCAB.source),
  };
  const base = {
    id: r.uuid(),
    occurred_at: new Date(at).toISOString(),
    status: r.pick(VOCAB.status),
    ...(r.chance(0.9) ? { latency_ms: r.int(20, 9000) } : {}),
    ...Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)),
  };
  if (tool) return { ...base, kind: 'tool', cost: `${r.int(0, 2)}.${String(r.int(0, 999_999)).padStart(6, '0')}` };
  const usage = {
    input_tokens: r.int(0, 20_000),
    output_tokens: r.int(0, 3_000),
    ...(provider === 'anthropic' && r.chance(0.5) ? { cache_read_tokens: r.int(0, 60_000), cache_write_5m_tokens: r.int(0, 4_000) } : {}),
  };
  const supplied = provider !== 'mystery' && r.chance(0.1);
  return { ...base, provider, model: r.pick(MODELS[provider]!), usage, ...(supplied ? { cost: `0.${String(r.int(0, 999_999_999)).padStart(9, '0')}` } : {}) };
}

/** The initial history: `n` events from HISTORY_DAYS ago to a few hours ahead of `now`. */
export function history(r: Random, n: number, now: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, () => {
    const future = r.chance(0.01);
    const at = future ? now + r.int(1, 6 * 3_600_000) : now - r.int(60_000, HISTORY_DAYS * DAY);
    return event(r, at);
  });
}

/** Events arriving while questions are asked: mostly just now, some late (back-filled days). */
export function arrivals(r: Random, n: number, now: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, () => event(r, r.chance(0.8) ? now - r.int(0, 3_600_000) : now - r.int(0, 40 * DAY)));
}
