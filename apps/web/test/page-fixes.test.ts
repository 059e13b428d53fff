// What a person met on the existing pages (issue 21), each in a real Chromium over the real API
// and demo data: the explorer, the overview, the event log, budgets and embeds. Every figure is
// checked against the API's answer to the same question. Screenshots: artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { describeChange, formatMs, formatTags } from '../lib/format.ts';
import { type Web, demoWorkspace, hydrated, launchBrowser, newPage, screenshot, signIn, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

let p: Platform;
let web: Web;
let browser: Browser;
let page: Page;
let ws: { workspaceId: string; key: string };
/** The API's clock: the demo's 30 days end at 10:00 today (2 Dec), so 2 Nov holds a few evening calls. */
const NOW = new Date('2026-12-02T10:44:00Z');

type M = { measures: Array<{ measure: string; value: string | null }> };
const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
const val = (n: M, m: string) => n.measures.find((x) => x.measure === m)?.value ?? null;
const attrs = (selector: string, attr: string) => page.locator(selector).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);
const texts = (selector: string) => page.locator(selector).allTextContents();
const search = (name: string) => new URL(page.url()).searchParams.get(name);
/** Waits for a client navigation or a server render (expect.poll's own default is 1 s). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 120_000 });
/** Waits for an element; if it never comes, says what the page shows instead. */
const shown = (testId: string) => page.getByTestId(testId).waitFor().catch(async (e) => {
  throw new Error(`${e.message}\npage shows: ${(await page.locator('main').innerText()).slice(0, 1000)}`);
});

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await demoWorkspace(p, { end: NOW });
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  page = await newPage(browser);
  await signIn(page, web, ws.key);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

describe('explorer', () => {
  it('shows the tags dimension as key=value pairs, not JSON objects', async () => {
    await page.goto(`${web.url}/explore?m=calls&by=tags&range=last%2030%20days`);
    await shown('pivot');
    const { breakdown: tags } = await api(`{ breakdown(measures: ["calls"], by: ["tags"], timeRange: { relative: "last 30 days" }) { children { value other } } }`);
    const labels = await texts('tr[data-depth="1"] td:first-child a');
    expect(labels).toEqual(tags.children.map((c: { value: string }) => formatTags(c.value)));
    expect(labels.some((l) => /team=eng/.test(l))).toBe(true);
    for (const l of labels) expect(l).not.toContain('{');
  });

  it('adds and removes measures with plain clicks', async () => {
    await page.goto(`${web.url}/explore?m=total_cost&range=last%2030%20days`);
    const measures = page.getByRole('group', { name: 'Measures' });
    await measures.getByLabel('Calls', { exact: true }).click();
    await poll(() => search('m')).toBe('total_cost,calls');
    await page.getByRole('columnheader', { name: 'Calls', exact: true }).waitFor();
    await measures.getByLabel('Total cost', { exact: true }).click();
    await poll(() => search('m')).toBe('calls');
  });

  it('applies a custom range on Apply, not on every keystroke', async () => {
    await page.goto(`${web.url}/explore?m=total_cost&from=2026-11-20&to=2026-11-26`);
    const before = page.url();
    await hydrated(page.getByLabel('From', { exact: true }));
    await page.getByLabel('From', { exact: true }).fill('2026-11-10');
    await page.getByLabel('To', { exact: true }).fill('2026-11-15');
    await page.waitForTimeout(1500);
    expect(page.url()).toBe(before); // typing did not reload
    await page.getByRole('button', { name: 'Apply' }).click();
    await poll(() => [search('from'), search('to')]).toEqual(['2026-11-10', '2026-11-15']);
  });

  it('drills into an "Other (N)" bucket: the event log shows exactly its calls and cost', async () => {
    await page.goto(`${web.url}/explore?m=total_cost,calls&by=model&range=last%2030%20days&limit=3`);
    const { breakdown } = await api(`{ breakdown(measures: ["total_cost", "calls"], by: ["model"], timeRange: { relative: "last 30 days" }, limit: 3) { children { other otherCount measures { measure value } } } }`);
    const other = breakdown.children.find((c: { other: boolean }) => c.other);
    expect(other.otherCount).toBeGreaterThan(1);
    await page.getByRole('link', { name: `Other (${other.otherCount})` }).click();
    await page.waitForURL(/\/events\?/);
    const summary = page.getByTestId('events-summary');
    expect([await summary.getAttribute('data-calls'), await summary.getAttribute('data-cost')]).toEqual([val(other, 'calls'), val(other, 'total_cost')]);
  });

  it('compares every row with the previous period', async () => {
    await page.goto(`${web.url}/explore?m=calls&by=provider&range=last%207%20days&compare=1`);
    await page.getByTestId('explore-previous-period').waitFor();
    const { before } = await api(`{ before: breakdown(measures: ["calls"], by: ["provider"], timeRange: { relative: "last 7 days", previous: true }) { children { value other measures { measure value } } } }`);
    const prev = new Map(before.children.filter((c: { other: boolean }) => !c.other).map((c: M & { value: string | null }) => [JSON.stringify([c.value]), val(c, 'calls')]));
    const rows = await page.locator('tr[data-depth="1"]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-path'), tr.querySelectorAll('td')[3]!.querySelector('[data-value]')!.getAttribute('data-value')]));
    expect(rows.length).toBeGreaterThan(1);
    for (const [path, shown] of rows) expect(shown, path!).toBe(prev.get(path!) ?? '');
    await screenshot(page, 'explorer-compare');
  });
});

