// Operations: Prometheus /metrics on the API and the worker, systemStatus (queue
// backlogs, last runs of scheduled jobs), and a clean exit on SIGTERM.
import { randomUUID } from 'node:crypto';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Platform, freePort, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey,
} from '@spendgraph/test-support/platform';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let p: Platform;
let worker: ChildProcess;
let metricsUrl: string;
const operator = () => ({ headers: { authorization: `Bearer ${p.env.OPERATOR_TOKEN}` } });
beforeAll(async () => {
  p = await startPlatform({ worker: false });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = p.startWorker({ WORKER_QUEUES: 'ingest,maintenance', WORKER_METRICS_PORT: String(port), ROLLUP_WARM_EVERY_MS: '600000' });
  await waitFor(async () => (await fetch(metricsUrl, operator()).catch(() => undefined))?.ok, 60_000, 'the worker metrics endpoint');
});
afterAll(async () => {
  await p?.stop();
});

/** A GraphQL request with a key and the operator token. */
async function operatorQuery(key: string, query: string) {
  const res = await fetch(`${p.apiUrl}/graphql`, {
    method: 'POST', body: JSON.stringify({ query }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-spendgraph-operator-token': p.env.OPERATOR_TOKEN! },
  });
  return (await res.json()) as any;
}

/** The value of one sample of a Prometheus text exposition, by metric name and labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const scrape = async (url: string) => {
  const res = await fetch(url, operator());
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

it('counts ingest, jobs, latency and queue depth on both /metrics endpoints', async () => {
  const ws = await workspaceWithKey(p.pool);
  const events = Array.from({ length: 40 }, (_, i) => ({
    id: randomUUID(), occurred_at: '2026-10-01T12:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10 + i, output_tokens: 1 },
  }));
  await ingestAndWait(p, ws, events);
  // The same ids again: stored once, counted as duplicates.
  const resend = await fetch(`${p.apiUrl}/v1/events`, {
    method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body: JSON.stringify(events.slice(0, 10)),
  });
  expect(resend.status).toBe(202);
  await fetch(`${p.apiUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body: '[{}]' });

  const w = await waitFor(async () => {
    const text = await scrape(metricsUrl);
    return (sample(text, 'spendgraph_ingested_events_total', { result: 'duplicate', app: 'worker' }) ?? 0) >= 10 && text;
  }, 30_000, 'the resent events to be counted as duplicates');
  expect(sample(w, 'spendgraph_ingested_events_total', { result: 'inserted' })).toBe(40);
  expect(sample(w, 'spendgraph_jobs_total', { queue: 'ingest', job: 'batch', outcome: 'ok' })).toBe(2);
  expect(sample(w, 'spendgraph_job_duration_seconds_count', { queue: 'ingest', job: 'batch', outcome: 'ok' })).toBe(2);
  expect(sample(w, 'spendgraph_queue_jobs', { queue: 'ingest', state: 'waiting' })).toBe(0);
  expect(sample(w, 'spendgraph_queue_jobs', { queue: 'ingest', state: 'failed' })).toBe(0);
  expect(w).toMatch(/^spendgraph_process_resident_memory_bytes\{app="worker"\} \d+/m);

  const a = await scrape(`${p.apiUrl}/metrics`);
  expect(sample(a, 'spendgraph_ingest_events_accepted_total', { app: 'api' })).toBe(50);
  expect(sample(a, 'spendgraph_http_request_duration_seconds_count', { route: '/v1/events', method: 'POST', status: '202' })).toBe(2);
  expect(sample(a, 'spendgraph_http_request_duration_seconds_count', { route: '/v1/events', method: 'POST', status: '400' })).toBe(1);
  expect(sample(a, 'spendgraph_queue_jobs', { queue: 'ingest', state: 'completed' })).toBeGreaterThanOrEqual(2);
});

/** The operator's token with its last character changed (never the token itself). */
const wrongToken = (token: string) => `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;

it('serves /metrics to the operator only: they show every tenant\'s load', async () => {
  const ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  for (const url of [metricsUrl, `${p.apiUrl}/metrics`]) {
    for (const headers of [{}, { authorization: `Bearer ${ws.key}` }, { authorization: `Bearer ${wrongToken(p.env.OPERATOR_TOKEN!)}` }]) {
      const res = await fetch(url, { headers });
      expect(res.status, `${url} ${JSON.stringify(headers)}`).toBe(401);
      expect(await res.text()).not.toContain('spendgraph_queue_jobs');
    }
  }
});

it('refuses to start either app without a real operator token', async () => {
  const cases: Array<[string, string | undefined]> = [['api', undefined], ['api', 'change-me-in-production'], ['worker', undefined], ['worker', 'short']];
  for (const [app, token] of cases) {
    {
      const env = { ...p.env, OPERATOR_TOKEN: token, API_PORT: '0', WORKER_METRICS_PORT: '9' };
      if (token === undefined) delete env.OPERATOR_TOKEN;
      const started = spawnSync(process.execPath, [`apps/${app}/src/main.ts`], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(started.status, `${app} ${token}`).not.toBe(0);
      expect(started.stderr, `${app} ${token}`).toMatch(/OPERATOR_TOKEN/);
    }
  }
});

it('shows a tenant\'s admin key no system-wide queue state', async () => {
  const admin = await workspaceWithKey(p.pool, ['admin']);
  expect((await graphqlData(p.apiUrl, admin.key, '{ systemStatus { checkedAt } }')).systemStatus.checkedAt).toBeTruthy();
  for (const field of ['queues { name backlog }', 'schedules { name }']) {
    const { body } = await graphqlRequest(p.apiUrl, admin.key, `{ systemStatus { ${field} } }`);
    expect(body.errors[0].extensions.code, field).toBe('FORBIDDEN');
    expect(JSON.stringify(body)).not.toMatch(/backlog|warm-rollups/);
  }
});

it('shows queue backlogs and the last run of each scheduled job in systemStatus (admin scope and the operator token)', async () => {
  const admin = await workspaceWithKey(p.pool, ['admin']);
  const query = `{ systemStatus { checkedAt queues { name backlog waiting delayed active failed completed }
    schedules { queue name every pattern nextRunAt lastSuccessAt lastSuccessMs lastFailureAt lastError } } }`;
  // The worker warms roll-ups once at start; its run is recorded when it finishes.
  const status = await waitFor(async () => {
    const s = (await operatorQuery(admin.key, query)).data.systemStatus;
    return s.schedules.find((x: any) => x.name === 'warm-rollups')?.lastSuccessAt && s;
  }, 120_000, 'the first warm-rollups run');
  expect(status.queues.map((q: any) => q.name).sort()).toEqual(['alerts', 'ingest', 'insights', 'maintenance', 'report-deliveries', 'budgets'].sort());
  expect(status.queues.find((q: any) => q.name === 'ingest')).toMatchObject({ backlog: 0, failed: 0 });
  const warm = status.schedules.find((x: any) => x.name === 'warm-rollups');
  expect(warm).toMatchObject({ queue: 'maintenance', every: 600000, pattern: null, lastFailureAt: null, lastError: null });
  expect(Date.parse(warm.nextRunAt)).toBeGreaterThan(Date.now());
  expect(warm.lastSuccessMs).toBeGreaterThanOrEqual(0);

  const reader = await workspaceWithKey(p.pool, ['read']);
  const body = await operatorQuery(reader.key, query);
  expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
});

it('exits cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
});
