// The collectors on fixture logs holding every known pitfall; expected figures are computed by
// hand from the fixture lines (see the comments), not by the code under test.
import { appendFile, cp, mkdtemp, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_TYPES, parseEventBatch, toTokenCounts } from '@spendgraph/schema';
import { type Call, CollectState, WorkItemMatcher, callEvent, collect, summarize, thisMachine } from '../src/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
let home: string;
const roots = () => ({ 'claude-code': [join(home, 'claude')], codex: [join(home, 'codex')], 'gemini-cli': [join(home, 'gemini')] });
const run = async (state: CollectState, extra = {}) => collect({ roots: roots(), state, matcher: new WorkItemMatcher(), settleMs: 0, ...extra });

function sums(calls: Call[]) {
  const t = { calls: 0, input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 };
  for (const r of summarize(calls)) {
    t.calls += r.calls; t.input += r.input; t.output += r.output; t.cache_read += r.cache_read;
    t.cache_write_5m += r.cache_write_5m; t.cache_write_1h += r.cache_write_1h; t.reasoning += r.reasoning;
  }
  return t;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sg-collect-'));
  await cp(FIXTURES, home, { recursive: true });
});

describe('collect', () => {
  it('keeps each response once, with the last line of a streamed response, and skips what is not billable', async () => {
    const r = await run(await CollectState.load(undefined));
    const by = (tool: string) => r.calls.filter((c) => c.tool === tool);
    // Claude: msg_A1 (last line: out 50), msg_A2 (no requestId, no 5m/1h split), msg_A3 (subagent), msg_B1;
    // the copy of msg_A1 in sess-b.jsonl, <synthetic>, the API error and the truncated line do not count.
    expect(sums(by('claude-code'))).toEqual({ calls: 4, input: 122, output: 83, cache_read: 1200, cache_write_5m: 70, cache_write_1h: 60, reasoning: 0 });
    // Codex: 3 calls (info null and a repeated total skipped; the 2nd from the difference of totals), in disjoint partitions.
    expect(sums(by('codex'))).toEqual({ calls: 3, input: 2000, output: 600, cache_read: 2000, cache_write_5m: 0, cache_write_1h: 0, reasoning: 200 });
    // Gemini: g1 (last record; 1000+10 tool - 600 cached), g2 (after a rewind), g3 (subagent), m1 (legacy .json).
    expect(sums(by('gemini-cli'))).toEqual({ calls: 4, input: 410 + 500 + 200 + 200, output: 120 + 40 + 20 + 30, cache_read: 700, cache_write_5m: 0, cache_write_1h: 0, reasoning: 55 });
    expect(r.skippedLines).toBe(2);
    expect(r.errors).toEqual([{ path: expect.stringContaining('broken00.json'), message: expect.any(String) }]);
    const a1 = r.calls.find((c) => c.key === 'claude:msg_A1')!;
    expect(a1).toMatchObject({ sessionId: 'sess-a', cwd: '/srv/repo', branch: 'feature/WRK-237-login', workItems: ['WRK-237', 'WRK-301'] });
    expect(r.calls.find((c) => c.key === 'claude:msg_A3')).toMatchObject({ subagent: true, agentId: 'agent-x' });
    expect(r.calls.find((c) => c.key === 'gemini:g3')).toMatchObject({ subagent: true, sessionId: 'gem-1', agentId: 'gem-sub' });
    expect(by('codex').every((c) => c.model === 'gpt-5-codex' && c.workItems.join() === 'WRK-500' && c.cwd === '/srv/codex-repo')).toBe(true);
    // Each call has the effort of the turn_context in force: medium for the first two, high after the second turn.
    expect(by('codex').map((c) => c.effort)).toEqual(['medium', 'medium', 'high']);
    // Claude Code: the prompt of sess-b sets thinking to high (thinkingMetadata); sess-a's prompts say nothing.
    expect(Object.fromEntries(by('claude-code').map((c) => [c.key, c.effort ?? null]))).toEqual({ 'claude:msg_A1': null, 'claude:msg_A2': null, 'claude:msg_A3': null, 'claude:msg_B1': 'high' });
  });

  it('sends one event per call; a call for several work items names them all, with shares that add up to exactly 1', async () => {
    const r = await run(await CollectState.load(undefined));
    const events = r.calls.map((c) => callEvent(c));
    expect(events).toHaveLength(r.calls.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(r.calls.length);
    const parsed = parseEventBatch(events);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    // sess-a named WRK-237 (branch) and WRK-301 (a prompt): A1, A2 and A3 are each one event with both, ½ each;
    // B1 is PROJ-12's alone; the Codex calls WRK-500's.
    const claude = parsed.events.filter((e) => e.source === 'claude-code');
    expect(claude.map((e) => [e.context.work_item ?? null, e.work_items ?? null])).toEqual([
      ...Array(3).fill([null, [{ work_item: 'WRK-237', share: '0.5' }, { work_item: 'WRK-301', share: '0.5' }]]),
      ['PROJ-12', null],
    ]);
    // Tokens are the call's, whole: nothing is split or lost.
    expect(claude.reduce((t, e) => t + e.tokens.input, 0)).toBe(122);
    expect(claude.reduce((t, e) => t + e.tokens.output, 0)).toBe(83);
    expect(events.find((e) => e.agent === 'claude-code/subagent')?.tags).toMatchObject({ subagent: true, agent_id: 'agent-x' });
  });

  it('names the machine (a hash of the host name, or the name given) and OS on every event, and the developer if given', async () => {
    const r = await run(await CollectState.load(undefined));
    const hashed = thisMachine({ user: 'dev-7' }, 'Build-Host.local', 'linux');
    expect(hashed).toEqual({ machine: expect.stringMatching(/^[0-9a-f]{12}$/), os: 'linux', user: 'dev-7' });
    expect(thisMachine({}, 'build-host.LOCAL').machine).toBe(hashed.machine);
    expect(thisMachine({}, 'other-host').machine).not.toBe(hashed.machine);
    expect(thisMachine({ name: ' ci-linux ' }, 'runner-8f2k').machine).toBe('ci-linux');
    const parsed = parseEventBatch(r.calls.map((c) => callEvent(c, hashed)));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(new Set(parsed.events.map((e) => `${e.tags.machine}/${e.tags.os}/${e.context.user_id}`))).toEqual(new Set([`${hashed.machine}/linux/dev-7`]));
  });

  it('reads only what is new on a rerun, and never a response again, even copied into a new file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-state-'));
    const state = await CollectState.load(dir);
    const first = await run(state);
    await state.markSent(first.calls.map((c) => c.key));
    Object.assign(state.files, first.files);
    await state.save();

    const again = await run(await CollectState.load(dir));
    expect(again.calls).toEqual([]);

    const session = join(home, 'claude/projects/-srv-repo/sess-a.jsonl');
    const line = (id: string, out: number) => JSON.stringify({ type: 'assistant', sessionId: 'sess-a', timestamp: '2026-11-22T10:00:00.000Z', requestId: `r-${id}`, message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: out } } }) + '\n';
    await appendFile(session, line('msg_new', 5));
    await cp(session, join(home, 'claude/projects/-srv-repo/copy.jsonl'));
    const third = await run(await CollectState.load(dir));
    expect(third.calls.map((c) => c.key)).toEqual(['claude:msg_new']);
  });

  it('does not send again a Gemini call sent under the key of earlier versions (session id and message id)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-state-'));
    const state = await CollectState.load(dir);
    await state.markSent(['gemini:gem-1:g1', 'gemini:gem-sub:g3']);
    const r = await run(state);
    expect(r.calls.filter((c) => c.tool === 'gemini-cli').map((c) => c.key).sort()).toEqual(['gemini:g2', 'gemini:m1']);
  });

  it('holds back the last response of a file still being written', async () => {
    const session = join(home, 'claude/projects/-srv-repo/sess-b.jsonl');
    const now = Date.now();
    const old = new Date(now - 3600_000);
    await utimes(join(home, 'claude/projects/-srv-repo/sess-a.jsonl'), old, old);
    await utimes(session, new Date(now), new Date(now));
    const state = await CollectState.load(undefined);
    const claudeOnly = { roots: { ...roots(), codex: [], 'gemini-cli': [] } };
    const r = await run(state, { ...claudeOnly, settleMs: 60_000, now });
    expect(r.calls.map((c) => c.key)).not.toContain('claude:msg_B1');
    Object.assign(state.files, r.files);
    const later = await run(state, { ...claudeOnly, settleMs: 60_000, now: now + 120_000 });
    expect(later.calls.map((c) => c.key)).toEqual(['claude:msg_B1']);
  });

  it('skips calls before --since', async () => {
    const r = await run(await CollectState.load(undefined), { since: new Date('2026-11-21T00:00:00Z') });
    expect(r.calls.every((c) => c.occurredAt >= '2026-11-21')).toBe(true);
    expect(r.calls.map((c) => c.key).sort()).toEqual(['claude:msg_B1', 'gemini:g1', 'gemini:g2', 'gemini:g3']);
  });
});

