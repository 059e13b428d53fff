// The web app in a real headless Chromium over the real API, worker and demo data:
// the numbers shown are the API's, segments nest by clicking, exports hold what is
// shown, embeds render and refuse tampered tokens. Screenshots: artifacts/screenshots/.
import { readFile } from 'node:fs/promises';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, demoWorkspace, launchBrowser, screenshot, signIn, signInWithKey, startWeb } from './support.ts';

// A first query of a fresh platform builds its roll-ups, slow on a busy machine: no timed expectations.
vi.setConfig({ testTimeout: 240_000 });

let p: Platform;
let web: Web;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ws: { workspaceId: string; key: string };
/** The API's and worker's clock (packages/periods): mid-morning UTC, so today is partial. */
const NOW = new Date('2026-12-02T10:44:00Z');

const money = (v: string | null) => v === null ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(v));
const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
const cost = (n: { measures: Array<{ measure: string; value: string | null }> }) => n.measures.find((m) => m.measure === 'total_cost')!.value;

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await demoWorkspace(p, { end: NOW });
  web = await startWeb(p.apiUrl, { EMBED_FRAME_ANCESTORS: "'self' https://intranet.example" });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

describe('sign-in', () => {
  it('sends visitors without a key to sign in, refuses an unknown key, keeps a session (not the key) in an httpOnly cookie', async () => {
    await page.goto(`${web.url}/explore`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await signInWithKey(page, 'sg_not-a-key');
    await expect.poll(() => page.locator('.error[role=alert]').textContent(), { timeout: 60_000 }).toContain('unknown or revoked');
    await signIn(page, web, ws.key);
    const cookies = await context.cookies();
    const cookie = cookies.find((c) => c.name === 'sg_session')!;
    // A session id of the API, Secure by default (browsers accept it from http://127.0.0.1), never the key.
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    expect(cookie.value).toMatch(/^sgs_/);
    expect(cookie.expires * 1000 - Date.now()).toBeLessThanOrEqual(12 * 3_600_000 + 60_000);
    expect(cookies.some((c) => c.value.includes(ws.key))).toBe(false);
    expect(await page.evaluate('document.cookie')).not.toContain('sg_session');
  });
});

describe('overview', () => {
  it('shows the API figures for the period, the previous one, and the top customers', async () => {
    await page.goto(`${web.url}/?days=30`);
    await page.locator('[data-chart="overview-trend"] svg').waitFor().catch(async (e) => {
      throw new Error(`${e.message}\npage shows: ${(await page.locator('main').innerText()).slice(0, 1000)}`);
    });
    const current = { relative: 'last 30 days' };
    const previous = { ...current, previous: true };
    const data = await api(`query($r: TimeRange, $q: TimeRange) {
      c: breakdown(measures: ["total_cost", "calls", "error_rate"], by: [], timeRange: $r) { measures { measure value } period { from to partial } }
      p: breakdown(measures: ["total_cost"], by: [], timeRange: $q) { measures { measure value } }
      customers: breakdown(measures: ["total_cost"], by: ["customer_id"], timeRange: $r, limit: 5) { children { label measures { measure value } } } }`,
    { r: current, q: previous });
    const kpi = page.getByTestId('kpi-cost');
    expect(await kpi.getAttribute('data-value')).toBe(cost(data.c));
    expect(await kpi.locator('.value').textContent()).toBe(money(cost(data.c)));
    expect(await kpi.locator('.sub').textContent()).toContain(money(cost(data.p)));
    const errorRate = data.c.measures.find((m: { measure: string }) => m.measure === 'error_rate').value;
    expect(await page.getByTestId('kpi-errors').locator('.value').textContent()).toBe(`${Number(errorRate).toFixed(2)}%`); // a percentage already
    const rows = page.getByTestId('top-customers').locator('tbody tr');
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(data.customers.children.map((c: { label: string }) => c.label));
    expect(await rows.locator('td:nth-child(2)').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value'))))
      .toEqual(data.customers.children.map(cost));
    // One period vocabulary: the overview's 30 days are the API's, today included and marked partial.
    const period = page.getByTestId('overview-period');
    expect([await period.getAttribute('data-from'), await period.getAttribute('data-to')]).toEqual([data.c.period.from, data.c.period.to]);
    expect(data.c.period).toMatchObject({ from: '2026-11-03T00:00:00Z', to: '2026-12-03T00:00:00Z', partial: true });
    expect(await period.textContent()).toContain('3 Nov – 2 Dec 2026 (UTC), today so far');
    expect(await kpi.locator('.label').textContent()).toContain('(today so far)');
    expect(await page.getByTestId('overview-trend-partial').getAttribute('data-partial')).toBe('2026-12-02 (so far)');
    await screenshot(page, 'overview');
  });
});

describe('explorer', () => {
  const pivotRows = () => page.getByTestId('pivot').locator('tbody tr');

  it('builds a nested segmentation by clicking and shows the API breakdown tree', async () => {
    await page.goto(`${web.url}/explore?m=total_cost,calls&range=last%2030%20days`);
    await page.getByLabel('Add segment').selectOption('provider');
    await page.waitForURL(/by=provider(&|$)/);
    await page.getByLabel('Add segment').selectOption('model');
    await page.waitForURL(/by=provider%2Cmodel/);
    await page.locator('[data-chart="explore-chart"] svg').waitFor();
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost", "calls"], by: ["provider", "model"], timeRange: { relative: "last 30 days" }, limit: 10) {
      measures { measure value } children { value measures { measure value } children { value measures { measure value } } } } }`);
    expect(await page.getByTestId('pivot-total').locator('td').nth(1).getAttribute('data-value')).toBe(cost(breakdown));
    const expected: Array<[string, string | null]> = [];
    for (const prov of breakdown.children) {
      expected.push([JSON.stringify([prov.value]), cost(prov)]);
      for (const m of prov.children) expected.push([JSON.stringify([prov.value, m.value]), cost(m)]);
    }
    const shown = await pivotRows().evaluateAll((trs) => trs.slice(1).map((tr) => [tr.getAttribute('data-path'), tr.querySelectorAll('td')[1]!.querySelector('[data-value]')!.getAttribute('data-value')]));
    expect(shown).toEqual(expected.map(([path, v]) => [path, v ?? ''])); // unpriced: no cost
    expect(await page.locator('tr[data-depth="2"]').count()).toBeGreaterThan(1);
    await screenshot(page, 'explorer-nested');
  });

  it('sorts by any column within each parent and keeps the sort in the URL', async () => {
    const callsOfRows = () => page.locator('tr[data-depth="1"]').evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[3]!.querySelector('[data-value]')!.getAttribute('data-value'))));
    const sortInUrl = () => new URL(page.url()).searchParams.get('sort');
    const seen = new Set<string | null>();
    for (let click = 0; click < 2; click++) {
      await page.getByRole('button', { name: 'Calls', exact: true }).click();
      await expect.poll(sortInUrl, { timeout: 60_000 }).toMatch(/^calls:/);
      const calls = await callsOfRows();
      const desc = sortInUrl() === 'calls:desc';
      expect(calls).toEqual([...calls].sort((a, b) => (desc ? b - a : a - b)));
      expect(await page.getByRole('columnheader', { name: /Calls/ }).first().getAttribute('aria-sort')).toBe(desc ? 'descending' : 'ascending');
      seen.add(sortInUrl());
    }
    expect(seen).toEqual(new Set(['calls:asc', 'calls:desc']));
    // A reload keeps the sort: the URL is the state.
    const sort = sortInUrl();
    await page.reload();
    expect(await page.getByRole('columnheader', { name: /Calls/ }).first().getAttribute('aria-sort')).toBe(sort === 'calls:desc' ? 'descending' : 'ascending');
  });

  it('exports the rows shown as CSV and JSON', async () => {
    await page.goto(`${web.url}/explore?m=total_cost,calls&by=provider,model&range=last%2030%20days`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost", "calls"], by: ["provider", "model"], timeRange: { relative: "last 30 days" }, limit: 10) {
      measures { measure value } children { label measures { measure value } children { label measures { measure value } } } } }`);
    type N = { label: string; measures: Array<{ measure: string; value: string | null }>; children?: N[] };
    const v = (n: N, m: string) => n.measures.find((x) => x.measure === m)!.value ?? '';
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ['level,provider,model,total_cost,calls', `0,,,${v(breakdown, 'total_cost')},${v(breakdown, 'calls')}`];
    for (const a of breakdown.children as N[]) {
      lines.push(`1,${q(a.label)},,${v(a, 'total_cost')},${v(a, 'calls')}`);
      for (const b of a.children!) lines.push(`2,${q(a.label)},${q(b.label)},${v(b, 'total_cost')},${v(b, 'calls')}`);
    }
    expect(csv).toBe(lines.join('\n') + '\n');
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8'));
    expect(json.rows).toHaveLength(lines.length - 1);
    expect(json.rows[0].values.total_cost).toBe(v(breakdown, 'total_cost'));
  });

  it('drills from a cell to the events behind it, and to one event', async () => {
    const cell = page.locator('tr[data-depth="2"]').first();
    const [provider, model] = JSON.parse((await cell.getAttribute('data-path'))!);
    await cell.locator('td').nth(1).getByRole('link').click();
    await page.waitForURL(/\/events\?/);
    const rows = page.getByTestId('events').locator('tbody tr');
    await rows.first().waitFor();
    expect(new Set(await rows.locator('td:nth-child(2)').allTextContents())).toEqual(new Set([`${provider} / ${model}`]));
    const id = await rows.first().getAttribute('data-event-id');
    await rows.first().getByRole('link').click();
    await page.waitForURL(new RegExp(`/events/${id}$`));
    const { events } = await api(`query($f: [Filter!]) { events(filters: $f, first: 1) { edges { node { totalCost } } } }`, { f: [{ member: 'event_id', operator: 'equals', values: [id] }] });
    expect(await page.getByTestId('event-cost').getAttribute('data-value')).toBe(events.edges[0].node.totalCost ?? '');
    expect(await page.getByTestId('event-tokens').locator('tbody tr').count()).toBe(6);
    await screenshot(page, 'event-detail');
  });

  it('shows the API error for a bad member, naming it', async () => {
    await page.goto(`${web.url}/explore?m=colour`);
    await expect.poll(() => page.locator('.error[role=alert]').textContent(), { timeout: 60_000 }).toMatch(/measures\[0\]/);
  });
});

