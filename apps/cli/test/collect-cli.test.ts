// `spendgraph collect` end to end: fixture logs → the real API, queue, worker and hypertable.
import { execFile, spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisMachine } from '@spendgraph/collectors';
import { type Platform, graphqlData, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../packages/collectors/test/fixtures', import.meta.url));

let p: Platform;
let ws: { workspaceId: string; key: string };
let home: string;
let stateDir: string;

const dirs = (at = home) => ['--claude-dir', join(at, 'claude'), '--codex-dir', join(at, 'codex'), '--gemini-dir', join(at, 'gemini'),
  '--opencode-dir', join(at, 'opencode'), '--amp-dir', join(at, 'amp'), '--qwen-dir', join(at, 'qwen')];

async function collect(...args: string[]) {
  return run(process.execPath, [MAIN, 'collect', '--api', p.apiUrl, '--key', ws.key, ...dirs(), '--state-dir', stateDir, '--settle', '0',
    '--no-progress', '--user', 'dev-7', ...args]);
}

beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  home = await mkdtemp(join(tmpdir(), 'sg-cli-'));
  stateDir = await mkdtemp(join(tmpdir(), 'sg-cli-state-'));
  await cp(FIXTURES, home, { recursive: true });
});
afterAll(async () => p?.stop());

