// Saved views and dashboards in the browser: a view saved from the explorer, a dashboard of two
// views whose tiles show exactly the API's breakdown/timeseries figures, reordered in the editor,
// pinned and seen on the overview, embedded with the same figures until the token is revoked;
// axe-core on the new pages.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership } from '@spendgraph/db';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { type Web, hydrated, launchBrowser, screenshot, signIn, startWeb } from './support.ts';

const NOW = new Date('2026-11-12T10:00:00Z');
const RANGE = { from: '2026-11-01', to: '2026-11-10' };
const EXPLORE = `m=total_cost,calls&by=provider&from=${RANGE.from}&to=${RANGE.to}&gran=day`;

let p: Platform;
let web: Web;
let browser: Browser;
let page: Page;
let ws: { workspaceId: string; key: string };
let dashboardId: string;

const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
const call = (day: number, provider: string, cost: string) => ({
  id: randomUUID(), occurred_at: `2026-11-0${day}T1${day}:00:00Z`, provider, model: 'm-1', usage: { input_tokens: 10, output_tokens: 5 }, cost,
});

/** The API's own figures for the two views, shaped as the tiles carry them (data-figures). */
async function apiFigures() {
  const { breakdown, timeseries } = await api(`query($r: TimeRange) {
    breakdown(measures: ["total_cost", "calls"], by: ["provider"], timeRange: $r, limit: 10) { measures { measure value } children { value measures { measure value } } }
    timeseries(measures: ["total_cost", "calls"], by: ["provider"], granularity: day, timeRange: $r) { series { label points { time measures { measure value } } } }
  }`, { r: RANGE });
  return { 'Cost by provider': breakdown, 'Daily cost': timeseries };
}

