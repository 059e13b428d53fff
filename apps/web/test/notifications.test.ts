// Alert rules and notifications in a real Chromium, on a fixed clock (issue 21): a person makes a
// per-user daily cost rule on the alert rules page, allows browser notifications with a click,
// the real worker evaluates the rule, and the notification appears in the nav's bell (its count is
// SQL's over raw events) and as a browser notification. Also axe-core on the anomalies, reports and
// alert rules pages. Screenshots: artifacts/screenshots/alert-rules.png, notifications.png.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addMembership, createApiKey, ensureWorkspace } from '@spendgraph/db';
import { detectAnomalies, writeMorningReport } from '@spendgraph/insights';
import { EVALUATE_ALERT_RULES_JOB, INSIGHTS_QUEUE } from '@spendgraph/queue';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { TEST_PASSWORD, person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, ingestAndWait, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest, otherDays } from '../../../packages/insights/test/fixture.ts';
import { type Web, hydrated, launchBrowser, screenshot, seriousViolations, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 180_000 });

const NOW = new Date('2026-10-11T08:00:00Z');
const THRESHOLD = '25';
let p: Platform;
let semantic: SemanticLayer;
let web: Web;
let browser: Browser;
let page: Page;
let redis: Redis;
let insights: Queue;
let ws: { workspaceId: string; key: string };
let reportId: string;

const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);

/**
 * The page's Notification API, observable: permission starts undecided, a request grants it, and
 * every notification shown is recorded (headless Chromium shows none and answers no prompt).
 */
const FAKE_NOTIFICATIONS = `(() => {
  window.__shown = [];
  class FakeNotification { constructor(title, options) { window.__shown.push({ title, body: options && options.body }); } }
  FakeNotification.permission = 'default';
  FakeNotification.requestPermission = async () => { FakeNotification.permission = 'granted'; return 'granted'; };
  window.Notification = FakeNotification;
})()`;

