// Each agent's fixture (laid out as the agent's own source writes it, see test/agents/<agent>/README.md)
// read by the collector must match the truth its separate script computes, on every day × model row and
// every session. The truth is also committed (truth.json) so a change to the fixture must re-run it.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type AgentTool, CollectState, WorkItemMatcher, collect, summarize } from '../src/index.ts';
import { geminiTruth } from './agents/gemini/truth.ts';
import { type Truth, sorted, tally } from './agents/rows.ts';

const AGENTS = fileURLToPath(new URL('./agents', import.meta.url));

const CASES: Array<{ tool: AgentTool; dir: string; truth: (root: string) => Truth | Promise<Truth> }> = [
  { tool: 'gemini-cli', dir: 'gemini', truth: geminiTruth },
];

async function collected(tool: AgentTool, root: string): Promise<Truth> {
  const r = await collect({ roots: { [tool]: [root] }, state: await CollectState.load(undefined), matcher: new WorkItemMatcher(), settleMs: 0 });
  expect(r.errors).toEqual([]);
  const truth: Truth = { days: {}, sessions: {} };
  for (const row of summarize(r.calls)) {
    for (let i = 0; i < row.calls; i++) {
      // A summary row holds several calls: the first carries the tokens, the others only count.
      const t = i === 0 ? row : { input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 };
      tally(truth, { day: row.day, model: row.model, session: row.session, input: t.input, output: t.output, cache_read: t.cache_read, cache_write: t.cache_write_5m + t.cache_write_1h, reasoning: t.reasoning });
    }
  }
  return sorted(truth);
}

describe.each(CASES)('$tool fixture', ({ tool, dir, truth }) => {
  it('matches the truth on every day × model row and every session', async () => {
    const home = await mkdtemp(join(tmpdir(), `sg-${dir}-`));
    await cp(join(AGENTS, dir, 'home'), home, { recursive: true });
    const expected = await truth(home);
    expect(JSON.parse(await readFile(join(AGENTS, dir, 'truth.json'), 'utf8'))).toEqual(expected);
    expect(Object.keys(expected.days).length).toBeGreaterThan(3);
    expect(await collected(tool, home)).toEqual(expected);
  });
});
