// Calls sent from a scan worker as columns (call-columns.ts) arrive exactly as they were sent: the same
// values, the same keys in the same order, undefined where a key was undefined and absent where absent;
// a call the columns cannot hold travels whole, in its place.
import { describe, expect, it } from 'vitest';
import { type CallColumns, type RecordedCall, decodeCalls, encodeCalls, transferList } from '../src/call-columns.ts';

/** What postMessage does with the columns: a structured clone, the buffers moved. */
const post = (c: CallColumns): CallColumns => structuredClone(c, { transfer: transferList(c) });

/** Every own key, in order, with its value (and the same for nested objects): what toStrictEqual leaves out. */
const shape = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => [k, shape(x)]) : v);

function roundTrip(calls: RecordedCall[]) {
  const expected = structuredClone(calls);
  const cols = encodeCalls(calls);
  const out = decodeCalls(post(cols), (at) => at);
  expect(out).toStrictEqual(expected);
  expect(out.map(shape)).toEqual(expected.map(shape));
  expect(out.map((c) => Object.is(c.usage.input_tokens, -0))).toEqual(expected.map((c) => Object.is(c.usage.input_tokens, -0)));
  return cols;
}

const claudeCall = (i: number): RecordedCall => ({
  key: `claude:msg_${i}`, tool: 'claude-code', provider: 'anthropic', model: 'claude-sonnet-4-5', occurredAt: '2026-11-20T10:01:00.000Z',
  usage: { input_tokens: 3, output_tokens: 10 + i, cache_read_tokens: 0, cache_write_5m_tokens: 5, cache_write_1h_tokens: 0, reasoning_tokens: 0, convention: 'anthropic' },
  effort: undefined, sessionId: 's1', cwd: '/srv/repo', branch: 'main', subagent: false, agentId: undefined, workItems: i % 3, offset: i * 1000,
});

describe('calls as columns', () => {
  it('carries Claude Code calls in columns, each repeated string once', () => {
    const cols = roundTrip(Array.from({ length: 50 }, (_, i) => claudeCall(i)));
    expect(cols.whole).toEqual([]);
    expect(cols.strings.filter((s) => s === 'claude-sonnet-4-5')).toHaveLength(1);
  });

  it('survives the encoding exactly for random calls (layouts of every agent, odd values, calls sent whole)', () => {
    let seed = 17;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const chance = (p: number) => rand(1000) < p * 1000;
    const pick = <T,>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const text = () => {
      const alphabet = ['a', 'Z', '0', '-', ':', '/', ' ', '"', '\\', '\n', 'é', '漢', '😀', '\uD800', '\uDC00', '\u0000'];
      return Array.from({ length: rand(12) }, () => pick(alphabet)).join('');
    };
    const number = () => pick([0, 1, 7, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, 1e300, -0, -5, 0.5, NaN, Infinity, -Infinity, Number.MIN_VALUE, rand(1e9)]);
    const optional = () => (chance(0.3) ? undefined : chance(0.5) ? pick(['s1', 's2', 'feat/WRK-1', '']) : text());
    let sent = 0;
    let whole = 0;
    for (let round = 0; round < 300; round++) {
      const calls: RecordedCall[] = [];
      for (let i = rand(40); i > 0; i--) {
        const usage: any = {
          input_tokens: number(), output_tokens: number(), cache_read_tokens: number(), cache_write_5m_tokens: number(),
          cache_write_1h_tokens: number(), reasoning_tokens: number(), convention: pick(['anthropic', 'openai', 'disjoint', undefined]),
        };
        const c: any = {
          key: chance(0.5) ? `claude:${text()}` : text(), tool: pick(['claude-code', 'codex', 'gemini-cli', 'qwen-code']), provider: pick(['anthropic', 'openai', 'google', text()]),
          model: pick(['claude-opus-4-1', 'gpt-5', text()]), occurredAt: chance(0.9) ? new Date(1.7e12 + rand(1e9) * 1000).toISOString() : text(), usage,
        };
        // Optional keys present (possibly undefined) or absent, in the parsers' order.
        if (chance(0.8)) c.effort = optional();
        if (chance(0.8)) c.sessionId = optional();
        if (chance(0.8)) c.cwd = optional();
        if (chance(0.8)) c.branch = optional();
        c.subagent = chance(0.3);
        if (chance(0.7)) c.agentId = optional();
        c.workItems = rand(100);
        c.offset = pick([0, rand(1e6), 2 ** 40 + rand(1000)]);
        if (chance(0.2)) c.origin = optional();
        // What the columns cannot hold exactly: the call goes whole.
        const odd = rand(40);
        if (odd === 0) c.aliases = [text(), text()];
        else if (odd === 1) c.model = 42;
        else if (odd === 2) delete c.offset;
        else if (odd === 3) c.usage = { ...usage, extra: 1 };
        else if (odd === 4) c.usage = { output_tokens: usage.output_tokens, ...usage };
        else if (odd === 5) c.usage.reasoning_tokens = '3';
        else if (odd === 6) c.cwd = null;
        else if (odd === 7) c.extra = true;
        else if (odd === 8) { // the key last: out of order
          const { key, ...rest } = c;
          calls.push({ ...rest, key });
          continue;
        }
        else if (odd === 9) c.usage.convention = 5;
        calls.push(c);
      }
      const cols = roundTrip(calls);
      sent += calls.length;
      whole += cols.whole.length;
    }
    expect(whole).toBeGreaterThan(0);
    expect(whole).toBeLessThan(sent * 0.3); // the odd ones (a quarter); the others fit the columns
  });

  it('gives each call the work items of its index, in order', () => {
    const calls = [claudeCall(0), { ...claudeCall(1), aliases: ['claude:old'] }, claudeCall(2)];
    const asked: number[] = [];
    const out = decodeCalls(post(encodeCalls(calls)), (at) => (asked.push(at), [`WRK-${at}`]));
    expect(asked).toEqual([0, 1, 2]);
    expect(out.map((c) => c.workItems)).toEqual([['WRK-0'], ['WRK-1'], ['WRK-2']]);
    expect(out[1]!.aliases).toEqual(['claude:old']);
  });
});
