// What the collector reads from an agent's fixture, in the truth's shape (calls and disjoint tokens per
// UTC day × model and per session), for the tests that compare it with the truth script's.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type AgentTool, CollectState, WorkItemMatcher, collect, summarize } from '../../src/index.ts';
import { type Truth, sorted, tally } from './rows.ts';

export async function collected(tool: AgentTool, root: string): Promise<Truth> {
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

export const AGENTS = fileURLToPath(new URL('.', import.meta.url));

/** A fresh copy of an agent's fixture folder (test/agents/<dir>/home), prepared if it needs to be. */
export async function fixtureHome(dir: string, prepare?: (root: string) => void): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), `sg-${dir}-`));
  await cp(join(AGENTS, dir, 'home'), home, { recursive: true });
  prepare?.(home);
  return home;
}

/**
 * The collector's reading of a fixture equals its truth script's, on every day × model row and every
 * session; the committed truth.json is that script's output (a changed fixture must re-run it).
 */
export async function expectFixtureMatchesTruth(tool: AgentTool, dir: string, truth: (root: string) => Truth, prepare?: (root: string) => void) {
  const home = await fixtureHome(dir, prepare);
  const expected = truth(home);
  expect(JSON.parse(await readFile(join(AGENTS, dir, 'truth.json'), 'utf8'))).toEqual(expected);
  expect(Object.keys(expected.days).length).toBeGreaterThan(3);
  expect(await collected(tool, home)).toEqual(expected);
}