beforeAll(async () => {
  p = await startPlatform({ now: NOW, env: { WORKER_QUEUES: 'ingest,insights,alerts', ANOMALY_EVERY_MS: '0', MORNING_REPORT_ENABLED: 'false', ALERT_RULES_EVERY_MS: '0' } });
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  insights = new Queue(INSIGHTS_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
  const w = await ensureWorkspace(p.pool, `alerts-${Date.now().toString(36)}`, 'Alert rules test');
  const owner = await person(p.pool, 'owner');
  await addMembership(p.pool, { userId: owner.id, workspaceId: w.id, role: 'owner' });
  ws = { workspaceId: w.id, key: (await createApiKey(p.pool, w.id, ['ingest', 'read', 'admin'])).key };
  await ingest(p, ws, [...dayOfSessions(), ...otherDays()]);
  const call = (at: string, user: string, cost: string) => ({ id: randomUUID(), occurred_at: at, provider: 'openai', model: 'gpt-4o', cost, currency: 'USD', user_id: user, usage: { input_tokens: 10, output_tokens: 5 } });
  await ingestAndWait(p, ws, [call('2026-10-11T06:00:00Z', 'big-spender', '30'), call('2026-10-11T07:00:00Z', 'small-spender', '2')]);
  await detectAnomalies({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, now: new Date('2026-10-10T23:00:00Z') });
  reportId = (await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: new Date('2026-10-11T07:00:00Z') })).report!.id;
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(60_000);
  await context.addInitScript(FAKE_NOTIFICATIONS);
  page = await context.newPage();
  await page.goto(`${web.url}/signin`);
  const form = page.getByRole('form', { name: 'Sign in', exact: true });
  await form.getByLabel('E-mail').fill(owner.email);
  await form.getByLabel('Password').fill(TEST_PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}/`);
}, 240_000);
afterAll(async () => {
  await insights?.close();
  redis?.disconnect();
  await browser?.close();
  await web?.stop();
  await semantic?.close();
  await p?.stop();
});

/** Per user and UTC day of [2026-10-10, 2026-10-11] (the windows a daily rule reads at NOW): cost over the threshold, SQL over raw events. */
async function overThreshold() {
  const { rows } = await p.pool.query(
    `SELECT user_id, (occurred_at AT TIME ZONE 'UTC')::date::text AS day FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= '2026-10-10T00:00:00Z' AND occurred_at < '2026-10-12T00:00:00Z'
      GROUP BY 1, 2 HAVING sum(total_cost) > $2::numeric ORDER BY 1, 2`, [ws.workspaceId, THRESHOLD]);
  return rows as Array<{ user_id: string | null; day: string }>;
}

async function evaluate() {
  const job = await insights.add(EVALUATE_ALERT_RULES_JOB, { workspaceId: ws.workspaceId });
  await waitFor(async () => (await job.getState()) === 'completed', 120_000, 'the alert rule evaluation');
}

const bell = () => page.getByTestId('notification-bell');

describe('alert rules and the bell', () => {
  it('a person creates a per-user daily cost rule on the alert rules page', async () => {
    await page.goto(`${web.url}/alerts`);
    const form = page.getByRole('form', { name: 'New alert rule' });
    await hydrated(form.locator('input[name="name"]'));
    await form.locator('input[name="name"]').fill('Daily cost per user');
    await form.locator('select[name="measure"]').selectOption({ value: 'total_cost' });
    await form.locator('select[name="dimension"]').selectOption({ value: 'user_id' });
    await form.locator('select[name="window"]').selectOption({ value: 'day' });
    await form.locator('select[name="comparison"]').selectOption({ value: 'gt' });
    await form.locator('input[name="threshold"]').fill(THRESHOLD);
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByTestId('alert-rules').getByText('Daily cost per user').waitFor();
    const { alertRules } = await api('{ alertRules { name kind enabled metric { measure dimension window comparison threshold filters { member } } } }');
    expect(alertRules).toEqual([{ name: 'Daily cost per user', kind: 'metric', enabled: true,
      metric: { measure: 'total_cost', dimension: 'user_id', window: 'day', comparison: 'gt', threshold: THRESHOLD, filters: [] } }]);
    await screenshot(page, 'alert-rules');
  });

  it('a refused rule shows the API\'s reason naming the field, and keeps the page', async () => {
    const form = page.getByRole('form', { name: 'New alert rule' });
    await hydrated(form.locator('input[name="name"]'));
    await form.locator('input[name="name"]').fill('Broken');
    await form.locator('input[name="threshold"]').fill('a lot');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('input.metric.threshold');
  });

  it('browser notifications are asked for on a click; the rule\'s notifications appear in the bell and the browser', async () => {
    await page.goto(`${web.url}/`);
    const allow = bell().getByRole('button', { name: 'Enable browser notifications' });
    await hydrated(allow);
    await allow.click();
    await allow.waitFor({ state: 'detached' });
    // The bell has read the list once: what comes after the evaluation is new to it.
    await page.locator('[data-testid="notification-bell"][data-loaded="true"]').waitFor();
    expect(await bell().getByRole('button', { name: /^Notifications, 0 unread$/ }).count()).toBe(1);

    await evaluate();
    const truth = await overThreshold();
    expect(truth.map((t) => t.user_id)).toContain('big-spender');
    expect(truth.map((t) => t.user_id)).not.toContain('small-spender');
    // The bell polls the API: the count turns up without a reload.
    await bell().getByTestId('unread-count').waitFor({ timeout: 30_000 });
    expect(await bell().getByTestId('unread-count').textContent()).toBe(String(truth.length));
    const { unreadNotifications } = await graphqlData(p.apiUrl, ws.key, '{ unreadNotifications }');
    expect(unreadNotifications).toBe(truth.length);

    await bell().getByRole('button', { name: `Notifications, ${truth.length} unread` }).click();
    const list = page.locator('#notification-list');
    await expect.poll(() => list.innerText()).toContain('for user_id big-spender on 2026-10-11');
    const shown = await page.evaluate('window.__shown') as Array<{ title: string; body: string }>;
    expect(shown.every((n) => n.title === 'Daily cost per user' && n.body.startsWith('Daily cost per user: total_cost '))).toBe(true);
    expect(shown).toHaveLength(truth.length);
    expect(shown.some((n) => n.body.includes('for user_id big-spender on 2026-10-11'))).toBe(true);
    await screenshot(page, 'notifications');

    await list.getByRole('button', { name: 'Mark all read' }).click();
    await bell().getByTestId('unread-count').waitFor({ state: 'detached' });
    // Read for this person; the workspace's API key keeps its own marks.
    expect(await bell().getByRole('button', { name: 'Notifications, 0 unread', exact: true }).count()).toBe(1);
    expect((await graphqlData(p.apiUrl, ws.key, '{ unreadNotifications }')).unreadNotifications).toBe(truth.length);
  });

  it('a second evaluation adds nothing: each user and day fires once', async () => {
    await evaluate();
    const { notifications } = await api('{ notifications(first: 500) { id } }');
    expect(notifications).toHaveLength((await overThreshold()).length);
  });
});

describe('accessibility (axe-core)', () => {
  it('the anomalies, reports and alert rules pages have no serious or critical violations (light and dark)', async () => {
    const found: Record<string, string[]> = {};
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of ['/anomalies', '/anomalies?group=likely_cause', '/reports', `/reports/${reportId}`, '/alerts']) {
        const v = await seriousViolations(page, `${web.url}${path}`);
        if (v.length) found[`${scheme} ${path}`] = v;
      }
    }
    expect(found).toEqual({});
  });
});