/** The tiles on the page, by name, with their figures. */
/** The dashboard's tiles once `count` of them have their figures (tiles stream in one by one). */
async function tiles(root: Page, count = 2) {
  const found = root.getByTestId('dashboard-tile');
  await expect.poll(() => root.locator('[data-testid="dashboard-tile"][data-figures]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(count);
  const all = await found.evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-name')!, figures: JSON.parse(e.getAttribute('data-figures') ?? 'null') })));
  return all;
}

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  await addMembership(p.pool, { userId: (await person(p.pool, 'owner')).id, workspaceId: ws.workspaceId, role: 'owner' });
  await ingestAndWait(p, ws, [
    call(2, 'anthropic', '0.125000'), call(2, 'anthropic', '0.250000'), call(3, 'openai', '0.010000'), call(4, 'openai', '1.500000'), call(5, 'google', '2.000000'),
  ]);
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await signIn(page, web, ws.key);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

async function saveFromExplorer(name: string, drawnAs: 'timeseries' | 'bar' | 'table') {
  await page.goto(`${web.url}/explore?${EXPLORE}`);
  const open = page.getByTestId('save-view-open');
  await hydrated(open);
  await open.click();
  await page.getByLabel('View name').fill(name);
  await page.getByLabel('Drawn as').selectOption(drawnAs);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByTestId('view-saved').waitFor();
}

describe('saved views and dashboards', () => {
  it('saves explorer views with their state, listed on the views page', async () => {
    await saveFromExplorer('Cost by provider', 'bar');
    await saveFromExplorer('Daily cost', 'timeseries');
    const { savedViews } = await api('{ savedViews { name shared state { measures by timeRange { from to } granularity chart limit } } }');
    expect(savedViews).toEqual([
      { name: 'Cost by provider', shared: true, state: { measures: ['total_cost', 'calls'], by: ['provider'], timeRange: RANGE, granularity: 'day', chart: 'bar', limit: 10 } },
      { name: 'Daily cost', shared: true, state: { measures: ['total_cost', 'calls'], by: ['provider'], timeRange: RANGE, granularity: 'day', chart: 'timeseries', limit: 10 } },
    ]);
    await page.goto(`${web.url}/views`);
    expect(await page.getByTestId('view-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(['Cost by provider', 'Daily cost']);
    // A view opens the explorer at its state.
    await page.getByRole('link', { name: 'Cost by provider' }).click();
    await page.waitForURL(/\/explore\?/);
    const url = new URL(page.url());
    expect([url.searchParams.get('m'), url.searchParams.get('by'), url.searchParams.get('from'), url.searchParams.get('to')]).toEqual(['total_cost,calls', 'provider', RANGE.from, RANGE.to]);
  });

  it('builds a dashboard of the two views whose tiles show the API\'s figures', async () => {
    await page.goto(`${web.url}/dashboards`);
    const form = page.getByTestId('new-dashboard');
    await hydrated(form.getByRole('button', { name: 'Create dashboard' }));
    await form.getByLabel('Dashboard name').fill('Spend');
    await form.getByLabel('Add Cost by provider').check();
    await form.getByLabel('Add Daily cost').check();
    await form.getByRole('button', { name: 'Create dashboard' }).click();
    await page.waitForURL(/\/dashboards\/[0-9a-f-]{36}$/);
    dashboardId = page.url().split('/').at(-1)!;
    const shown = await tiles(page);
    const expected = await apiFigures();
    expect(shown.map((t) => t.name)).toEqual(['Cost by provider', 'Daily cost']);
    for (const t of shown) expect(t.figures, t.name).toEqual(expected[t.name as keyof typeof expected]);
    // Against the events themselves: 3.885 over five calls.
    expect(shown[0]!.figures.measures).toEqual([{ measure: 'total_cost', value: expect.stringMatching(/^3\.885/) }, { measure: 'calls', value: '5' }]);
    await screenshot(page, 'dashboard');
  });

  it('a view on the dashboard stays shared: the views page shows the API\'s refusal', async () => {
    await page.goto(`${web.url}/views`);
    const row = page.locator('[data-testid="view-row"][data-name="Daily cost"]');
    await hydrated(row.getByRole('button', { name: 'Save' }));
    await row.getByLabel('Share Daily cost').uncheck();
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => row.getByRole('alert').textContent()).toContain('input.shared');
    expect((await api('{ savedViews { name shared } }')).savedViews.find((v: { name: string }) => v.name === 'Daily cost').shared).toBe(true);
  });

  it('reorders and resizes tiles in the editor', async () => {
    await page.goto(`${web.url}/dashboards/${dashboardId}`);
    const editor = page.getByTestId('dashboard-editor');
    await hydrated(editor.getByRole('button', { name: 'Save dashboard' }));
    await editor.getByLabel('Move Daily cost up').click();
    await editor.getByLabel('Size of Daily cost').selectOption('large');
    await editor.getByRole('button', { name: 'Save dashboard' }).click();
    await expect.poll(async () => (await api('query($id: ID!) { dashboard(id: $id) { tiles { size view { name } } } }', { id: dashboardId })).dashboard.tiles)
      .toEqual([{ size: 'large', view: { name: 'Daily cost' } }, { size: 'medium', view: { name: 'Cost by provider' } }]);
    await page.reload();
    expect((await tiles(page)).map((t) => t.name)).toEqual(['Daily cost', 'Cost by provider']);
    expect(await page.getByTestId('dashboard-tile').first().getAttribute('class')).toContain('tile-large');
  });

  it('pins the dashboard as the overview, which shows it above its own sections', async () => {
    await page.goto(`${web.url}/`);
    expect(await page.getByTestId('pinned-dashboard').count()).toBe(0);
    await page.goto(`${web.url}/dashboards/${dashboardId}`);
    await page.getByTestId('pin-dashboard').click();
    await expect.poll(async () => page.getByTestId('pin-dashboard').textContent()).toBe('Unpin from the overview');
    await page.goto(`${web.url}/`);
    const pinned = page.getByTestId('pinned-dashboard');
    await pinned.waitFor();
    expect(await pinned.getAttribute('data-id')).toBe(dashboardId);
    const expected = await apiFigures();
    const shown = await tiles(page);
    expect(shown.map((t) => t.name)).toEqual(['Daily cost', 'Cost by provider']);
    for (const t of shown) expect(t.figures, t.name).toEqual(expected[t.name as keyof typeof expected]);
    await screenshot(page, 'overview-pinned-dashboard');
  });

  it('embeds the dashboard with the same figures, and a revoked token shows nothing', async () => {
    await page.goto(`${web.url}/dashboards/${dashboardId}`);
    const share = page.getByRole('button', { name: 'Share as embed' });
    await hydrated(share);
    await share.click();
    await page.getByRole('button', { name: 'Create embed link' }).click();
    const url = await page.getByTestId('embed-url').getAttribute('href');
    expect(url).toMatch(/\/embed\/sge_/);
    // A browser with no session: the token alone.
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(url!);
    await stranger.getByTestId('embed-dashboard').waitFor();
    const expected = await apiFigures();
    const shown = await tiles(stranger);
    expect(shown.map((t) => t.name)).toEqual(['Daily cost', 'Cost by provider']);
    for (const t of shown) expect(t.figures, t.name).toEqual(expected[t.name as keyof typeof expected]);
    expect(await stranger.locator('nav').count()).toBe(0);
    await screenshot(stranger, 'embed-dashboard');

    const token = url!.split('/embed/')[1]!;
    const { embedTokens } = await api('{ embedTokens { id prefix kind } }');
    const made = embedTokens.find((e: { prefix: string }) => token.startsWith(e.prefix));
    expect(made.kind).toBe('dashboard');
    expect((await api('mutation($id: ID!) { revokeEmbedToken(id: $id) }', { id: made.id })).revokeEmbedToken).toBe(true);
    await stranger.reload();
    await stranger.getByTestId('embed-error').waitFor();
    expect(await stranger.getByTestId('dashboard-tile').count()).toBe(0);
  });

  // axe-core in the page, WCAG 2 A/AA rules, as pages.test.ts does.
  it('the views, dashboards and dashboard pages have no serious or critical axe violations (light and dark)', async () => {
    const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const found: Record<string, string[]> = {};
    for (const [scheme, path] of (['light', 'dark'] as const).flatMap((s) => ['/views', '/dashboards', `/dashboards/${dashboardId}`].map((x) => [s, x] as const))) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${web.url}${path}`);
      await page.locator('main h2').first().waitFor();
      await page.addScriptTag({ path: axe });
      const rules = JSON.stringify({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      const violations = await page.evaluate(`axe.run(document, ${rules}).then((r) => r.violations)`) as Array<{ id: string; impact: string; nodes: unknown[] }>;
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
      if (serious.length) found[`${scheme} ${path}`] = serious;
    }
    expect(found).toEqual({});
  });
});
