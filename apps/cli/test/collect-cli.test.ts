// `spendgraph collect` end to end: fixture logs → the real API, queue, worker and hypertable.
import { execFile, spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, storedCount, waitFor, workspaceWithKey } from '../../../test/support/platform.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../packages/collectors/test/fixtures', import.meta.url));

let p: Platform;
let ws: { workspaceId: string; key: string };
let home: string;
let stateDir: string;

async function collect(...args: string[]) {
  return run(process.execPath, [MAIN, 'collect', '--api', p.apiUrl, '--key', ws.key, '--claude-dir', join(home, 'claude'),
    '--codex-dir', join(home, 'codex'), '--gemini-dir', join(home, 'gemini'), '--state-dir', stateDir, '--settle', '0', '--no-progress', ...args]);
}

beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool);
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

  it('sends every call once, split by work item, and a rerun sends nothing', async () => {
    const { stdout, stderr } = await collect();
    // 11 calls; the three of session sess-a are split between WRK-237 and WRK-301 → 14 events.
    expect(stdout).toContain('sent 14 events (11 calls)');
    expect(stderr).toMatch(/skipped .*broken00\.json: /);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 14, 30_000, 'the events to be stored');
    const { rows } = await p.pool.query(
      `SELECT source, sum(input_tokens)::int AS input, sum(output_tokens)::int AS output, sum(cache_read_tokens)::int AS cache_read,
              sum(cache_write_5m_tokens)::int AS w5m, sum(cache_write_1h_tokens)::int AS w1h, sum(reasoning_tokens)::int AS reasoning
         FROM usage_events WHERE workspace_id = $1 GROUP BY source ORDER BY source`, [ws.workspaceId]);
    expect(rows).toEqual([
      { source: 'claude-code', input: 122, output: 83, cache_read: 1200, w5m: 70, w1h: 60, reasoning: 0 },
      { source: 'codex', input: 2000, output: 600, cache_read: 2000, w5m: 0, w1h: 0, reasoning: 200 },
      { source: 'gemini-cli', input: 1310, output: 210, cache_read: 700, w5m: 0, w1h: 0, reasoning: 55 },
    ]);
    const items = await p.pool.query(
      `SELECT work_item, sum(input_tokens)::int AS input, sum(output_tokens)::int AS output FROM usage_events
        WHERE workspace_id = $1 AND source = 'claude-code' GROUP BY work_item ORDER BY work_item`, [ws.workspaceId]);
    expect(items.rows).toEqual([
      { work_item: 'PROJ-12', input: 100, output: 10 },
      { work_item: 'WRK-237', input: 12, output: 37 },
      { work_item: 'WRK-301', input: 10, output: 36 },
    ]);
    const sub = await p.pool.query(`SELECT DISTINCT agent, session_id, tags->>'repository' AS repo, tags->>'branch' AS branch FROM usage_events WHERE workspace_id = $1 AND tags ? 'subagent' ORDER BY agent`, [ws.workspaceId]);
    expect(sub.rows).toEqual([
      { agent: 'claude-code/subagent', session_id: 'sess-a', repo: '/work/repo', branch: 'feature/WRK-237-login' },
      { agent: 'gemini-cli/subagent', session_id: 'gem-1', repo: null, branch: null },
    ]);

    const again = await collect();
    expect(again.stdout).toContain('sent 0 events (0 calls)');
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(14);
  });

  it('--watch sends new calls as they are written, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'collect', '--watch', '--interval', '0.2', '--api', p.apiUrl, '--key', ws.key,
      '--claude-dir', join(home, 'claude'), '--codex-dir', join(home, 'codex'), '--gemini-dir', join(home, 'gemini'),
      '--state-dir', stateDir, '--settle', '0']);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const line = JSON.stringify({ type: 'assistant', sessionId: 'sess-w', timestamp: '2026-11-22T10:00:00.000Z', requestId: 'r-w',
      message: { id: 'msg_watch', model: 'claude-sonnet-4-5', usage: { input_tokens: 3, output_tokens: 4 } } });
    await appendFile(join(home, 'claude/projects/-work-repo/sess-w.jsonl'), `${line}\n`);
    await waitFor(async () => out.includes('sent 1 events (1 calls)'), 30_000, 'the watcher to send the new call');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 15, 30_000, 'the watched call to be stored');
  });

  it('rejects bad options with a message naming them', async () => {
    await expect(collect('--since', 'yesterday-ish')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--since: 'yesterday-ish' is not a date") });
  });
});