describe('summarize', () => {
  it('gives the rows a plain grouping by day, tool, model and session gives (runs of calls in one row, odd times)', () => {
    let seed = 23;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const pick = <T,>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const calls: Call[] = [];
    for (let i = 0; i < 3000; i++) {
      const prev = calls[calls.length - 1];
      const provider = pick(['anthropic', 'openai', 'google']);
      calls.push({
        key: `k${i}`, tool: prev && rand(4) ? prev.tool : pick(['claude-code', 'codex']), provider, model: prev && rand(4) ? prev.model : pick(['m1', 'm2']),
        occurredAt: pick(['2026-11-20T10:00:00.000Z', '2026-11-20T23:59:59.999Z', '2026-11-21T00:00:00Z', '2026-11-2', '2026-11-20', '']),
        usage: { input_tokens: rand(100), output_tokens: rand(50), cache_read_tokens: rand(30), cache_write_5m_tokens: rand(20), cache_write_1h_tokens: rand(9), reasoning_tokens: rand(60), convention: pick(['anthropic', 'openai', 'disjoint', undefined]) },
        sessionId: prev && rand(4) ? prev.sessionId : pick(['s1', 's2', undefined]), subagent: false, workItems: [], offset: i,
      });
    }
    const expected = new Map<string, Record<string, number | string>>();
    for (const c of calls) {
      const day = c.occurredAt.slice(0, 10);
      const session = c.sessionId ?? '-';
      const k = JSON.stringify([day, c.tool, c.model, session]);
      const row = expected.get(k) ?? { day, tool: c.tool, model: c.model, session, calls: 0, input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 };
      expected.set(k, row);
      row.calls = (row.calls as number) + 1;
      const t = toTokenCounts(c.usage, c.provider);
      for (const col of TOKEN_TYPES) row[col] = (row[col] as number) + Math.max(0, t[col]);
    }
    const order = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).sort();
    expect(order(summarize(calls) as unknown as Array<Record<string, unknown>>)).toEqual(order([...expected.values()]));
  });
});