describe('overview', () => {
  it('picks a range from presets or dates, and compares it with the same length before', async () => {
    await page.goto(`${web.url}/`);
    const presets = page.getByRole('navigation', { name: 'Period presets' });
    await presets.getByRole('link', { name: 'Last month' }).click();
    await poll(() => search('range')).toBe('last month');
    const period = page.getByTestId('overview-period');
    await poll(() => period.getAttribute('data-from')).toBe('2026-11-01T00:00:00Z');

    // Against a previous period with barely any calls: no +2000 % change, but a note saying why.
    const form = page.getByRole('form', { name: 'Custom period' });
    await form.getByLabel('From', { exact: true }).fill('2026-11-03');
    await form.getByLabel('To', { exact: true }).fill('2026-12-02');
    await form.getByRole('button', { name: 'Apply' }).click();
    await poll(() => period.getAttribute('data-from')).toBe('2026-11-03T00:00:00Z');
    const { c, q } = await api(`{ c: breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { from: "2026-11-03", to: "2026-12-02" }) { measures { measure value } }
      q: breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { from: "2026-10-04", to: "2026-11-02" }) { measures { measure value } } }`);
    expect(Number(val(q, 'calls'))).toBeGreaterThan(0); // a few calls before: the old page showed a huge percentage
    expect(await page.getByTestId('kpi-cost').getAttribute('data-value')).toBe(val(c, 'total_cost'));
    const change = page.getByTestId('kpi-cost-change');
    expect(await change.getAttribute('data-comparable')).toBe('false');
    expect(await change.textContent()).toContain('no comparable previous period');
    expect(await change.getAttribute('title')).toContain(`${Number(val(q, 'calls'))} calls against`);
    expect(await page.getByTestId('overview-period').textContent()).toContain('compared with 4 Oct – 2 Nov 2026');

    // A comparable previous period: the change as the API's figures give it.
    await presets.getByRole('link', { name: 'Last 7 days' }).click();
    await poll(() => search('range')).toBe('last 7 days');
    const { c7, p7 } = await api(`{ c7: breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { relative: "last 7 days" }) { measures { measure value } }
      p7: breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { relative: "last 7 days", previous: true }) { measures { measure value } } }`);
    await poll(() => change.getAttribute('data-comparable')).toBe('true');
    const expected = describeChange(val(c7, 'total_cost'), val(p7, 'total_cost'), { current: val(c7, 'calls'), previous: val(p7, 'calls') });
    expect(await change.textContent()).toBe(expected.text);
    await screenshot(page, 'overview-range');
  });

  it('labels every bar of the by-model chart and no pie slice too small to read', async () => {
    await page.goto(`${web.url}/?range=last%2030%20days`);
    await page.locator('[data-chart="overview-models"] svg').waitFor();
    const { providers } = await api(`{ providers: breakdown(measures: ["total_cost"], by: ["provider", "model"], timeRange: { relative: "last 30 days" }, limit: 6) {
      children { label other measures { measure value share } children { label other measures { measure value } } } } }`);
    const models = providers.children.flatMap((c: { children: Array<{ label: string; other: boolean; measures: M['measures'] }> }) => c.children.filter((m) => !m.other));
    expect(models.length).toBeGreaterThan(6);
    const barLabels = await texts('[data-chart="overview-models"] svg text');
    for (const m of models) expect(barLabels, m.label).toContain(val(m, 'total_cost') === null ? `${m.label} (unpriced)` : m.label);
    const pieLabels = await texts('[data-chart="overview-providers"] svg text');
    expect(pieLabels.filter((l) => /: 0(\.0)?%$/.test(l))).toEqual([]);
    for (const prov of providers.children) {
      const share = prov.measures[0].share;
      if (share !== null && share >= 0.05) expect(pieLabels.some((l) => l.startsWith(`${prov.label}: `)), prov.label).toBe(true);
    }
  });
});

