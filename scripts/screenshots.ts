// Screenshots of every page of the web app for docs/screenshots/ (`npm run screenshots`): the built
// web app (`npm run build:web`) over a platform of its own — a fresh database, migrated, the API
// and worker — with the demo workload (events, provider bills, cost pools, revenue) seeded through
// the real API as the web tests do (apps/web/test/support.ts), anomalies detected and a morning
// report written as the worker's jobs do, a saved view, a dashboard, an alert rule and its
// notifications. A person (the workspace's owner, with calls of their own for "My cost") signed in,
// each page viewed in Debian's Chromium at 1440×900 (the viewport, not the whole page), light mode
// except overview-dark.png.
//   npm run screenshots   (scripts/run.sh node scripts/screenshots.ts)
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { addMembership, migrate } from '@spendgraph/db';
import { detectAnomalies, writeMorningReport } from '@spendgraph/insights';
import { BUDGETS_QUEUE, EVALUATE_ALERT_RULES_JOB, EVALUATE_BUDGETS_JOB, INSIGHTS_QUEUE } from '@spendgraph/queue';
import { createSemanticLayer } from '@spendgraph/semantic';
import { person } from '@spendgraph/test-support/people';
import { graphqlData, ingestAndWait, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { AXES } from '../apps/web/lib/axes.ts';
import { type Web, demoWorkspace, launchBrowser, signInAsPerson, startWeb } from '../apps/web/test/support.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
/** The axes shown (a list and one value's page each): the names of app/(main)/[axis] (lib/axes.ts). */
const AXIS_PAGES = ['users', 'models', 'agents', 'work-items', 'sessions'];

const base = process.env.DATABASE_URL!;
const dbName = `spendgraph_screenshots_${process.pid}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(base);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
const taken: string[] = [];

/** The page at `path`, settled, saved as `<name>.png` (`before` runs first: scroll, open, wait). */
async function shoot(page: Page, web: Web, name: string, path: string, before?: () => Promise<unknown>) {
  await page.goto(`${web.url}${path}`);
  await page.locator('main h2').first().waitFor();
  await page.waitForLoadState('networkidle');
  await before?.();
  await page.waitForTimeout(400); // charts' entry animation
  await page.screenshot({ path: `${OUT}${name}.png` });
  taken.push(`${name}.png`);
  console.error(`screenshots: ${name}.png`);
}

/** The first link under `selector` on the page at `path` (a list's first row: an id to show the page of). */
async function firstHref(page: Page, web: Web, path: string, selector: string): Promise<string> {
  await page.goto(`${web.url}${path}`);
  const link = page.locator(selector).first();
  await link.waitFor();
  return new URL((await link.getAttribute('href'))!, web.url).pathname + new URL((await link.getAttribute('href'))!, web.url).search;
}

try {
  await migrate(databaseUrl);
  const p = await startPlatform({
    databaseUrl, redisUrl: process.env.REDIS_URL!,
    env: { WORKER_QUEUES: 'ingest,insights,alerts,budgets', ANOMALY_EVERY_MS: '0', MORNING_REPORT_ENABLED: 'false', ALERT_RULES_EVERY_MS: '0', BUDGET_EVAL_EVERY_MS: '0' },
  });
  const web = await startWeb(p.apiUrl);
  const browser = await launchBrowser();
  const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const insights = new Queue(INSIGHTS_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
  const budgets = new Queue(BUDGETS_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
  const done = async (job: { getState(): Promise<string> }, what: string) => waitFor(async () => (await job.getState()) === 'completed', 120_000, what);
  try {
    const ws = await demoWorkspace(p, { events: 6000, days: 60 });
    const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
    // The person signed in: an owner with calls of their own this month (My cost).
    const me = await person(p.pool, 'dana');
    await addMembership(p.pool, { userId: me.id, workspaceId: ws.workspaceId, role: 'owner' });
    // Their coding sessions of the last six days, twelve a day: most alike, one a day in two far
    // costlier (more calls, a larger model) — the anomalies the detector finds and the rule notifies.
    const mine = Array.from({ length: 6 }, (_, d) => Array.from({ length: 12 }, (_, n) => {
      const outlier = n === 0 && d % 2 === 0;
      const start = Date.now() - (d + 1) * 86_400_000 + n * 40 * 60_000;
      return Array.from({ length: outlier ? 8 : 3 }, (_, c) => ({
        occurred_at: new Date(start + c * 60_000).toISOString(), provider: 'anthropic', model: outlier ? 'claude-opus-4-1' : 'claude-sonnet-4-5',
        user_id: me.email, agent: 'claude-code', session_id: `dana-${d}-${n}`, work_item: `SG-${101 + (n % 4)}`,
        cost: outlier ? '0.95' : (0.25 + (n % 3) * 0.05).toFixed(2), usage: { input_tokens: outlier ? 40_000 : 9_000, output_tokens: 800 },
      }));
    })).flat(2);
    await ingestAndWait(p, ws, mine);

    const semantic = await createSemanticLayer({ databaseUrl });
    await detectAnomalies({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, range: { from: new Date(Date.now() - 61 * 86_400_000), to: new Date() } });
    const { report } = await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, settings: { timezone: 'UTC', currency: 'USD' } });
    await semantic.close();

    // Saved views, a dashboard of them (pinned as the overview), an alert rule and its notifications.
    const save = async (name: string, state: Record<string, unknown>) =>
      (await api('mutation($i: SaveViewInput!) { saveView(input: $i) { id } }', { i: { name, shared: true, state } })).saveView.id as string;
    const views = [
      await save('Daily spend by provider', { measures: ['total_cost'], by: ['provider'], chart: 'timeseries', timeRange: { relative: 'last 30 days' } }),
      await save('Cost by model', { measures: ['total_cost', 'calls'], by: ['model'], chart: 'bar', timeRange: { relative: 'last 30 days' } }),
      await save('Top users', { measures: ['total_cost', 'calls'], by: ['user_id'], chart: 'table', timeRange: { relative: 'last 7 days' } }),
    ];
    const { createDashboard: dashboard } = await api('mutation($i: DashboardInput!) { createDashboard(input: $i) { id } }',
      { i: { name: 'Team spend', tiles: [{ viewId: views[0], size: 'large' }, { viewId: views[1], size: 'medium' }, { viewId: views[2], size: 'medium' }] } });
    await api('mutation($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }', {
      i: { name: 'Daily cost per user over $2', kind: 'metric', metric: { measure: 'total_cost', dimension: 'user_id', window: 'day', comparison: 'gt', threshold: '2' } },
    });
    await api('mutation($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }', { i: { name: 'Anomalies over $5', kind: 'anomaly', anomaly: { minImpact: '5' } } });
    await done(await insights.add(EVALUATE_ALERT_RULES_JOB, { workspaceId: ws.workspaceId }), 'the alert rule evaluation');
    await done(await budgets.add(EVALUATE_BUDGETS_JOB, { workspaceId: ws.workspaceId }), 'the budget evaluation');

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    context.setDefaultTimeout(120_000);
    const page = await context.newPage();
    await signInAsPerson(page, web, me.email);
    mkdirSync(OUT, { recursive: true });

    await shoot(page, web, 'overview-compare', '/?range=last%2030%20days&compare=previous');
    await shoot(page, web, 'explorer', `/explore?${new URLSearchParams({ m: 'total_cost,calls', by: 'provider,model,user_id', range: 'last 30 days', gran: 'day', limit: '3' })}`,
      () => page.getByRole('table').first().evaluate((e) => e.scrollIntoView({ block: 'start' })));
    await shoot(page, web, 'events', '/events?range=last%207%20days');
    await shoot(page, web, 'event', await firstHref(page, web, '/events?range=last%207%20days', 'main a[href^="/events/"]'));
    await shoot(page, web, 'plans', '/plans');
    const plan = await firstHref(page, web, '/plans', 'main a[href^="/plans/"]:not([href^="/plans/compare"])');
    await shoot(page, web, 'plan', plan);
    const { plans } = await api('{ plans { id } }') as { plans: Array<{ id: string }> };
    const ids = plans.length >= 2 ? plans.slice(0, 3).map((x) => x.id) : [decodeURIComponent(plan.split('/')[2]!)];
    await shoot(page, web, 'plans-compare', `/plans/compare?${new URLSearchParams(ids.map((id): [string, string] => ['ids', id]))}`);
    await shoot(page, web, 'anomalies', '/anomalies?compare=previous');
    await shoot(page, web, 'reports', '/reports');
    if (report) {
      // The report's reconciliation and margin lines sit below its charts: scroll them to the top.
      await shoot(page, web, 'morning-report', `/reports/${report.id}`, () => page.getByTestId('report-reconciliation').evaluate((e) => e.scrollIntoView({ block: 'start' })));
    }
    await shoot(page, web, 'budgets', '/budgets');
    await shoot(page, web, 'reconciliation', '/reconciliation?range=last%2030%20days&compare=previous');
    await shoot(page, web, 'profitability', '/profitability?period=last%20month&by=customer_id');
    await shoot(page, web, 'savings', '/savings');
    await shoot(page, web, 'organization', '/organization');
    await shoot(page, web, 'my-cost', '/me');
    await shoot(page, web, 'views', '/views');
    await shoot(page, web, 'dashboards', '/dashboards');
    await shoot(page, web, 'dashboard', `/dashboards/${dashboard.id}`, () => page.locator('[data-testid="dashboard-tile"][data-figures]').nth(2).waitFor());
    await shoot(page, web, 'alert-rules', '/alerts');
    await shoot(page, web, 'notifications', '/alerts', async () => {
      await page.getByTestId('notification-bell').getByRole('button', { name: /^Notifications/ }).click();
      await page.locator('#notification-list').waitFor();
    });
    await shoot(page, web, 'settings', '/settings');
    for (const seg of AXIS_PAGES) {
      const one = AXES[seg]!.one.toLowerCase().replaceAll(' ', '-');
      await shoot(page, web, seg, `/${seg}?range=last%2030%20days`);
      await shoot(page, web, one, await firstHref(page, web, `/${seg}?range=last%2030%20days`, `[data-testid="axis-list"] tbody a[href^="/${seg}/"]`));
    }
    await api('mutation($id: ID!) { pinDashboard(id: $id) { id } }', { id: dashboard.id });
    await shoot(page, web, 'overview-pinned-dashboard', '/', () => page.locator('[data-testid="dashboard-tile"][data-figures]').first().evaluate((e) => e.scrollIntoView({ block: 'center' })));
    await api('mutation($id: ID!) { pinDashboard(id: $id, pinned: false) { id } }', { id: dashboard.id });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, web, 'overview-dark', '/?range=last%2030%20days');
    console.log(taken.join('\n'));
  } finally {
    await insights.close();
    await budgets.close();
    redis.disconnect();
    await browser.close();
    await web.stop();
    await p.stop();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
