// `spendgraph import` end to end: each tool's export fixture → the real API, queue, worker and
// hypertable; stored events and costs against the file's own totals; importing again (or the same
// records in the tool's other file format) stores nothing twice.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/import/${name}`, import.meta.url));

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => p?.stop());

type Ws = { workspaceId: string; key: string };

async function importJson(ws: Ws, ...args: string[]) {
  const { stdout } = await run(process.execPath, [MAIN, 'import', '--api', p.apiUrl, '--key', ws.key, '--no-progress', '--json', ...args]);
  return JSON.parse(stdout) as any[];
}

/** What the database holds for a workspace: events, all their tokens, their cost (summed in SQL). */
async function stored(ws: Ws) {
  const { rows } = await p.pool.query(
    `SELECT count(*)::int AS events,
            coalesce(sum(input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + reasoning_tokens), 0)::int AS tokens,
            coalesce(sum(total_cost), 0)::text AS cost,
            count(*) FILTER (WHERE price_source = 'supplied')::int AS supplied
       FROM usage_events WHERE workspace_id = $1`, [ws.workspaceId]);
  return rows[0] as { events: number; tokens: number; cost: string; supplied: number };
}

const storedAll = (ws: Ws, n: number) => waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) >= n, 30_000, `${n} events to be stored`);
const decimal = (s: string) => Number(s).toFixed(12); // numeric's trailing zeros aside