describe('event log', () => {
  it("shows the filter's count and total from the API, an agent column, what a retrieval called, and figures in one format", async () => {
    await page.goto(`${web.url}/events?range=last%2030%20days`);
    const { all } = await api(`{ all: breakdown(measures: ["calls", "total_cost"], by: [], timeRange: { relative: "last 30 days" }) { measures { measure value } } }`);
    const summary = page.getByTestId('events-summary');
    expect([await summary.getAttribute('data-calls'), await summary.getAttribute('data-cost')]).toEqual([val(all, 'calls'), val(all, 'total_cost')]);
    expect(await summary.textContent()).toContain(`${Number(val(all, 'calls')).toLocaleString('en-US')} events`);

    const { events } = await api(`{ events(timeRange: { relative: "last 30 days" }, first: 50) { edges { node { id agent latencyMs totalCost unpriced } } } }`);
    const nodes = events.edges.map((e: { node: unknown }) => e.node);
    expect(await attrs('[data-testid=events] tbody tr', 'data-event-id')).toEqual(nodes.map((n: { id: string }) => n.id));
    expect(await texts('[data-testid=events] tbody td[data-field=agent]')).toEqual(nodes.map((n: { agent: string | null }) => n.agent ?? '—'));
    expect(await texts('[data-testid=events] tbody td[data-field=latency]')).toEqual(nodes.map((n: { latencyMs: number | null }) => formatMs(n.latencyMs)));
    const latencies = await texts('[data-testid=events] tbody td[data-field=latency]');
    expect(latencies.some((l) => /^\d{1,3},\d{3} ms$/.test(l))).toBe(true); // thousands separated
    for (const c of await texts('[data-testid=events] tbody td[data-field=cost]')) expect(c).toMatch(/^(\$\d+\.\d{6}|unpriced)$/);

    // Sorted by the API (the whole filter, not the page): costliest first, then cheapest; unpriced last either way.
    const byCost = async (order: string) => (await api(`query($o: EventOrder) { events(timeRange: { relative: "last 30 days" }, first: 50, order: $o) { edges { node { id totalCost } } } }`, { o: order }))
      .events.edges.map((e: { node: { id: string; totalCost: string | null } }) => e.node);
    for (const order of ['costliest', 'cheapest']) {
      await page.getByRole('link', { name: 'Cost', exact: true }).click();
      await poll(() => search('order')).toBe(order);
      const expected = await byCost(order);
      expect(await attrs('[data-testid=events] tbody tr', 'data-event-id')).toEqual(expected.map((n: { id: string }) => n.id));
      const costs = (await attrs('[data-testid=events] tbody td[data-field=cost]', 'data-value')).map(Number);
      expect(costs).toEqual([...costs].sort((a, b) => (order === 'costliest' ? b - a : a - b)));
      expect(await page.getByRole('columnheader', { name: /Cost/ }).getAttribute('aria-sort')).toBe(order === 'costliest' ? 'descending' : 'ascending');
    }
    // And against the stored rows: the costliest page starts with the range's most expensive event.
    const [{ max }] = (await p.pool.query(`SELECT max(total_cost)::text AS max FROM usage_events WHERE workspace_id = $1 AND occurred_at >= '2026-11-03' AND occurred_at < '2026-12-03'`, [ws.workspaceId])).rows;
    expect(Number((await byCost('costliest'))[0].totalCost)).toBe(Number(max));

    await page.goto(`${web.url}/events?range=last%2030%20days&f=kind|equals|retrieval`);
    const called = await texts('[data-testid=events] tbody td[data-field=called]');
    expect(called.length).toBeGreaterThan(0);
    expect(new Set(called)).toEqual(new Set(['retrieval']));
    await screenshot(page, 'events-summary');
  });
});

