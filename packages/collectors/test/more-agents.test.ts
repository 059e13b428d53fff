// Agents read beyond the first five (issue 22, ADR 0015): Qwen Code. Its fixture (test/agents/qwen,
// laid out from Qwen Code's source, see its README) must match the truth its separate script computes on
// every day × model row and every session; copies made by /branch never count twice whichever file is
// read first; a rerun reads only what was appended; `--list-sources` reports the agent found or not.
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CollectState, WorkItemMatcher, callEvent, collect, listSources, qwenUsage } from '../src/index.ts';
import { collected, expectFixtureMatchesTruth, fixtureHome } from './agents/collected.ts';
import { qwenTruth } from './agents/qwen/truth.ts';

const S1 = '5b0c2f1e-1111-4a2b-9c3d-000000000001';
const S3 = '9f2a4b3c-3333-4c4d-9e5f-000000000003';
const BILLING = join('projects', '-home-dev-billing-web', 'chats');

async function run(home: string, stateDir?: string) {
  const state = await CollectState.load(stateDir);
  const r = await collect({ roots: { 'qwen-code': [home] }, state, matcher: new WorkItemMatcher(), settleMs: 0 });
  expect(r.errors).toEqual([]);
  if (stateDir) {
    await state.markSent(r.calls.map((c) => c.key));
    Object.assign(state.files, r.files);
    await state.save();
  }
  return r;
}

describe('Qwen Code', () => {
  it('matches the truth on every day × model row and every session', () => expectFixtureMatchesTruth('qwen-code', 'qwen', qwenTruth));

  it('credits a /branch copy to the session it was made in, whichever file is read first', async () => {
    const home = await fixtureHome('qwen');
    // The original session's file, then the first branch's, now sort after the branch of the branch, whose
    // copies name the first branch as their source (the file name is not what names the session).
    await rename(join(home, BILLING, `${S1}.jsonl`), join(home, BILLING, `zz-${S1}.jsonl`));
    await rename(join(home, BILLING, `${S3}.jsonl`), join(home, BILLING, `zy-${S3}.jsonl`));
    expect(await collected('qwen-code', home)).toEqual(qwenTruth(home));
    const r = await run(home);
    expect(r.duplicates).toBe(5); // S1's two calls copied into S3 and again into S4, S3's own call into S4
  });

  it('reads each call once with its session, folder, branch, subagent and work items', async () => {
    const r = await run(await fixtureHome('qwen'));
    const byKey = new Map(r.calls.map((c) => [c.key, c]));
    expect(r.calls).toHaveLength(14);
    const first = byKey.get('qwen:a1-0001')!;
    expect(first).toMatchObject({ tool: 'qwen-code', provider: 'qwen', model: 'qwen3-coder-plus', sessionId: S1, cwd: '/home/dev/billing.web',
      branch: 'feature/WRK-501-invoices', subagent: false, workItems: ['WRK-501'] });
    // A notification is not the developer's prompt: PROJ-999 is not a work item of the session.
    expect(byKey.get('qwen:a1-0006')!.workItems).toEqual(['WRK-501']);
    expect(byKey.get('qwen:a1-0004')).toMatchObject({ subagent: true, agentId: 'explore-7f3c', sessionId: S1 });
    expect(byKey.get('qwen:a2-0001')).toMatchObject({ provider: 'google', workItems: ['PROJ-12'] });
    expect([byKey.get('qwen:a2-0002')!.provider, byKey.get('qwen:a2-0003')!.provider]).toEqual(['anthropic', 'openai']);
    // A branch's own call is its own; a call of a branched session whose file is gone goes to that session.
    expect(byKey.get('qwen:a3-0001')!.sessionId).toBe(S3);
    expect(byKey.get('qwen:ag-0001')!.sessionId).toBe('c35d7e6f-6666-4f70-8182-000000000006');
    // The record without usage, the ui_telemetry repeats and the line still being written are not calls.
    expect(byKey.has('qwen:a1-0003') || byKey.has('qwen:t1-0001') || byKey.has('qwen:a1-0008')).toBe(false);
    const event = callEvent(first);
    expect(event).toMatchObject({ source: 'qwen-code', agent: 'qwen-code', provider: 'qwen', model: 'qwen3-coder-plus', session_id: S1,
      usage: { input_tokens: 3000, output_tokens: 500, cache_read_tokens: 9000, reasoning_tokens: 300, convention: 'disjoint' }, work_item: 'WRK-501' });
    expect(callEvent(byKey.get('qwen:a1-0004')!)).toMatchObject({ agent: 'qwen-code/subagent', tags: { subagent: true, agent_id: 'explore-7f3c' } });
  });

  it('tells the two token conventions apart by the total', () => {
    // OpenAI-compatible: total = prompt + completion, reasoning inside the completion.
    expect(qwenUsage({ promptTokenCount: 100, candidatesTokenCount: 50, thoughtsTokenCount: 20, totalTokenCount: 150, cachedContentTokenCount: 10 }))
      .toMatchObject({ input_tokens: 100, output_tokens: 50, reasoning_tokens: 20, cache_read_tokens: 10, convention: 'openai' });
    // Gemini: thoughts outside the candidates, inside the total.
    expect(qwenUsage({ promptTokenCount: 100, candidatesTokenCount: 50, thoughtsTokenCount: 20, totalTokenCount: 170 }))
      .toMatchObject({ output_tokens: 50, reasoning_tokens: 20, convention: 'google' });
    // No total: thoughts larger than the candidates cannot be inside them.
    expect(qwenUsage({ promptTokenCount: 100, candidatesTokenCount: 5, thoughtsTokenCount: 20 })).toMatchObject({ convention: 'google' });
  });

  it('reads only what was appended since the last run, a record completed later included', async () => {
    const home = await fixtureHome('qwen');
    const state = await mkdtemp(join(tmpdir(), 'sg-qwen-state-'));
    expect((await run(home, state)).calls).toHaveLength(14);
    const again = await run(home, state);
    expect([again.calls.length, again.filesRead]).toEqual([0, 0]);
    // The record being written when the first run read the file is completed.
    const file = join(home, BILLING, `${S1}.jsonl`);
    const text = await readFile(file, 'utf8');
    const partial = text.slice(text.lastIndexOf('\n') + 1);
    const whole = JSON.stringify({ uuid: 'a1-0008', parentUuid: 'a1-0007', sessionId: S1, timestamp: '2026-03-03T00:11:00.000Z', type: 'assistant',
      cwd: '/home/dev/billing.web', version: '0.9.1', gitBranch: 'feature/WRK-501-invoices', model: 'qwen3-max',
      message: { role: 'model', parts: [{ text: 'Done.' }] }, usageMetadata: { promptTokenCount: 9500, candidatesTokenCount: 100, thoughtsTokenCount: 0, totalTokenCount: 9600, cachedContentTokenCount: 0 } });
    expect(whole.startsWith(partial)).toBe(true);
    await appendFile(file, `${whole.slice(partial.length)}\n`);
    const third = await run(home, state);
    expect(third.calls.map((c) => [c.key, c.sessionId, c.model, c.workItems])).toEqual([['qwen:a1-0008', S1, 'qwen3-max', ['WRK-501']]]);
    expect(third.filesRead).toBe(1);
  });
});

