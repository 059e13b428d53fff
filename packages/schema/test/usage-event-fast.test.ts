// The fast path of the event check (usage-event-fast.ts) against the schema it stands in for:
// on generated events, valid and mutated field by field, it either leaves the event to the
// schema or returns exactly the schema's output, and it takes the common shapes itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setNow } from '@spendgraph/periods/clock';
import { Random } from '@spendgraph/test-support/consistency/random';
import { bodiesFromZod } from '@spendgraph/test-support/hostile';
import { FAST_PATH_IN_STEP, parseUsageEventFast } from '../src/usage-event-fast.ts';
import { MAX_CLOCK_SKEW_MS, USAGE_CONVENTIONS, usageEventInputSchema } from '../src/index.ts';
import { parseEventBatch } from '../src/event-batch.ts';

const NOW = '2026-10-15T12:00:00Z';
const LATEST = Date.parse(NOW) + MAX_CLOCK_SKEW_MS;
beforeAll(() => setNow(NOW));
afterAll(() => setNow(null));

/** The fast path's answer must be the schema's, or none. Returns whether it answered. */
function agrees(item: unknown): boolean {
  const fast = parseUsageEventFast(item, LATEST);
  const schema = usageEventInputSchema.safeParse(item);
  if (fast === undefined) return false;
  expect(schema.success, JSON.stringify(item)?.slice(0, 300)).toBe(true);
  expect(fast).toStrictEqual(schema.data);
  return true;
}

function validEvent(r: Random): Record<string, unknown> {
  const kind = r.chance(0.8) ? undefined : r.pick(['tool', 'retrieval', 'infra', 'model_call']);
  const e: Record<string, unknown> = { occurred_at: r.pick(['2026-10-01T12:00:00Z', '2026-10-02T12:59:41.797Z', '2026-10-03T01:02:03.123456+02:00', '2000-01-01T00:00:00Z', '2026-10-16T11:59:59.999Z']) };
  if (r.chance(0.8)) e.id = r.chance(0.9) ? r.uuid() : r.uuid().toUpperCase();
  if (kind) e.kind = kind;
  if (kind === undefined || kind === 'model_call' || r.chance(0.3)) {
    e.provider = r.pick(['openai', 'anthropic', ' Google ', 'AZURE', 'mistral', 'some-gateway']);
    e.model = r.pick(['gpt-4o-mini', 'claude-haiku-4-5', ' gemini-2.5-pro ', 'x'.repeat(200)]);
  }
  if (kind && kind !== 'model_call') e.cost = r.pick(['0.0012', ' 3 ', 0.5, 12, '123456789012345.123456789012345678']);
  else if (r.chance(0.1)) e.cost = r.pick(['0.01', 0.02]);
  if (r.chance(0.5)) e.status = r.pick(['ok', 'error', 'rate_limited', 'timeout', 'cancelled']);
  if (r.chance(0.7)) e.latency_ms = r.pick([0, 1, 7815, 86_400_000]);
  if (r.chance(0.8)) {
    const u: Record<string, unknown> = {};
    // Counts that hold in every convention: input covers the cache tokens, output the reasoning.
    for (const k of ['cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'reasoning_tokens']) if (r.chance(0.4)) u[k] = r.int(0, 300);
    if (r.chance(0.8) || u.cache_read_tokens || u.cache_write_5m_tokens || u.cache_write_1h_tokens) u.input_tokens = r.int(900, 3000);
    if (r.chance(0.8) || u.reasoning_tokens) u.output_tokens = r.int(300, 3000);
    if (r.chance(0.2)) u.convention = r.pick(USAGE_CONVENTIONS);
    e.usage = u;
  }
  if (r.chance(0.2)) e.currency = r.pick(['USD', 'EUR', 'JPY']);
  if (r.chance(0.7)) e.source = r.pick(['sdk', ' otel ', 'api']);
  for (const f of ['space', 'plan_id', 'task_id', 'task_type', 'workflow', 'step', 'agent', 'user_id', 'customer_id', 'feature', 'session_id', 'work_item']) {
    if (r.chance(0.4)) e[f] = r.pick(['platform', ' dara ', 'sess-000001', 'ünïcödé 😀', "'; DROP TABLE usage_events; --"]);
  }
  if (r.chance(0.8)) e.tags = r.chance(0.2) ? {} : { env: r.pick(['prod', 'staging']), team: 'cx', ...(r.chance(0.3) ? { n: 3, ok: true, z: 1.5 } : {}) };
  return e;
}

/** Values the schema refuses or treats specially, for any field. */
const ODD: unknown[] = [
  null, undefined, '', ' ', 'x'.repeat(201), 'x'.repeat(501), 'a\u0000b', '\ud800', -1, 1.5, 1e13, 1e12, '12', true, {}, [], { input_tokens: -1 },
  { input_tokens: 5, cache_read_tokens: 10 }, { output_tokens: 1, reasoning_tokens: 2, convention: 'openai' }, { evil: 1 }, { k: null }, { k: { n: 1 } },
  { '': 1 }, { ['t'.repeat(101)]: 1 }, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])), Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])),
  '1e5', 1e-7, 'usd', 'XXX', 'EUR', '2026-13-45T00:00:00Z', '1999-12-31T23:59:59Z', '2026-10-16T12:00:00.001Z', '2026-10-01T12:00:00', 'batch', 'high',
  ['wi-1', 'wi-2'], 'tool', 'model_call', 'OpenAI', '0.5', -0, Number.NaN, Infinity,
];

