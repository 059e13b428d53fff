// Each agent's fixture (laid out as the agent's own source writes it, see test/agents/<agent>/README.md)
// read by the collector must match the truth its separate script computes, on every day × model row and
// every session. The truth is also committed (truth.json) so a change to the fixture must re-run it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { type AgentTool, CollectState, WorkItemMatcher, collect } from '../src/index.ts';
import { ampTruth } from './agents/amp/truth.ts';
import { geminiTruth } from './agents/gemini/truth.ts';
import { buildDatabase, openCodeTruth } from './agents/opencode/truth.ts';
import { expectFixtureMatchesTruth, fixtureHome } from './agents/collected.ts';
import type { Truth } from './agents/rows.ts';

const CASES: Array<{ tool: AgentTool; dir: string; truth: (root: string) => Truth; prepare?: (root: string) => void }> = [
  { tool: 'gemini-cli', dir: 'gemini', truth: geminiTruth },
  { tool: 'opencode', dir: 'opencode', truth: openCodeTruth, prepare: buildDatabase },
  { tool: 'amp', dir: 'amp', truth: ampTruth },
];

describe.each(CASES)('$tool fixture', ({ tool, dir, truth, prepare }) => {
  it('matches the truth on every day × model row and every session', () => expectFixtureMatchesTruth(tool, dir, truth, prepare));
});

describe('OpenCode database', () => {
  it('reads only the parts added since the last run (its -wal file counts as a change)', async () => {
    const home = await fixtureHome('opencode', buildDatabase);
    const dir = await mkdtemp(join(tmpdir(), 'sg-state-'));
    const run = async () => {
      const state = await CollectState.load(dir);
      const r = await collect({ roots: { opencode: [home] }, state, matcher: new WorkItemMatcher(), settleMs: 0 });
      await state.markSent(r.calls.map((c) => c.key));
      Object.assign(state.files, r.files);
      await state.save();
      return r;
    };
    const first = await run();
    expect(first.calls).toHaveLength(11);
    // Work items from users' prompts, in the database and in the JSON files (ses_0z9 is only there).
    const items = (key: string) => first.calls.find((c) => c.key === key)?.workItems;
    expect([items('opencode:prt_0a1a1f1'), items('opencode:prt_1c3a1f1'), items('opencode:prt_0z9a1f1')]).toEqual([['PROJ-9'], ['WRK-410'], ['PROJ-55']]);
    // OpenCode keeps its database in WAL mode: a new step is written to opencode.db-wal first.
    const db = new DatabaseSync(join(home, 'opencode.db'));
    db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0');
    const step = { type: 'step-finish', reason: 'stop', cost: 0, tokens: { input: 7, output: 8, reasoning: 0, cache: { read: 9, write: 0 } } };
    db.prepare('INSERT INTO part VALUES (?, ?, ?, 0, 0, ?)').run('prt_zz_new', 'msg_1c3a3', 'ses_1c3', JSON.stringify(step));
    const again = await run();
    db.close();
    expect(again.calls.map((c) => [c.key, c.sessionId, c.workItems])).toEqual([['opencode:prt_zz_new', 'ses_1c3', ['WRK-410']]]);
    expect(again.filesRead).toBe(1);
  });
});