describe('--list-sources', () => {
  const MAIN = fileURLToPath(new URL('../../../apps/cli/src/main.ts', import.meta.url));

  it('reports Qwen Code found with its files, or not found, where it was looked for', async () => {
    const home = await fixtureHome('qwen');
    const absent = join(home, 'nowhere');
    const qwen = async (root: string) => (await listSources({ 'qwen-code': [root] })).sources.find((s) => s.tool === 'qwen-code');
    expect(await qwen(home)).toMatchObject({ status: 'found', files: 5, roots: [{ path: home, exists: true }] });
    expect(await qwen(absent)).toMatchObject({ status: 'missing', files: 0, roots: [{ path: absent, exists: false }] });
    // The command itself, in an empty home: every agent listed, Qwen Code found in the folder given.
    const empty = await mkdtemp(join(tmpdir(), 'sg-home-'));
    const env = { PATH: process.env.PATH, HOME: empty, XDG_DATA_HOME: join(empty, 'share') };
    const cli = (dir: string) => promisify(execFile)(process.execPath, [MAIN, 'collect', '--list-sources', '--json', '--qwen-dir', dir], { env });
    const listed = JSON.parse((await cli(home)).stdout).map((s: any) => [s.tool, s.status, s.files]);
    expect(listed).toEqual([['claude-code', 'missing', 0], ['codex', 'missing', 0], ['gemini-cli', 'missing', 0], ['opencode', 'missing', 0],
      ['amp', 'missing', 0], ['qwen-code', 'found', 5]]);
    expect(JSON.parse((await cli(absent)).stdout).at(-1)).toMatchObject({ tool: 'qwen-code', status: 'missing' });
  });
});