describe('embeds', () => {
  let embedUrl: string;

  it('shares a chart as an embed: a snippet, a page with minimal chrome and frame-ancestors from the settings', async () => {
    await page.goto(`${web.url}/explore?m=total_cost&by=provider&range=last%2030%20days`);
    await page.getByRole('button', { name: 'Share as embed' }).click();
    await page.getByLabel('Embed theme').selectOption('dark');
    await page.getByRole('button', { name: 'Create embed link' }).click();
    const snippet = await page.getByTestId('embed-snippet').textContent();
    embedUrl = (await page.getByTestId('embed-url').getAttribute('href'))!;
    expect(snippet).toContain(`<iframe src="${embedUrl}"`);
    const anonymous = await browser.newContext(); // no cookie: the token alone grants the chart
    const embed = await anonymous.newPage();
    const res = await embed.goto(embedUrl);
    expect(res!.headers()['content-security-policy']).toBe("frame-ancestors 'self' https://intranet.example");
    const app = await fetch(`${web.url}/signin`);
    expect(app.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(app.headers.get('x-frame-options')).toBe('DENY');
    await embed.locator('[data-chart="embed-chart"] svg').waitFor();
    expect(await embed.locator('main').getAttribute('data-theme')).toBe('dark');
    expect(await embed.locator('nav').count()).toBe(0);
    const labels = await embed.locator('[data-chart="embed-chart"] svg text').allTextContents();
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost"], by: ["provider"], timeRange: { relative: "last 30 days" }, limit: 8) { children { value other } } }`);
    const series = breakdown.children.filter((c: { value: string | null; other: boolean }) => c.value !== null && !c.other);
    expect(series.length).toBeGreaterThan(1);
    for (const c of series) expect(labels).toContain(c.value);
    await screenshot(embed, 'embed-dark');
    await anonymous.close();
  });

  it('refuses a changed or revoked token and shows no data', async () => {
    const token = embedUrl.split('/embed/')[1]!;
    expect(token).toMatch(/^sge_[A-Za-z0-9_-]{43}$/); // opaque: no workspace, no query inside
    const anonymous = await browser.newContext();
    const embed = await anonymous.newPage();
    await embed.goto(`${web.url}/embed/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
    expect(await embed.getByTestId('embed-error').textContent()).toContain('unknown, expired or revoked');
    expect(await embed.locator('svg').count()).toBe(0);
    await screenshot(embed, 'embed-tampered');
    const { embedTokens } = await api('{ embedTokens { id prefix } }');
    const { id } = embedTokens.find((e: { prefix: string }) => token.startsWith(e.prefix));
    expect((await api('mutation($id: ID!) { revokeEmbedToken(id: $id) }', { id })).revokeEmbedToken).toBe(true);
    await embed.goto(`${web.url}/embed/${token}`);
    expect(await embed.getByTestId('embed-error').textContent()).toContain('unknown, expired or revoked');
    expect(await embed.locator('svg').count()).toBe(0);
    await anonymous.close();
  });
});

describe('plans, budgets, insights and entity pages', () => {
  const noError = async () => expect(await page.locator('.error[role=alert]').count()).toBe(0);

  it('lists plans with the API cost and compares selected ones side by side', async () => {
    await page.goto(`${web.url}/plans`);
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost"], by: ["plan_id"], limit: 1000) { children { value measures { measure value } } } }`);
    const top = breakdown.children[0];
    expect(await page.locator(`tr[data-plan-id="${top.value}"] td[data-value]`).getAttribute('data-value')).toBe(cost(top));
    const ids = breakdown.children.slice(0, 2).map((c: { value: string }) => c.value);
    for (const id of ids) await page.getByLabel(`Compare ${id}`).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await page.waitForURL(/\/plans\/compare\?ids=/);
    // The page compares the plans in the order of its URL (the order they were listed in).
    const shownIds = new URL(page.url()).searchParams.getAll('ids');
    expect([...shownIds].sort()).toEqual([...ids].sort());
    const { comparePlans } = await api(`query($ids: [ID!]!) { comparePlans(ids: $ids) { planId measures { measure value } } }`, { ids: shownIds });
    const shown = await page.getByTestId('compare').locator('tbody tr').first().locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(shown).toEqual(comparePlans.map(cost));
    await noError();
    await screenshot(page, 'plans-compare');
  });

  it('creates a budget with the scope picker and shows its standing and history', async () => {
    await page.goto(`${web.url}/budgets`);
    await noError();
    const form = page.getByRole('form', { name: 'New budget' });
    await form.getByLabel('Name').fill('Web test: coder agent');
    await form.getByLabel('Amount (USD)').fill('123.45');
    await form.getByLabel('Scope dimension 1').selectOption('agent');
    await form.getByLabel('Scope values 1').fill('coder');
    await form.getByRole('button', { name: 'Create budget' }).click();
    await page.waitForURL(/\/budgets\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop();
    const { budget } = await api(`query($id: ID!) { budget(id: $id) { name amount spend scope { member values } } }`, { id });
    expect(budget).toMatchObject({ name: 'Web test: coder agent', amount: '123.45', scope: [{ member: 'agent', values: ['coder'] }] });
    expect(await page.getByTestId('budget-spend').getAttribute('data-value')).toBe(budget.spend);
    await page.goto(`${web.url}/budgets`);
    expect(await page.getByTestId('budgets').textContent()).toContain('Web test: coder agent');
    await screenshot(page, 'budgets');
    // A bad amount: the API's error, naming the field.
    await form.getByLabel('Name').fill('bad');
    await form.getByLabel('Amount (USD)').fill('-1');
    await form.getByLabel('whole workspace', { exact: false }).check();
    await form.getByRole('button', { name: 'Create budget' }).click();
    await expect.poll(() => form.locator('.error[role=alert]').textContent(), { timeout: 60_000 }).toContain('input.amount');
  });

  it('says a budget past its limit is over (not "stays under"), and warns about a scope value never seen', async () => {
    const create = `mutation($input: BudgetInput!) { createBudget(input: $input) { id state outlook atRisk projectedSpend scopeWarnings { message } } }`;
    const { createBudget: over } = await api(create, { input: { name: 'Web test: tiny', period: 'monthly', amount: '0.01', scope: [{ member: 'agent', values: ['coder'] }] } });
    expect(over).toMatchObject({ state: 'over', outlook: 'over', atRisk: true });
    await page.goto(`${web.url}/budgets/${over.id}`);
    const outlook = page.getByTestId('budget-outlook');
    expect(await outlook.getAttribute('data-outlook')).toBe('over');
    expect(await outlook.textContent()).toBe('already over the limit');
    const { createBudget: typo } = await api(create, { input: { name: 'Web test: typo', period: 'monthly', amount: '10', mode: 'hard', scope: [{ member: 'model', values: ['claude-sonet'] }] } });
    expect(typo.scopeWarnings[0].message).toContain("did you mean 'claude-sonnet-4-5");
    await page.goto(`${web.url}/budgets/${typo.id}`);
    expect(await page.getByTestId('scope-warning').textContent()).toContain("no event of this workspace has model 'claude-sonet'");
  });

  it('loads the anomalies, reports, customers and features pages with their figures', async () => {
    for (const path of ['/anomalies', '/reports', '/features', '/customers']) {
      await page.goto(`${web.url}${path}`);
      await noError();
    }
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost"], by: ["customer_id"], timeRange: { relative: "last 30 days" }, limit: 500) { children { value label measures { measure value } } } }`);
    const first = breakdown.children.find((c: { value: string | null }) => c.value !== null);
    expect(await page.getByTestId('axis-list').locator('tbody tr td[data-value]').first().getAttribute('data-value')).toBe(cost(breakdown.children[0]));
    await page.getByRole('link', { name: first.label, exact: true }).click();
    await page.waitForURL(new RegExp(`/customers/${encodeURIComponent(first.value)}$`));
    expect(await page.getByTestId('axis-cost').getAttribute('data-value')).toBe(cost(first));
    await page.locator('[data-chart="axis-trend"] svg').waitFor();
    expect(await page.getByTestId('events').locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'customer');
  });
});

describe('profitability', () => {
  it("lists the demo's unprofitable customers and every customer's margin as the API computes it (revenue − true cost)", async () => {
    await page.goto(`${web.url}/profitability?period=last%20month&by=customer_id`);
    await page.getByTestId('profit-rows').waitFor();
    const period = page.getByTestId('profit-period');
    const range = { from: await period.getAttribute('data-from'), to: await period.getAttribute('data-to') };
    expect(range).toEqual({ from: '2026-11-01', to: '2026-11-30' }); // last month by the API's clock (NOW)
    const fields = 'key revenue directCost allocatedCost trueCost margin';
    const { rows, totals } = await api(`query($from: String!, $to: String!) { rows: economics(from: $from, to: $to, by: ["customer_id"]) { ${fields} }
      totals: economics(from: $from, to: $to, by: []) { ${fields} } }`, range);
    const read = (testId: string) => page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-key'),
      ...[...tr.querySelectorAll('td[data-value]')].map((td) => td.getAttribute('data-value'))]));
    const customers = rows.filter((r: any) => r.key[0] !== null);
    const figures = (r: any) => [r.key[0], r.revenue, r.directCost, r.allocatedCost, r.trueCost, r.margin];
    expect(await read('profit-rows')).toEqual(customers.map(figures));
    for (const r of rows) expect(new Decimal(r.margin).equals(new Decimal(r.revenue).minus(r.trueCost)), r.key[0]).toBe(true);
    // The demo prices a few customers under their cost: they are listed, most negative first.
    const losing = customers.filter((r: any) => new Decimal(r.margin).isNegative()).sort((a: any, b: any) => new Decimal(a.margin).comparedTo(b.margin));
    expect(losing.length).toBeGreaterThan(0);
    expect(await read('profit-unprofitable')).toEqual(losing.map(figures));
    // November's four demo pools (three entered, the vector database imported from a FOCUS file) are allocated whole;
    // customers carry the observability pool.
    const { rows: pools } = await p.pool.query(`SELECT source, amount::text FROM cost_pools WHERE workspace_id = $1 AND month = '2026-11-01'`, [ws.workspaceId]);
    expect(pools.map((x) => x.source).sort()).toEqual(['focus', 'manual', 'manual', 'manual']);
    const pooled = pools.reduce((s, x) => s.plus(x.amount), new Decimal(0));
    expect(new Decimal((await page.getByTestId('profit-allocatedCost').getAttribute('data-value'))!).equals(pooled)).toBe(true);
    expect(customers.some((r: any) => new Decimal(r.allocatedCost).gt(0))).toBe(true);
    expect(await page.getByTestId('profit-margin').getAttribute('data-value')).toBe(totals[0].margin);
    await screenshot(page, 'profitability');
  });

  it("imports cost pools from a FOCUS file (admins): the API's refusal names the line and column; the pool allocates whole", async () => {
    await page.goto(`${web.url}/profitability?period=last%20month&by=feature`);
    const form = page.getByTestId('pool-upload');
    const upload = async (csv: string, over: string) => {
      await form.getByLabel('FOCUS file').setInputFiles({ name: 'aws-focus.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await form.getByLabel('Allocate new pools over').selectOption(over);
      await form.getByRole('button', { name: 'Import pools' }).click();
    };
    const header = 'ChargePeriodStart,ServiceName,BilledCost,BillingCurrency';
    await upload(`${header}
2026-11-02T00:00:00Z,Amazon ElastiCache,12.5,USD
2026-11-03T00:00:00Z,Amazon ElastiCache,lots,USD
`, 'feature');
    const refusal = form.locator('.error[role=alert]');
    await expect.poll(() => refusal.textContent()).toContain('BilledCost');
    expect([await refusal.getAttribute('data-field'), await refusal.getAttribute('data-line')]).toEqual(['BilledCost', '3']);
    await upload(`${header}
2026-11-02T00:00:00Z,Amazon ElastiCache,12.5,USD
2026-11-03T00:00:00Z,Amazon ElastiCache,30.25,USD
`, 'feature');
    await expect.poll(() => form.locator('[role=status]').textContent()).toContain('1 pools (1 new, 0 updated, 0 unchanged)');
    const { costPools } = await api('{ costPools(month: "2026-11") { name amount source allocated rule { dimension measure } } }', {});
    expect(costPools.find((x: any) => x.name === 'Amazon ElastiCache')).toEqual({ name: 'Amazon ElastiCache', amount: '42.75', source: 'focus', allocated: '42.75', rule: { dimension: 'feature', measure: 'cost' } });
    await page.reload();
    await expect.poll(async () => new Decimal((await page.getByTestId('profit-allocatedCost').getAttribute('data-value'))!)
      .equals((await p.pool.query(`SELECT sum(amount) AS s FROM cost_pools WHERE workspace_id = $1 AND month = '2026-11-01'`, [ws.workspaceId])).rows[0].s)).toBe(true);
  });
});

describe('reconciliation', () => {
  const attrs = (sel: string, attr: string) => page.locator(sel).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);

  it("shows the demo's bills against tracked spend as the API reconciles them; the rows add up to the invoice", async () => {
    await page.goto(`${web.url}/reconciliation?days=30`);
    await page.getByTestId('recon-rows').waitFor();
    const period = page.getByTestId('recon-period');
    const range = { from: await period.getAttribute('data-from'), to: await period.getAttribute('data-to') };
    expect(range).toEqual({ from: '2026-11-03', to: '2026-12-02' }); // last 30 days by the API's clock (NOW)
    const { reconciliation: r } = await api(`query($from: String!, $to: String!) { reconciliation(from: $from, to: $to) {
      rows { day provider model billed tracked variance varianceShare } totals { currency billed tracked variance varianceShare } } }`, range);
    expect(r.totals).toHaveLength(1);
    for (const f of ['billed', 'tracked', 'variance', 'varianceShare'] as const) {
      expect(await page.getByTestId(`recon-${f === 'varianceShare' ? 'share' : f}`).getAttribute('data-value'), f).toBe(r.totals[0][f]);
    }
    const rows = page.getByTestId('recon-rows').locator('tbody tr');
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-day'), tr.getAttribute('data-provider'), tr.getAttribute('data-model') || null,
      ...[...tr.querySelectorAll('td[data-value]')].map((td) => td.getAttribute('data-value') || null)]));
    expect(shown).toEqual(r.rows.map((x: any) => [x.day, x.provider, x.model, x.billed, x.tracked, x.variance, x.varianceShare]));
    // The demo's bill: unattributed charges and days over the tracked figure, and the rows' billed sum is the invoice (SQL over the stored lines).
    expect(shown.filter((x) => x[2] === null).length).toBeGreaterThan(0);
    expect(r.rows.some((x: any) => x.model && Number(x.variance) > 0)).toBe(true);
    const [{ invoice }] = (await p.pool.query(`SELECT sum(amount)::text AS invoice FROM provider_bill_lines WHERE workspace_id = $1 AND day BETWEEN $2 AND $3`, [ws.workspaceId, range.from, range.to])).rows;
    const billed = (await attrs('[data-testid=recon-rows] tbody tr td:nth-child(4)', 'data-value')).reduce((s, v) => s.plus(v!), new Decimal(0));
    expect(billed.equals(invoice)).toBe(true);
    expect(new Decimal(r.totals[0].billed).equals(invoice)).toBe(true);
    await page.locator('[data-chart="recon-daily"] svg').waitFor();
    await screenshot(page, 'reconciliation');
  });

  it("uploads a bill (admins), showing the API's refusal naming the line and field", async () => {
    await page.goto(`${web.url}/reconciliation`);
    const form = page.getByTestId('bill-upload');
    const upload = async (csv: string) => {
      await form.getByLabel('Bill file').setInputFiles({ name: 'bill.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await form.getByRole('button', { name: 'Import' }).click();
    };
    const header = 'ChargePeriodStart,BilledCost,BillingCurrency,ServiceProviderName';
    await upload(`${header}\n2026-10-01T00:00:00Z,free,USD,OpenAI\n`);
    const refusal = form.locator('.error[role=alert]');
    await expect.poll(() => refusal.textContent()).toContain('BilledCost');
    expect([await refusal.getAttribute('data-field'), await refusal.getAttribute('data-line')]).toEqual(['BilledCost', '2']);
    // A day before the demo's period: the figures above stay as they are.
    await upload(`${header}\n2026-10-01T00:00:00Z,12.5,USD,OpenAI\n`);
    await expect.poll(() => form.locator('[role=status]').textContent()).toContain('Imported 1 lines for 2026-10-01 to 2026-10-01');
  });
});
