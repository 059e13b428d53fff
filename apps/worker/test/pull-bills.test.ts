// The scheduled cost-report connectors against a local server speaking OpenAI's and Anthropic's
// documented formats (the fixtures of packages/billing), with paging: every page is read, the
// admin keys go where they belong, and pulling again replaces instead of adding.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { MAINTENANCE_QUEUE, PULL_BILLS_JOB } from '@spendgraph/queue';
import { type Platform, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const fixture = (name: string) => readFileSync(new URL(`../../../packages/billing/test/fixtures/${name}`, import.meta.url), 'utf8');

/** Each provider's two pages; the second is served for the first's next_page token. */
const ROUTES: Record<string, { auth: (r: IncomingMessage) => boolean; pages: [string, string]; token: string }> = {
  '/openai/v1/organization/costs': {
    auth: (r) => r.headers.authorization === 'Bearer sk-admin-openai-test',
    pages: [fixture('openai-costs-page1.json'), fixture('openai-costs-page2.json')], token: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=',
  },
  '/anthropic/v1/organizations/cost_report': {
    auth: (r) => r.headers['x-api-key'] === 'sk-ant-admin-test' && r.headers['anthropic-version'] === '2023-06-01',
    pages: [fixture('anthropic-cost-page1.json'), fixture('anthropic-cost-page2.json')], token: 'page_MjAyNi0xMS0zMFQwMDowMDowMFo=',
  },
};

let p: Platform;
let server: Server;
let redis: Redis;
let queue: Queue;
const seen: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://local');
    seen.push(url);
    const route = ROUTES[url.pathname];
    if (!route) return res.writeHead(404).end();
    if (!route.auth(req)) return res.writeHead(401).end('{"error":"unauthorized"}');
    const page = url.searchParams.get('page');
    res.writeHead(200, { 'content-type': 'application/json' }).end(page === route.token ? route.pages[1] : route.pages[0]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p = await startPlatform({ worker: false, now: new Date('2026-11-30T12:00:00Z') });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await p?.stop();
  server?.close();
});

it('pulls every page of both cost reports into the workspace, and a second pull replaces the first', async () => {
  const ws = await workspaceWithKey(p.pool, ['read']);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.startWorker({
    WORKER_QUEUES: 'maintenance', ROLLUP_WARM_EVERY_MS: '0', RETENTION_EVERY_MS: '0', BILLS_PULL_EVERY_MS: '3600000', BILLS_PULL_DAYS: '7',
    BILLS_WORKSPACE: ws.workspaceId,
    BILLS_OPENAI_ADMIN_KEY: 'sk-admin-openai-test', BILLS_OPENAI_BASE_URL: `${base}/openai/`,
    BILLS_ANTHROPIC_ADMIN_KEY: 'sk-ant-admin-test', BILLS_ANTHROPIC_BASE_URL: `${base}/anthropic`,
  });
  const q = async (sql: string) => (await p.pool.query(sql, [ws.workspaceId])).rows;
  const imports = async () => (await q('SELECT count(*)::int AS n FROM provider_bill_imports WHERE workspace_id = $1'))[0].n as number;
  const bySource = () => q(`SELECT source, count(*)::int AS lines, sum(amount)::text AS total FROM provider_bill_lines WHERE workspace_id = $1 GROUP BY source ORDER BY source`);
  const expected = [{ source: 'anthropic', lines: 4, total: '16.83951' }, { source: 'openai', lines: 6, total: '2.8523456789012345678' }];

  await waitFor(async () => (await imports()) >= 2, 120_000, 'the scheduled pull (run at start) to import both reports');
  expect(await bySource()).toEqual(expected);

  // The period asked for: the 7 days up to today (the fixed clock), each report read to its last page.
  const openai = seen.filter((u) => u.pathname.startsWith('/openai'));
  expect(openai.map((u) => u.searchParams.get('page'))).toEqual([null, 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=']);
  expect([openai[0]!.searchParams.get('start_time'), openai[0]!.searchParams.get('end_time'), openai[0]!.searchParams.getAll('group_by')])
    .toEqual([String(Date.parse('2026-11-24T00:00:00Z') / 1000), String(Date.parse('2026-12-01T00:00:00Z') / 1000), ['line_item', 'project_id']]);
  const anthropic = seen.filter((u) => u.pathname.startsWith('/anthropic'));
  expect(anthropic.map((u) => [u.searchParams.get('starting_at'), u.searchParams.get('page')]))
    .toEqual([['2026-11-24T00:00:00Z', null], ['2026-11-24T00:00:00Z', 'page_MjAyNi0xMS0zMFQwMDowMDowMFo=']]);

  const before = await imports();
  await queue.add(PULL_BILLS_JOB, {});
  await waitFor(async () => (await imports()) >= before + 2, 60_000, 'a second pull');
  expect(await bySource()).toEqual(expected);
});
