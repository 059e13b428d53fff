import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../src/index.ts';

const base = { occurred_at: '2026-10-01T00:00:00Z', model: 'm' };

function tokens(e: Record<string, unknown>) {
  const r = parseEventBatch([{ ...base, ...e }]);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.events[0]!.tokens;
}

describe('token normalisation to disjoint partitions', () => {
  it('takes Anthropic counts as they are: input excludes the cache', () => {
    expect(tokens({ provider: 'anthropic', usage: { input_tokens: 50, cache_read_tokens: 900, cache_write_1h_tokens: 40, output_tokens: 7 } }))
      .toEqual({ input: 50, cache_read: 900, cache_write_5m: 0, cache_write_1h: 40, output: 7, reasoning: 0 });
  });

  it('removes cached tokens from OpenAI prompt tokens and reasoning from completion tokens', () => {
    expect(tokens({ provider: 'openai', usage: { input_tokens: 1000, cache_read_tokens: 768, output_tokens: 500, reasoning_tokens: 320 } }))
      .toEqual({ input: 232, cache_read: 768, cache_write_5m: 0, cache_write_1h: 0, output: 180, reasoning: 320 });
  });

  it('removes cached content from Google prompt tokens but keeps thoughts apart from output', () => {
    expect(tokens({ provider: 'google', usage: { input_tokens: 1000, cache_read_tokens: 400, output_tokens: 200, reasoning_tokens: 300 } }))
      .toEqual({ input: 600, cache_read: 400, cache_write_5m: 0, cache_write_1h: 0, output: 200, reasoning: 300 });
  });

  it('lets the caller state the convention', () => {
    expect(tokens({ provider: 'openai', usage: { input_tokens: 10, cache_read_tokens: 20, output_tokens: 5, convention: 'disjoint' } }))
      .toMatchObject({ input: 10, cache_read: 20 });
  });

  it('rejects counts that contradict their convention, naming the field', () => {
    const r = parseEventBatch([{ ...base, provider: 'openai', usage: { input_tokens: 10, cache_read_tokens: 20 } }]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]).toMatchObject({ index: 0, path: 'usage.input_tokens' });
  });
});

describe('event ids', () => {
  it('derives the same id for the same content and a different one otherwise', () => {
    const a = parseEventBatch([{ ...base, provider: 'x', occurred_at: '2026-10-01T02:00:00+02:00' }, { ...base, provider: 'x' }, { ...base, provider: 'y' }]);
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.events[0]!.event_id).toBe(a.events[1]!.event_id); // same instant, different offset
    expect(a.events[2]!.event_id).not.toBe(a.events[0]!.event_id);
  });

  it('rejects a batch over the limit and timestamps far in the future', () => {
    expect(parseEventBatch(Array.from({ length: 10_001 }, () => ({})))).toMatchObject({ ok: false, issues: [{ index: -1 }] });
    const r = parseEventBatch([{ ...base, provider: 'x', occurred_at: '2099-01-01T00:00:00Z' }]);
    expect(!r.ok && r.issues[0]!.path).toBe('occurred_at');
  });
});