describe('spendgraph collect', () => {
  it('prints a summary on --dry-run and sends nothing', async () => {
    const { stdout } = await collect('--dry-run');
    expect(stdout).toMatch(/day\s+tool\s+model\s+session\s+calls\s+input\s+output\s+cache_read\s+cache_write_5m\s+cache_write_1h\s+reasoning/);
    expect(stdout).toMatch(/2026-11-20\s+codex\s+gpt-5-codex\s+0199aaaa-bbbb-cccc-dddd-eeeeffff0000\s+3\s+2,000\s+600\s+2,000\s+0\s+0\s+200/);
    expect(stdout).toContain('11 new calls');
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(0);
  });

  it('sends every call once, as one event, and a rerun sends nothing', async () => {
    const { stdout, stderr } = await collect();
    // 11 calls → 11 events; the three of session sess-a are each one event shared by WRK-237 and WRK-301.
    expect(stdout).toContain('sent 11 calls');
    expect(stderr).toMatch(/skipped .*broken00\.json: /);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 11, 30_000, 'the events to be stored');
    const { rows } = await p.pool.query(
      `SELECT source, sum(input_tokens)::int AS input, sum(output_tokens)::int AS output, sum(cache_read_tokens)::int AS cache_read,
              sum(cache_write_5m_tokens)::int AS w5m, sum(cache_write_1h_tokens)::int AS w1h, sum(reasoning_tokens)::int AS reasoning
         FROM usage_events WHERE workspace_id = $1 GROUP BY source ORDER BY source`, [ws.workspaceId]);
    expect(rows).toEqual([
      { source: 'claude-code', input: 122, output: 83, cache_read: 1200, w5m: 70, w1h: 60, reasoning: 0 },
      { source: 'codex', input: 2000, output: 600, cache_read: 2000, w5m: 0, w1h: 0, reasoning: 200 },
      { source: 'gemini-cli', input: 1310, output: 210, cache_read: 700, w5m: 0, w1h: 0, reasoning: 55 },
    ]);
    // Codex logs each turn's reasoning effort (turn_context), Claude Code the thinking a prompt set (sess-b's: high):
    // it lands on the stored events; the Gemini CLI logs none.
    const effort = await p.pool.query(`SELECT source, effort, count(*)::int AS n FROM usage_events WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`, [ws.workspaceId]);
    expect(effort.rows).toEqual([
      { source: 'claude-code', effort: 'high', n: 1 }, { source: 'claude-code', effort: null, n: 3 }, { source: 'codex', effort: 'high', n: 1 }, { source: 'codex', effort: 'medium', n: 2 },
      { source: 'gemini-cli', effort: null, n: 4 },
    ]);
    // `calls` is the number of calls, in total and per source; each work item has the calls done for it,
    // and its share of their tokens (A1 10/50, A2 5/20, A3 7/3 halved between WRK-237 and WRK-301).
    const q = `query ($by: [String!]!) { breakdown(measures: ["calls", "work_item_input_tokens", "work_item_output_tokens"], by: $by,
      timeRange: { from: "2026-11-01", to: "2026-11-30T23:59:59.999" }) { measures { measure value } children { value measures { measure value } } } }`;
    const m = (n: any) => Object.fromEntries(n.measures.map((x: any) => [x.measure, Number(x.value)]));
    const bySource = (await graphqlData(p.apiUrl, ws.key, q, { by: ['source'] })).breakdown;
    expect(m(bySource).calls).toBe(11);
    expect(Object.fromEntries(bySource.children.map((c: any) => [c.value, m(c).calls]))).toEqual({ 'claude-code': 4, codex: 3, 'gemini-cli': 4 });
    const items = (await graphqlData(p.apiUrl, ws.key, q, { by: ['work_item'] })).breakdown.children;
    expect(Object.fromEntries(items.map((c: any) => [c.value, m(c)]))).toEqual({
      'PROJ-12': { calls: 1, work_item_input_tokens: 100, work_item_output_tokens: 10 },
      'WRK-237': { calls: 3, work_item_input_tokens: 11, work_item_output_tokens: 36.5 },
      'WRK-301': { calls: 3, work_item_input_tokens: 11, work_item_output_tokens: 36.5 },
      'WRK-42': { calls: 2, work_item_input_tokens: 910, work_item_output_tokens: 160 },
      'WRK-500': { calls: 3, work_item_input_tokens: 2000, work_item_output_tokens: 600 },
      null: { calls: 2, work_item_input_tokens: 400, work_item_output_tokens: 50 },
    });
    const sub = await p.pool.query(`SELECT DISTINCT agent, session_id, tags->>'repository' AS repo, tags->>'branch' AS branch FROM usage_events WHERE workspace_id = $1 AND tags ? 'subagent' ORDER BY agent`, [ws.workspaceId]);
    expect(sub.rows).toEqual([
      { agent: 'claude-code/subagent', session_id: 'sess-a', repo: '/srv/repo', branch: 'feature/WRK-237-login' },
      { agent: 'gemini-cli/subagent', session_id: 'gem-1', repo: null, branch: null },
    ]);

    // Each event names the machine (a hash of its host name) and its OS, and the developer given by --user.
    const origin = await p.pool.query(`SELECT DISTINCT tags->>'machine' AS machine, tags->>'os' AS os, user_id FROM usage_events WHERE workspace_id = $1`, [ws.workspaceId]);
    expect(origin.rows).toEqual([{ machine: expect.stringMatching(/^[0-9a-f]{12}$/), os: process.platform, user_id: 'dev-7' }]);
    const byMachine = (await graphqlData(p.apiUrl, ws.key, q, { by: ['machine_os', 'machine'] })).breakdown.children;
    expect(byMachine.map((c: any) => [c.value, m(c).calls])).toEqual([[process.platform, 11]]);
    expect(origin.rows[0].machine).toBe(thisMachine().machine); // the host name's hash

    const again = await collect();
    expect(again.stdout).toContain('sent 0 calls');
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(11);
  });

  it('--watch sends new calls as they are written, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'collect', '--watch', '--interval', '0.2', '--api', p.apiUrl, '--key', ws.key,
      '--claude-dir', join(home, 'claude'), '--codex-dir', join(home, 'codex'), '--gemini-dir', join(home, 'gemini'),
      '--state-dir', stateDir, '--settle', '0']);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const line = JSON.stringify({ type: 'assistant', sessionId: 'sess-w', timestamp: '2026-11-22T10:00:00.000Z', requestId: 'r-w',
      message: { id: 'msg_watch', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: 4 } } });
    await appendFile(join(home, 'claude/projects/-srv-repo/sess-w.jsonl'), `${line}\n`);
    await waitFor(async () => out.includes('sent 1 calls'), 30_000, 'the watcher to send the new call');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 12, 30_000, 'the watched call to be stored');
  });

  it('--list-sources says which agents were found and which were not, without a key', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'sg-cli-sources-'));
    await cp(FIXTURES, fresh, { recursive: true });
    const list = (...a: string[]) => run(process.execPath, [MAIN, 'collect', '--list-sources', ...dirs(fresh), ...a]);
    const { stdout } = await list('--json');
    expect(JSON.parse(stdout).map((s: any) => [s.tool, s.status, s.files])).toEqual([
      ['claude-code', 'found', 2], ['codex', 'found', 1], ['gemini-cli', 'found', 4], ['opencode', 'missing', 0], ['amp', 'missing', 0],
      ['qwen-code', 'missing', 0],
    ]);
    const text = (await list()).stdout;
    expect(text).toMatch(/^opencode\s+not found\s+\S*opencode \(absent\)$/m);
    expect(text).toMatch(/^codex\s+found: 1 files/m);
  });

  it('rejects bad options with a message naming them', async () => {
    await expect(collect('--since', 'yesterday-ish')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--since: 'yesterday-ish' is not a date") });
  });
});
