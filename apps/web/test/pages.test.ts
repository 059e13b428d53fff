// The pages for each axis (users, models, agents, sessions, work items, plans) in a real Chromium
// over the real API and demo data: every figure shown is the API's (exact in data-value), a
// session's calls are the raw events in order; dark mode; axe-core on every page.
// Screenshots: artifacts/screenshots/page-*.png.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, demoWorkspace, launchBrowser, screenshot, seriousViolations as axeViolations, signIn, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

let p: Platform;
let web: Web;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ws: { workspaceId: string; key: string };
const NOW = new Date('2026-12-02T10:44:00Z');
const RANGE = { relative: 'last 30 days' };

type Measured = { value: string | null; label: string; measures: Array<{ measure: string; value: string | null }> };
const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
const measure = (n: Pick<Measured, 'measures'>, m = 'total_cost') => n.measures.find((x) => x.measure === m)!.value;
const dataValues = (selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-value')));
const sum = (vs: Array<string | null>) => vs.reduce((s, v) => s.plus(v || 0), new Decimal(0)).toString();

async function breakdown(by: string, cost = 'total_cost', filters: unknown[] = [], limit = 500): Promise<{ measures: Measured['measures']; children: Measured[] }> {
  return (await api(`query($m: [String!]!, $by: [String!]!, $f: [Filter!], $r: TimeRange, $l: Int) { breakdown(measures: $m, by: $by, filters: $f, timeRange: $r, limit: $l) {
    measures { measure value } children { value label measures { measure value } } } }`, { m: [cost, 'calls'], by: by ? [by] : [], f: filters, r: RANGE, l: limit })).breakdown;
}

async function noError() {
  expect(await page.locator('.error[role=alert]').count(), await page.locator('main').innerText()).toBe(0);
}

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await demoWorkspace(p, { end: NOW });
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
  await signIn(page, web, ws.key);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

describe('axis pages', () => {
  for (const [seg, dimension] of [['users', 'user_id'], ['models', 'model'], ['agents', 'agent']] as const) {
    it(`/${seg} lists every ${dimension} with the API's cost; one's page shows its cost, trend, breakdowns and budgets`, async () => {
      await page.goto(`${web.url}/${seg}`);
      await noError();
      const all = await breakdown(dimension);
      const rows = page.getByTestId('axis-list').locator('tbody tr');
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-label')))).toEqual(all.children.map((c) => c.label));
      expect(await dataValues('[data-testid=axis-list] tbody tr td:nth-child(2)')).toEqual(all.children.map((c) => measure(c) ?? ''));
      await screenshot(page, `page-${seg}`);

      const top = all.children.find((c) => c.value !== null)!;
      await page.getByTestId('axis-list').getByRole('link', { name: top.label, exact: true }).click();
      await page.waitForURL(new RegExp(`/${seg}/${encodeURIComponent(top.value!)}`));
      await noError();
      expect(await page.getByTestId('axis-cost').getAttribute('data-value')).toBe(measure(top));
      expect(await page.getByTestId('axis-calls').getAttribute('data-value')).toBe(measure(top, 'calls'));
      await page.locator('[data-chart="axis-trend"] svg').waitFor();
      // The chart's table fallback: the API's daily values, adding up to the total.
      expect(sum(await dataValues('[data-testid=axis-trend-table] td[data-value]'))).toBe(new Decimal(measure(top)!).toString());
      // The breakdown by plan (users, models, agents all have one): the API's top plans for this value.
      const plans = await breakdown('plan_id', 'total_cost', [{ member: dimension, operator: 'equals', values: [top.value] }], 8);
      expect(await dataValues('[data-testid=axis-plan_id] tbody td[data-value]')).toEqual(plans.children.map((c) => measure(c) ?? ''));
      await page.getByTestId('budgets-in-scope').waitFor();
      await screenshot(page, `page-${seg.slice(0, -1)}`);
    });
  }

  it("an agent's budgets in scope are the guard check's, with their spend", async () => {
    await page.goto(`${web.url}/agents/coder`);
    const { guardCheck } = await api('query($c: [ContextValue!]!) { guardCheck(context: $c, limit: 50) { budgets { id spend } } }', { c: [{ dimension: 'agent', value: 'coder' }] });
    expect(guardCheck.budgets.length).toBeGreaterThan(0); // the demo's "Coder agent, daily hard stop"
    const shown = await page.getByTestId('budgets-in-scope').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-budget-id'), tr.querySelector('td[data-value]')!.getAttribute('data-value')]));
    expect(shown).toEqual(guardCheck.budgets.map((b: { id: string; spend: string }) => [b.id, b.spend]));
  });
});

describe('session page', () => {
  it("lists a session's calls oldest first with their costs, as the raw events hold them", async () => {
    const sessions = await breakdown('session_id', 'total_cost', [], 5);
    const top = sessions.children.find((c) => c.value !== null)!;
    await page.goto(`${web.url}/sessions/${encodeURIComponent(top.value!)}`);
    await noError();
    const { rows } = await p.pool.query(
      `SELECT event_id::text AS id, total_cost::text AS cost FROM usage_events
        WHERE workspace_id = $1 AND session_id = $2 AND occurred_at >= date_trunc('day', $3::timestamptz) - interval '29 days'
        ORDER BY occurred_at, event_id`, [ws.workspaceId, top.value, NOW.toISOString()]);
    const shown = await page.getByTestId('session-calls').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-event-id'), cost: tr.querySelector('td[data-value]')!.getAttribute('data-value') || null })));
    expect(shown.map((s) => s.id)).toEqual(rows.map((r) => r.id));
    expect(shown.map((s) => (s.cost === null ? null : new Decimal(s.cost).toString()))).toEqual(rows.map((r) => (r.cost === null ? null : new Decimal(r.cost).toString())));
    expect(await page.getByTestId('axis-cost').getAttribute('data-value')).toBe(measure(top));
    expect(sum(shown.map((s) => s.cost))).toBe(new Decimal(measure(top)!).toString());
    await screenshot(page, 'page-session');
  });
});

describe('work item page', () => {
  it("shows a work item's share of cost, its repository and the sessions behind it", async () => {
    const items = await breakdown('work_item', 'work_item_total_cost', [], 5);
    const top = items.children.find((c) => c.value !== null)!;
    await page.goto(`${web.url}/work-items`);
    await noError();
    expect(await page.getByTestId('axis-list').locator('tbody tr td[data-value]').first().getAttribute('data-value')).toBe(measure(items.children[0]!, 'work_item_total_cost'));
    await page.goto(`${web.url}/work-items/${encodeURIComponent(top.value!)}`);
    await noError();
    expect(await page.getByTestId('axis-cost').getAttribute('data-value')).toBe(measure(top, 'work_item_total_cost'));
    const { workItems: [item] } = await api('query($ids: [ID!]) { workItems(ids: $ids) { repository } }', { ids: [top.value] });
    if (item) expect(await page.getByTestId('work-item').textContent()).toContain(`repository ${item.repository ?? '—'}`);
    const sessions = await breakdown('session_id', 'work_item_total_cost', [{ member: 'work_item', operator: 'equals', values: [top.value] }], 8);
    expect(await dataValues('[data-testid=axis-session_id] tbody td[data-value]')).toEqual(sessions.children.map((c) => measure(c, 'work_item_total_cost') ?? ''));
    await screenshot(page, 'page-work-item');
  });
});

describe('plan page', () => {
  it("shows a plan's cost, its tasks with what each cost, its forecast and its budgets", async () => {
    const { planForecasts } = await api('{ planForecasts { planId forecastTotal } }');
    const { plans } = await api('{ plans { id } }');
    const id: string = planForecasts[0]?.planId ?? plans[0].id;
    const f = [{ member: 'plan_id', operator: 'equals', values: [id] }];
    const data = await api(`query($id: ID!, $f: [Filter!]) { tasks(planId: $id) { id createdAt }
      t: breakdown(measures: ["total_cost"], by: [], filters: $f) { measures { measure value } }
      byTask: breakdown(measures: ["total_cost"], by: ["task_id"], filters: $f, limit: 1000) { children { value measures { measure value } } } }`, { id, f });
    await page.goto(`${web.url}/plans`);
    await page.getByTestId('plans').locator(`tr[data-plan-id="${id}"] a`).first().click();
    await page.waitForURL(new RegExp(`/plans/${encodeURIComponent(id)}$`));
    await noError();
    expect(await page.getByTestId('plan-cost').getAttribute('data-value')).toBe(measure(data.t));
    const byTask = new Map(data.byTask.children.map((c: Measured) => [c.value, measure(c) ?? '']));
    const rows = await page.getByTestId('plan-tasks').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-task-id'), tr.querySelector('td[data-value]')!.getAttribute('data-value')]));
    expect(rows.map(([t]) => t).sort()).toEqual(data.tasks.map((t: { id: string }) => t.id).sort());
    for (const [t, v] of rows) expect(v, t!).toBe(byTask.get(t) ?? '');
    if (planForecasts[0]) expect(await page.getByTestId('forecast-total').getAttribute('data-value')).toBe(planForecasts[0].forecastTotal ?? '');
    await page.getByTestId('budgets-in-scope').waitFor();
    await screenshot(page, 'page-plan');
  });
});

describe('dark mode', () => {
  const theme = () => page.evaluate('document.documentElement.dataset.theme');
  const background = () => page.evaluate('getComputedStyle(document.body).backgroundColor');

  it('follows prefers-color-scheme until a choice is made, then keeps the choice per browser', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${web.url}/users`);
    expect(await theme()).toBe('dark');
    expect(await background()).toBe('rgb(16, 19, 23)');
    await page.getByLabel('Theme').selectOption('light');
    expect(await theme()).toBe('light');
    await page.reload();
    expect(await theme()).toBe('light'); // kept over the system's dark
    await page.getByLabel('Theme').selectOption('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${web.url}/plans`);
    expect(await theme()).toBe('dark');
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    await screenshot(page, 'page-plans-dark');
    await page.getByLabel('Theme').selectOption('system');
    expect(await theme()).toBe('light');
  });
});