describe('the fast path of the event check', () => {
  it('is in step with the schema (it knows every field of it)', () => {
    expect(FAST_PATH_IN_STEP).toBe(true);
  });

  it('takes generated valid events itself and returns exactly what the schema returns', () => {
    const r = new Random(18);
    let taken = 0;
    for (let i = 0; i < 3000; i++) if (agrees(validEvent(r))) taken++;
    expect(taken).toBe(3000);
  });

  it('on events with a field replaced by an odd value, never answers otherwise than the schema', () => {
    const r = new Random(7);
    const fields = [...Object.keys(usageEventInputSchema.shape), 'unknown_field', '__proto__', 'constructor'];
    let left = 0;
    for (let i = 0; i < 6000; i++) {
      const e = validEvent(r);
      for (let n = r.int(1, 2); n > 0; n--) {
        const f = r.pick(fields);
        Object.defineProperty(e, f, { value: r.pick(ODD), enumerable: true, writable: true, configurable: true });
      }
      if (!agrees(e)) left++;
    }
    expect(left).toBeGreaterThan(1000); // most mutations make the event invalid: the schema words why
  });

  it('leaves bodies generated from the schema and hostile shapes to the schema when it must', () => {
    const base = { occurred_at: '2026-10-01T12:00:00Z', provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 10 } };
    for (const body of bodiesFromZod(usageEventInputSchema, base)) agrees(body);
    for (const item of [null, 1, 'x', [], [base], Object.create(null), Object.assign(Object.create({ inherited: 1 }), base), new Date()]) agrees(item);
    agrees(JSON.parse('{"__proto__": {"admin": true}, "occurred_at": "2026-10-01T12:00:00Z", "provider": "openai", "model": "m"}'));
    agrees({ ...base, tags: JSON.parse('{"__proto__": 1}') });
    agrees({ ...base, usage: JSON.parse('{"__proto__": 1}') });
  });

  it('batch results are those of the schema alone: the same events, ids and issues', () => {
    const r = new Random(3);
    const batch = Array.from({ length: 200 }, () => validEvent(r));
    const viaSchema = batch.map((e) => usageEventInputSchema.parse(e));
    const parsed = parseEventBatch(batch);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.events.map((e) => e.occurred_at)).toEqual(viaSchema.map((e) => new Date(e.occurred_at).toISOString()));
    const bad = [...batch.slice(0, 3), { ...batch[3], provider: 42 }, { ...batch[4], usage: { input_tokens: -1 } }];
    const refused = parseEventBatch(bad);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.issues).toContainEqual({ index: 3, path: 'provider', message: 'Invalid input: expected string, received number' });
    expect(!refused.ok && refused.issues).toContainEqual({ index: 4, path: 'usage.input_tokens', message: 'Too small: expected number to be >=0' });
    expect(!refused.ok && refused.issues.every((i) => i.index >= 3)).toBe(true);
  });

  it('content-derived ids are those of the events before the fast path (pinned)', () => {
    const events = [
      { occurred_at: '2026-10-01T12:00:00Z', provider: 'OpenAI', model: 'gpt-4o', usage: { input_tokens: 10, output_tokens: 3 }, tags: { z: 1, a: 'x', 10: true, 9: false } },
      { occurred_at: '2026-10-01T14:00:00.000+02:00', kind: 'tool', cost: '0.5', source: 'sdk', user_id: 'dara', tags: { a: 1, b: 2 } },
      { occurred_at: '2026-10-01T12:00:00.123Z', provider: 'anthropic', model: 'claude', service_tier: 'batch', effort: 'high', work_items: ['a', { id: 'b', share: 2 }], usage: { input_tokens: 5 } },
      { occurred_at: '2026-10-01T12:00:00.123456Z', provider: 'google', model: 'gemini', work_items: ['only'], currency: 'EUR', cost: 1 },
    ];
    const r = parseEventBatch(events);
    expect(r.ok && r.events.map((e) => [e.event_id, e.occurred_at, Object.keys(e.tags).join(',')])).toEqual([
      ['830b600a-a34d-5c3e-999c-991c1ec88a37', '2026-10-01T12:00:00.000Z', '9,10,a,z'],
      ['f9dfef18-9a93-5f2e-938e-1dac133baf23', '2026-10-01T12:00:00.000Z', 'a,b'],
      ['b7076917-04ff-5504-8aa5-b1fc8caa33fb', '2026-10-01T12:00:00.123Z', ''],
      ['73fb780d-d49e-5520-b40e-a8a4e54ade15', '2026-10-01T12:00:00.123Z', ''],
    ]);
  });
});