describe('budgets', () => {
  it("suggests the workspace's values for the scope dimension picked", async () => {
    await page.goto(`${web.url}/budgets`);
    const form = page.getByRole('form', { name: 'New budget' });
    await form.getByLabel('Scope dimension 1').selectOption('agent');
    const { breakdown } = await api(`{ breakdown(measures: ["calls"], by: ["agent"], limit: 200, sort: { measure: "calls" }) { children { value other } } }`);
    const seen = breakdown.children.filter((c: { value: string | null; other: boolean }) => c.value !== null && !c.other).map((c: { value: string }) => c.value);
    expect(seen).toContain('coder');
    await poll(() => attrs('[data-testid=scope-values-0] option', 'value')).toEqual(seen);
  });

  it('keeps what was typed when the API refuses the budget', async () => {
    const form = page.getByRole('form', { name: 'New budget' });
    await form.getByLabel('Name').fill('Kept after a refusal');
    await form.getByLabel('Amount (USD)').fill('-5');
    await form.getByLabel('Scope dimension 1').selectOption('agent');
    await form.getByLabel('Scope values 1').fill('coder, reviewer');
    await form.getByRole('button', { name: 'Create budget' }).click();
    await poll(() => form.locator('.error[role=alert]').textContent()).toContain('input.amount');
    expect(await form.getByLabel('Name').inputValue()).toBe('Kept after a refusal');
    expect(await form.getByLabel('Amount (USD)').inputValue()).toBe('-5');
    expect(await form.getByLabel('Scope dimension 1').inputValue()).toBe('agent');
    expect(await form.getByLabel('Scope values 1').inputValue()).toBe('coder, reviewer');
  });

  it("creates a plan limit (a seat's tokens in a 5-hour window) and shows its usage in tokens", async () => {
    const { breakdown } = await api(`{ breakdown(measures: ["calls"], by: ["user_id"], limit: 1, sort: { measure: "calls" }) { children { value } } }`);
    const seat = breakdown.children[0].value as string;
    await page.goto(`${web.url}/budgets`);
    const form = page.getByRole('form', { name: 'New budget' });
    await hydrated(form.getByLabel('Counts'));
    await form.getByLabel('Name').fill(`Plan limit ${seat}`);
    await form.getByLabel('Counts').selectOption('tokens');
    await form.getByLabel('Limit (tokens)').fill('2000000');
    await form.getByLabel('Period').selectOption('rolling');
    await form.getByLabel('Window length').fill('5');
    await form.getByLabel('Window unit').selectOption('hours');
    await form.getByLabel('Scope dimension 1').selectOption('user_id');
    await form.getByLabel('Scope values 1').fill(seat);
    await form.getByRole('button', { name: 'Create budget' }).click();
    await poll(() => page.url()).toMatch(/\/budgets\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').at(-1)!;
    const { budget } = await api(`query($id: ID!) { budget(id: $id) { unit rollingHours period spend amount } }`, { id });
    expect(budget).toMatchObject({ unit: 'tokens', rollingHours: 5, period: 'rolling', amount: '2000000' });
    const spend = page.getByTestId('budget-spend');
    await poll(() => spend.getAttribute('data-value')).toBe(budget.spend);
    expect(await spend.innerText()).toMatch(/^[\d,]+ tokens$/);
    expect(await page.locator('.kpi .label').first().textContent()).toBe('Usage this 5-hour window');
  });

  it('asks before deleting a budget; cancelling keeps it', async () => {
    const { createBudget } = await api(`mutation { createBudget(input: { name: "Web test: delete me", period: monthly, amount: "10", wholeWorkspace: true }) { id } }`);
    const exists = async () => (await api(`query($id: ID!) { budget(id: $id) { id } }`, { id: createBudget.id })).budget !== null;
    await page.goto(`${web.url}/budgets/${createBudget.id}`);
    const asked: string[] = [];
    page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain('Web test: delete me');
    await page.waitForTimeout(1000);
    expect(new URL(page.url()).pathname).toBe(`/budgets/${createBudget.id}`);
    expect(await exists()).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(`${web.url}/budgets`);
    expect(await exists()).toBe(false);
  });
});

describe('embeds', () => {
  /** WCAG contrast of two `rgb(...)` colours. */
  const contrast = (a: string, b: string) => {
    const lum = (c: string) => {
      const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((x) => Number(x) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };

  it("draws a dark embed's title light on its dark background", async () => {
    const { createEmbedToken } = await api(`mutation { createEmbedToken(input: { kind: breakdown, title: "Spend by provider", measures: ["total_cost"], by: ["provider"],
      timeRange: { relative: "last 30 days" }, theme: dark }) { path } }`);
    const anonymous = await browser.newContext();
    const embed = await anonymous.newPage();
    await embed.goto(`${web.url}${createEmbedToken.path}`);
    type Css = (e: unknown) => { color: string; backgroundColor: string };
    const [color, background] = await embed.locator('main h1').evaluate((h) => {
      const css = (globalThis as unknown as { getComputedStyle: Css }).getComputedStyle;
      return [css(h).color, css(h.closest('main')).backgroundColor];
    });
    expect(contrast(color!, background!)).toBeGreaterThanOrEqual(4.5);
    await screenshot(embed, 'embed-dark-title');
    await anonymous.close();
  });
});