const seriousViolations = (path: string) => axeViolations(page, `${web.url}${path}`);

describe('accessibility (axe-core)', () => {
  const own = ['/users', '/models', '/agents', '/agents/coder', '/sessions', '/work-items', '/plans'];
  for (const scheme of ['light', 'dark'] as const) {
    it(`the axis, session, work item and plan pages have no serious or critical violations (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const first = async (by: string, cost = 'total_cost') => encodeURIComponent((await breakdown(by, cost, [], 2)).children[0]!.value!);
      const { plans } = await api('{ plans { id } }');
      const details = [`/users/${await first('user_id')}`, `/models/${await first('model')}`, `/sessions/${await first('session_id')}`,
        `/work-items/${await first('work_item', 'work_item_total_cost')}`, `/plans/${encodeURIComponent(plans[0].id)}`];
      const found: Record<string, string[]> = {};
      for (const path of [...own, ...details]) {
        const v = await seriousViolations(path);
        if (v.length) found[path] = v;
      }
      expect(found).toEqual({});
    });
  }

  // Pages other changes own (not edited here): serious rules they are known to break, by
  // `<scheme> <path>`, reported to their owners. None today (the overview's callout link was
  // fixed by globals.css underlining links in sentences); a rule not listed fails the test.
  const KNOWN: Record<string, string[]> = {};
  it('the overview, explorer, event log and budgets break no rule beyond the known ones (light and dark)', async () => {
    const found: Record<string, string[]> = {};
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of ['/', '/explore', '/events', '/budgets']) {
        const known = KNOWN[`${scheme} ${path}`] ?? [];
        const extra = (await seriousViolations(path)).filter((v) => !known.includes(v.split(' ')[0]!));
        if (extra.length) found[`${scheme} ${path}`] = extra;
      }
    }
    expect(found).toEqual({});
  });
});