describe('spendgraph import', () => {
  it('Langfuse: generations stored with their supplied cost; the CSV of the same observations and a re-import store nothing twice', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest']);
    const [s] = await importJson(ws, fixture('langfuse-observations.json'));
    // The fixture's own totals (README): 7 observations, 7,285 tokens, $0.0105525.
    expect(s).toMatchObject({ format: 'langfuse', shape: 'json-array', balanced: true, sent: 4, file: { rows: 7, tokens: 7285, cost: '0.0105525' } });
    expect(s.skipped).toEqual({ rows: 3, tokens: 65, cost: '0.0001', reasons: { 'not a model call (type SPAN)': 1, 'no model': 1, 'provider unknown (give --provider)': 1 } });
    await storedAll(ws, 4);
    expect(await stored(ws)).toEqual({ events: 4, tokens: 7220, cost: expect.any(String), supplied: 4 });
    expect(decimal((await stored(ws)).cost)).toBe(decimal('0.0104525'));
    const { rows } = await p.pool.query(
      `SELECT provider, model, user_id, session_id, feature, status, latency_ms, input_tokens::int, cache_read_tokens::int, output_tokens::int, reasoning_tokens::int, tags->>'cost_source' AS cost_source, tags->>'trace_id' AS trace
         FROM usage_events WHERE workspace_id = $1 AND model = 'gpt-4o'`, [ws.workspaceId]);
    expect(rows).toEqual([{ provider: 'openai', model: 'gpt-4o', user_id: 'u-1', session_id: 's-1', feature: 'search', status: 'ok', latency_ms: 1250,
      input_tokens: 800, cache_read_tokens: 200, output_tokens: 150, reasoning_tokens: 50, cost_source: 'langfuse', trace: 'trace-1' }]);

    // The CSV export holds the same observations: same ids, nothing new. --provider takes in the one row whose model tells none.
    const [csv] = await importJson(ws, fixture('langfuse-observations.csv'), '--provider', 'acme');
    expect(csv).toMatchObject({ shape: 'csv', balanced: true, sent: 5, file: s.file });
    await storedAll(ws, 5);
    await importJson(ws, fixture('langfuse-observations.json'));
    // A sentinel after the re-sent batch (3 new events): once it is stored, the re-sent one was processed.
    await importJson(ws, fixture('helicone-requests.csv'));
    await storedAll(ws, 8);
    const after = await stored(ws);
    expect(after.events).toBe(8);
    expect(decimal(after.cost)).toBe(decimal(String(0.0105525 + 0.00336)));
  });

  it('Helicone: the JSONL export (full records) and the CSV export (its own columns) reconcile and store once', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest']);
    const [s] = await importJson(ws, fixture('helicone-requests.jsonl'));
    expect(s).toMatchObject({ format: 'helicone', shape: 'jsonl', balanced: true, sent: 3, file: { rows: 5, tokens: 3075, cost: '0.003466' } });
    expect(s.skipped.reasons).toEqual({ 'no model': 1, 'no request_created_at': 1 });
    await storedAll(ws, 3);
    const db = await stored(ws);
    expect([db.events, db.tokens, decimal(db.cost), db.supplied]).toEqual([3, 3000, decimal('0.00336'), 3]);
    const { rows } = await p.pool.query(
      `SELECT model, status, session_id, user_id, feature, input_tokens::int, cache_read_tokens::int FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at`, [ws.workspaceId]);
    expect(rows).toEqual([
      { model: 'gpt-4o-mini', status: 'ok', session_id: 'hs-1', user_id: 'u-7', feature: 'chat', input_tokens: 1000, cache_read_tokens: 200 },
      { model: 'claude-sonnet-4-5', status: 'ok', session_id: null, user_id: 'u-7', feature: null, input_tokens: 400, cache_read_tokens: 1000 },
      { model: 'gpt-4o', status: 'rate_limited', session_id: null, user_id: null, feature: null, input_tokens: 0, cache_read_tokens: 0 },
    ]);
    await importJson(ws, fixture('helicone-requests.jsonl'));
    await importJson(ws, fixture('litellm-spendlogs.json')); // a sentinel of 4 new events after the re-sent batch
    await storedAll(ws, 7);
    expect((await stored(ws)).events).toBe(7);

    const csvWs = await workspaceWithKey(p.pool, ['ingest']);
    const [c] = await importJson(csvWs, fixture('helicone-requests.csv'));
    expect(c).toMatchObject({ shape: 'csv', balanced: true, sent: 3, file: { rows: 4, tokens: 3050, cost: '0.00346' } });
    await storedAll(csvWs, 3);
    const csvDb = await stored(csvWs);
    expect([csvDb.events, csvDb.tokens, decimal(csvDb.cost)]).toEqual([3, 3000, decimal('0.00336')]);
  });

  it('LiteLLM SpendLogs: spend kept as supplied, keys, teams and end users carried; JSON and CSV are the same rows', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest']);
    const [s] = await importJson(ws, fixture('litellm-spendlogs.json'));
    expect(s).toMatchObject({ format: 'litellm', balanced: true, sent: 4, file: { rows: 5, tokens: 5110, cost: '0.01392' }, skipped: { rows: 1, reasons: { 'no request_id': 1 } } });
    await storedAll(ws, 4);
    const db = await stored(ws);
    expect([db.events, db.tokens, decimal(db.cost), db.supplied]).toEqual([4, 5100, decimal('0.01392'), 4]);
    const { rows } = await p.pool.query(
      `SELECT provider, model, status, user_id, customer_id, session_id, feature, latency_ms, tags->>'team' AS team, tags->>'cache_hit' AS cache_hit
         FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at`, [ws.workspaceId]);
    expect(rows).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', status: 'ok', user_id: 'u-9', customer_id: 'cust-1', session_id: null, feature: 'rerank', latency_ms: 1500, team: 'search-team', cache_hit: 'False' },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'ok', user_id: 'u-9', customer_id: null, session_id: 'ls-1', feature: null, latency_ms: 4000, team: 'search-team', cache_hit: 'False' },
      { provider: 'openai', model: 'gpt-4o', status: 'error', user_id: 'u-9', customer_id: null, session_id: null, feature: null, latency_ms: 30000, team: 'team-a', cache_hit: 'False' },
      { provider: 'openai', model: 'gpt-4o-mini', status: 'ok', user_id: 'u-9', customer_id: 'cust-1', session_id: null, feature: null, latency_ms: 10, team: 'team-a', cache_hit: 'True' },
    ]);
    // The CSV (times without a zone, as Postgres writes timestamp(3)) is the same rows: nothing new.
    const [csv] = await importJson(ws, fixture('litellm-spendlogs.csv'));
    expect(csv).toMatchObject({ shape: 'csv', balanced: true, file: s.file, imported: s.imported });
    // A sentinel after the re-sent batches: once it is stored, they were processed.
    await importJson(ws, fixture('helicone-requests.csv'));
    await storedAll(ws, 7);
    expect((await stored(ws)).events).toBe(7);
  });

  it('ccusage: each period × model row one aggregate event, its totals equal to the report\'s', async () => {
    for (const [report, events, tokens, cost] of [['daily', 2, 3788, '0.022863'], ['monthly', 2, 3788, '0.022863'], ['session', 2, 3533, '0.0223755']] as const) {
      const ws = await workspaceWithKey(p.pool, ['ingest']);
      const [s] = await importJson(ws, fixture(`ccusage-${report}.json`));
      expect(s).toMatchObject({ format: 'ccusage', balanced: true, sent: events, file: { rows: events, tokens, cost }, imported: { rows: events, tokens, cost } });
      await storedAll(ws, events);
      const db = await stored(ws);
      expect([db.events, db.tokens, decimal(db.cost), db.supplied]).toEqual([events, tokens, decimal(cost), events]);
      const { rows } = await p.pool.query(`SELECT DISTINCT source, tags->>'aggregate' AS aggregate FROM usage_events WHERE workspace_id = $1`, [ws.workspaceId]);
      expect(rows).toEqual([{ source: 'ccusage', aggregate: `ccusage-${report}` }]);
      if (report === 'daily') {
        const days = await p.pool.query(`SELECT occurred_at, model FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at`, [ws.workspaceId]);
        expect(days.rows).toEqual([
          { occurred_at: new Date('2026-11-20T12:00:00Z'), model: 'claude-sonnet-4-5' }, { occurred_at: new Date('2026-11-21T12:00:00Z'), model: 'claude-opus-4-1' },
        ]);
      }
    }
  });

  it('ccusage as installed now: its report with several sections imports one, reconciled with its totals', async () => {
    // The repository's own ccusage run on the collectors' Claude Code fixture: a change of its JSON shows here.
    const dir = await mkdtemp(join(tmpdir(), 'sg-ccusage-'));
    const claude = fileURLToPath(new URL('../../../packages/collectors/test/fixtures/claude', import.meta.url));
    const ccusage = fileURLToPath(new URL('../../../node_modules/ccusage/src/cli.js', import.meta.url));
    const { stdout: report } = await run(process.execPath, [ccusage, 'daily', '--json', '--offline', '--sections', 'daily,monthly'], { env: { ...process.env, CLAUDE_CONFIG_DIR: claude } });
    await writeFile(join(dir, 'report.json'), report);
    const [s] = JSON.parse((await run(process.execPath, [MAIN, 'import', '--dry-run', '--json', '--no-progress', join(dir, 'report.json')])).stdout);
    const totals = JSON.parse(report).totals;
    expect(s).toMatchObject({ format: 'ccusage', balanced: true, file: { tokens: totals.totalTokens }, imported: { tokens: totals.totalTokens, cost: String(totals.totalCost) } });
    expect(s.skipped.reasons).toEqual({ "section 'monthly' not imported (the 'daily' section holds the same usage)": 1 });
    await rm(dir, { recursive: true });
  });

  it('streams a large export: JSON array elements split across read chunks, brackets and quotes inside strings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-import-'));
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      request_id: `chatcmpl-${i}`, call_type: 'acompletion', spend: (i % 7) / 1000, total_tokens: 100 + i, prompt_tokens: 60 + i, completion_tokens: 40,
      startTime: '2026-11-20T10:00:00.000Z', endTime: '2026-11-20T10:00:01.000Z', model: 'gpt-4o-mini', custom_llm_provider: 'openai',
      metadata: { note: `a "quoted" ] } [ { \\ ${'x'.repeat(i % 300)}` }, request_tags: ['a]', '{b'],
    }));
    const tokens = rows.reduce((n, r) => n + r.total_tokens, 0);
    const cost = rows.reduce((n, r) => n + Math.round(r.spend * 1000), 0) / 1000;
    const file = join(dir, 'spendlogs.json');
    await writeFile(file, JSON.stringify(rows, null, 1));
    const { stdout } = await run(process.execPath, [MAIN, 'import', '--dry-run', '--json', '--no-progress', file]);
    const [s] = JSON.parse(stdout);
    expect(s).toMatchObject({ format: 'litellm', shape: 'json-array', balanced: true, sent: 0, file: { rows: 12_000, tokens, cost: String(cost) }, imported: { rows: 12_000, tokens } });
    await writeFile(join(dir, 'spendlogs.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const [l] = JSON.parse((await run(process.execPath, [MAIN, 'import', '--dry-run', '--json', '--no-progress', join(dir, 'spendlogs.jsonl')])).stdout);
    expect(l).toMatchObject({ shape: 'jsonl', file: s.file, imported: s.imported });
    await rm(dir, { recursive: true });
  });

  it('says which tool it cannot tell, and refuses an unknown --format', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest']);
    await expect(importJson(ws, fixture('README.md'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('cannot tell which tool wrote') });
    await expect(importJson(ws, '--format', 'datadog', fixture('ccusage-daily.json'))).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--format: 'datadog' is not one of") });
  });
});
