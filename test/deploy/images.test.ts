// The container images, built here (scripts/containers.sh: buildah, a local bookworm + Node 24
// base) and run as a deployment runs them: the api's migrate command, then api + worker + web
// from their images against the run's TimescaleDB and Redis. A batch ingested through the API is
// read back through the web app in Chromium, and each image's HEALTHCHECK passes.
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { addMembership, createApiKey, createPool, ensureWorkspace, type Pool } from '@spendgraph/db';
import { generateDemoEvents, postAll } from '@spendgraph/demo';
import { person } from '@spendgraph/test-support/people';
import { freePort, graphqlData, storedCount, waitFor } from '@spendgraph/test-support/platform';
import { launchBrowser, signIn } from '../../apps/web/test/support.ts';
import { type Running, buildImages, runImage } from './buildah.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const image = (target: string) => `localhost/spendgraph-${target}:latest`;

let pool: Pool;
let browser: Browser | undefined;
const running: Running[] = [];
let api: Running, worker: Running, web: Running;
let apiUrl: string, webUrl: string;

beforeAll(async () => {
  const timings = await buildImages(ROOT);
  process.stderr.write(`${timings.join('\n')}\n`);
  pool = createPool(inject('databaseUrl'));
  const [apiPort, metricsPort, webPort] = [await freePort(), await freePort(), await freePort()];
  // What docker-compose.yml gives the services, pointed at this run's services and ports.
  const common = {
    DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), OPERATOR_TOKEN: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn', QUEUE_PREFIX: `sg-test-${randomUUID()}`, SPENDGRAPH_ROLLUP_SCHEMA: `rollups_${randomUUID().slice(0, 8)}`,
  };
  const migrate = await runImage(image('api'), { DATABASE_URL: common.DATABASE_URL }, ['true']);
  running.push(migrate);
  const migrated = await migrate.exec(['node', 'packages/db/src/migrate-cli.ts']);
  expect(migrated.code, migrated.stderr).toBe(0);
  api = await runImage(image('api'), { ...common, API_HOST: '127.0.0.1', API_PORT: String(apiPort), AUTH_FAILURES_PER_MINUTE: '1000' });
  running.push(api);
  worker = await runImage(image('worker'), { ...common, WORKER_QUEUES: 'ingest', WORKER_METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: String(metricsPort) });
  running.push(worker);
  web = await runImage(image('web'), { SPENDGRAPH_API_URL: `http://127.0.0.1:${apiPort}`, PORT: String(webPort) });
  running.push(web);
  apiUrl = `http://127.0.0.1:${apiPort}`;
  webUrl = `http://127.0.0.1:${webPort}`;
  await waitFor(async () => (await fetch(`${apiUrl}/ready`).catch(() => undefined))?.ok, 150_000, 'the api image to be ready');
  await waitFor(async () => (await fetch(`${webUrl}/signin`).catch(() => undefined))?.ok, 60_000, 'the web image to serve');
}, 900_000);

afterAll(async () => {
  await browser?.close();
  for (const r of running.reverse()) await r.stop();
  await pool?.end();
});

describe('the container images', () => {
  it('pass their health checks once started', async () => {
    for (const [name, r] of [['api', api], ['worker', worker], ['web', web]] as const) {
      await waitFor(async () => (await r.healthcheck()) === 0, 60_000, `the ${name} image's HEALTHCHECK`);
    }
  });

  it('run as their own user, not root', async () => {
    for (const r of [api, worker, web]) expect((await r.exec(['id', '-un'])).stdout.trim()).toBe('spendgraph');
  });

  it('store a batch sent to the api image and show it through the web image in Chromium', async () => {
    const ws = await ensureWorkspace(pool, `images-${Date.now().toString(36)}`, 'Container images');
    await addMembership(pool, { userId: (await person(pool, 'owner')).id, workspaceId: ws.id, role: 'owner' });
    const { key } = await createApiKey(pool, ws.id, ['ingest', 'read', 'admin']);
    const end = new Date(new Date().toISOString().slice(0, 13) + ':00:00Z');
    const sent = await postAll(apiUrl, key, generateDemoEvents({ events: 300, days: 3, end }));
    await waitFor(async () => (await storedCount(pool, ws.id)) === sent, 60_000, 'the worker image to store the batch');

    const data = await graphqlData(apiUrl, key, `{ breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { relative: "last 30 days" }) { measures { measure value } } }`);
    const measure = (m: string) => data.breakdown.measures.find((x: { measure: string }) => x.measure === m).value;
    expect(Number(measure('calls'))).toBe(sent);
    expect(Number(measure('total_cost'))).toBeGreaterThan(0);

    browser = await launchBrowser();
    const page = await browser.newPage();
    page.setDefaultTimeout(120_000);
    await signIn(page, { url: webUrl, stop: async () => {} }, key);
    await page.goto(`${webUrl}/?days=30`);
    expect(await page.getByTestId('kpi-cost').getAttribute('data-value')).toBe(measure('total_cost'));
  });
});
