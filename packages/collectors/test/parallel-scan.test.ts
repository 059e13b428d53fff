// Files parsed in scan workers give exactly what one thread gives: the same calls (work items carried
// across files in file order, the same response kept once), the same file states, errors and counts.
import { chmod, cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Roots, CollectState, WorkItemMatcher, collect } from '../src/index.ts';
import { PARALLEL_MIN_BYTES, defaultWorkers } from '../src/scan-pool.ts';
import { AGENTS } from './agents/collected.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

async function bothWays(roots: Roots, saved?: Record<string, string[]>) {
  const run = async (workers: number) => {
    const state = await CollectState.load(undefined);
    for (const [session, items] of Object.entries(saved ?? {})) state.sessions.add(session, items);
    const r = await collect({ roots, state, matcher: new WorkItemMatcher(), settleMs: 0, workers });
    return { ...r, sessions: state.sessions.toJSON() };
  };
  const [one, parallel] = [await run(0), await run(2)];
  expect(parallel).toStrictEqual(one); // undefined keys included: the calls travel as columns (call-columns.ts)
  return one;
}

const line = (o: object) => `${JSON.stringify(o)}\n`;
const prompt = (session: string, text: string) => line({ type: 'user', sessionId: session, timestamp: '2026-11-20T10:00:00.000Z', message: { role: 'user', content: text } });
const response = (session: string, id: string, output: number, extra: object = {}) => line({
  type: 'assistant', sessionId: session, gitBranch: 'main', timestamp: '2026-11-20T10:01:00.000Z', ...extra,
  message: { id, role: 'assistant', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: output } },
});

describe('collect in scan workers', () => {
  it('starts workers for the idle cores (and the pass\'s own), none for a small read, one file, or a busy machine', () => {
    const big = PARALLEL_MIN_BYTES * 4;
    expect(defaultWorkers(big, 100, 0, 2)).toBe(2);
    expect(defaultWorkers(big, 100, 0.9, 2)).toBe(2);
    expect(defaultWorkers(big, 100, 1.2, 2)).toBe(0); // less than one idle core: one thread
    expect(defaultWorkers(big, 100, 12, 2)).toBe(0);
    expect(defaultWorkers(big, 100, 5.5, 8)).toBe(3);
    expect(defaultWorkers(big, 100, 0, 32)).toBe(8);
    expect(defaultWorkers(big, 3, 0, 8)).toBe(3);
    expect(defaultWorkers(big, 1, 0, 8)).toBe(0);
    expect(defaultWorkers(PARALLEL_MIN_BYTES - 1, 100, 0, 8)).toBe(0);
  });

  it('reads the fixtures of every agent as one thread does (errors and non-billable lines included)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-parallel-'));
    await cp(FIXTURES, home, { recursive: true });
    for (const dir of ['qwen', 'gemini', 'amp']) await cp(join(AGENTS, dir, 'home'), join(home, `agent-${dir}`), { recursive: true });
    const r = await bothWays({
      'claude-code': [join(home, 'claude')], codex: [join(home, 'codex')], 'gemini-cli': [join(home, 'gemini'), join(home, 'agent-gemini')],
      'qwen-code': [join(home, 'agent-qwen')], amp: [join(home, 'agent-amp')],
    });
    expect(new Set(r.calls.map((c) => c.tool))).toEqual(new Set(['claude-code', 'codex', 'gemini-cli', 'qwen-code', 'amp']));
    expect(r.errors.length).toBeGreaterThan(0); // the broken Gemini file
    expect(r.skippedLines).toBeGreaterThan(0);
  });

  it('carries a session\'s work items across files in file order, and keeps a copied response once', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sg-parallel-'));
    const dir = join(home, 'projects', '-srv-repo');
    await mkdir(dir, { recursive: true });
    // a.jsonl names WRK-1; b.jsonl (the same session: a subagent's file) calls before naming WRK-2 and
    // repeats a response of a.jsonl; c.jsonl is another session, its items its own plus the saved ones.
    await writeFile(join(dir, 'a.jsonl'), prompt('s1', 'Start WRK-1') + response('s1', 'm1', 5) + response('s1', 'm1', 9) + response('s1', 'm2', 4));
    await writeFile(join(dir, 'b.jsonl'), response('s1', 'm3', 2, { isSidechain: true }) + response('s1', 'm2', 4) + prompt('s1', 'then WRK-2') + response('s1', 'm4', 1));
    await writeFile(join(dir, 'c.jsonl'), response('s2', 'm5', 7) + prompt('s2', 'and ABC-9') + response('s2', 'm6', 8));
    await writeFile(join(dir, 'd.jsonl'), 'not json\n');
    await writeFile(join(dir, 'e.jsonl'), response('s3', 'm7', 1));
    await chmod(join(dir, 'e.jsonl'), 0o000);
    const r = await bothWays({ 'claude-code': [home] }, { s2: ['OLD-1'] });
    const items = Object.fromEntries(r.calls.map((c) => [c.key, c.workItems]));
    const root = process.getuid?.() === 0; // root reads the unreadable file
    expect(items).toEqual({
      'claude:m1': ['WRK-1'], 'claude:m2': ['WRK-1'], 'claude:m3': ['WRK-1'], 'claude:m4': ['WRK-1', 'WRK-2'], 'claude:m5': ['OLD-1'], 'claude:m6': ['ABC-9', 'OLD-1'],
      ...(root ? { 'claude:m7': [] } : {}),
    });
    expect(r.calls.find((c) => c.key === 'claude:m1')!.usage.output_tokens).toBe(9);
    expect(r.duplicates).toBe(1);
    expect(r.sessions).toEqual({ s1: ['WRK-1', 'WRK-2'], s2: ['ABC-9', 'OLD-1'] });
    expect(r.errors).toEqual(root ? [] : [{ path: join(dir, 'e.jsonl'), message: 'permission denied' }]);
  });
});
