// One range picker on every page with a range (issue 21): presets change the URL and the figures,
// "Compare to previous period" (compare=previous) shows each headline figure's previous value and
// change — the API's answer for the previous range, asked directly here — and every chart's data
// is a table reached with the keyboard. axe-core finds no serious violation on those pages.
// In a real Chromium over the real API and demo data. Screenshots: artifacts/screenshots/ranges-*.png.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addMembership } from '@spendgraph/db';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, ingestAndWait, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, demoWorkspace, launchBrowser, newPage, screenshot, seriousViolations, signIn, signInAsPerson, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

/** Wednesday 2 Dec: the demo's 30 days end at 10:00 today; "this week" began on Monday 30 Nov. */
const NOW = new Date('2026-12-02T10:44:00Z');

let p: Platform;
let web: Web;
let browser: Browser;
let page: Page;
let devPage: Page;
let ws: { workspaceId: string; key: string };
let dev: { email: string; id: string };

type M = { measures: Array<{ measure: string; value: string | null }> };
const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);
const val = (n: M | undefined, m: string) => n?.measures.find((x) => x.measure === m)?.value ?? null;
const search = (pg: Page, name: string) => new URL(pg.url()).searchParams.get(name);
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 120_000 });
const attr = (pg: Page, testId: string, name: string) => pg.getByTestId(testId).first().getAttribute(name);
const norm = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? null : new Decimal(v).toString());
/** The same decimal (the API may write 12.5 where a page keeps 12.50); '' and null both mean none. */
const same = (a: string | null | undefined, b: string | null | undefined) => norm(a) === norm(b);

/** Totals over a range (and filters) as the API answers them. */
async function totals(range: Record<string, unknown>, measures = ['total_cost', 'calls'], f: unknown[] = []) {
  const { t } = await api(`query($m: [String!]!, $r: TimeRange, $f: [Filter!]) { t: breakdown(measures: $m, by: [], filters: $f, timeRange: $r) { measures { measure value } period { from to } } }`, { m: measures, r: range, f });
  return t as M & { period: { from: string; to: string } };
}

/** A range's UTC days as the day-based pages (reconciliation) ask for them. */
async function days(range: Record<string, unknown>) {
  const { period } = await totals(range, ['calls']);
  const to = new Date(Date.parse(period.to) - 1).toISOString().slice(0, 10);
  return { from: period.from.slice(0, 10), to };
}

async function preset(pg: Page, name: string) {
  await pg.getByTestId('range-picker').getByRole('navigation', { name: 'Period presets' }).getByRole('link', { name, exact: true }).click();
}

async function compareOn(pg: Page) {
  const toggle = pg.getByTestId('compare-toggle');
  expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  await toggle.click();
  await poll(() => search(pg, 'compare')).toBe('previous');
  await poll(() => pg.getByTestId('compare-toggle').getAttribute('aria-pressed')).toBe('true');
}

/** Presses Tab until `target` has the focus (at most `max` times). */
async function tabTo(pg: Page, target: string, max = 300) {
  for (let i = 0; i < max; i++) {
    await pg.keyboard.press('Tab');
    if (await pg.evaluate(`!!document.activeElement?.matches(${JSON.stringify(target)})`)) return;
  }
  throw new Error(`${target} was not reached with Tab`);
}

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await demoWorkspace(p, { end: NOW });
  // A developer of the workspace, with calls this week and last week (/me is a person's own view).
  dev = await person(p.pool, 'dev');
  await addMembership(p.pool, { userId: dev.id, workspaceId: ws.workspaceId, role: 'viewer' });
  const call = (at: string, cost: string) => ({ occurred_at: at, provider: 'anthropic', model: 'claude-sonnet-4-5', user_id: dev.email, cost, agent: 'claude-code' });
  await ingestAndWait(p, ws, [call('2026-11-30T09:00:00Z', '1.25'), call('2026-12-01T09:00:00Z', '2.50'), call('2026-11-25T09:00:00Z', '9.00'), call('2026-11-24T09:00:00Z', '0.75')]);
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  page = await newPage(browser);
  await signIn(page, web, ws.key);
  devPage = await newPage(browser);
  await signInAsPerson(devPage, web, dev.email);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

describe('overview', () => {
  it('changes the figures with a preset, and compares every figure with the API\'s previous period', async () => {
    await page.goto(`${web.url}/?range=last%2030%20days`);
    await poll(async () => same(await attr(page, 'kpi-cost', 'data-value'), val(await totals({ relative: 'last 30 days' }), 'total_cost'))).toBe(true);
    await preset(page, 'Last 7 days');
    await poll(() => search(page, 'range')).toBe('last 7 days');
    const now = await totals({ relative: 'last 7 days' }, ['total_cost', 'calls', 'error_rate']);
    await poll(async () => same(await attr(page, 'kpi-cost', 'data-value'), val(now, 'total_cost'))).toBe(true);

    await compareOn(page);
    expect(search(page, 'range')).toBe('last 7 days'); // the toggle keeps the range
    const before = await totals({ relative: 'last 7 days', previous: true }, ['total_cost', 'calls', 'error_rate']);
    for (const m of ['calls', 'error_rate']) {
      const shown = page.getByTestId(`kpi-${m}-previous`);
      expect(same(await shown.getAttribute('data-previous'), val(before, m)), m).toBe(true);
      expect(same(await shown.getAttribute('data-delta'), new Decimal(val(now, m)!).minus(val(before, m)!).toString()), m).toBe(true);
    }
    expect(await page.getByTestId('kpi-calls-previous-change').textContent()).toMatch(/^[+-]\d[\d,]* \([+-]\d+\.\d%\)$/);
    // A preset keeps the comparison.
    await preset(page, 'Last 30 days');
    await poll(() => search(page, 'range')).toBe('last 30 days');
    expect(search(page, 'compare')).toBe('previous');
    await screenshot(page, 'ranges-overview-compare');
  });

  it('says "no comparable previous period" against a period without data, not a huge percentage', async () => {
    // The demo's data starts 30 days ago: the 30 days before have (next to) none.
    await page.goto(`${web.url}/?from=2026-11-03&to=2026-12-02&compare=previous`);
    const change = page.getByTestId('kpi-calls-previous');
    expect(await change.getAttribute('data-comparable')).toBe('false');
    expect(await change.textContent()).toContain('no comparable previous period');
    expect(await change.textContent()).not.toMatch(/\d{3,}[.,]?\d*%/);
  });

  it('reaches the daily spend chart\'s data table with Tab, and its values are the chart\'s series', async () => {
    await page.goto(`${web.url}/?range=last%2030%20days`);
    await page.getByTestId('overview-trend-data').waitFor();
    await page.locator('main h2').first().click(); // start tabbing from the page's top
    await tabTo(page, '[data-testid="overview-trend-data"] summary');
    await page.keyboard.press('Enter'); // opens the disclosure
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Daily spend, data');
    const rows = await page.getByTestId('overview-trend-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-label'), tr.querySelector('td')!.getAttribute('data-value')]));
    const { timeseries } = await api(`{ timeseries(measures: ["total_cost"], granularity: day, timeRange: { relative: "last 30 days" }) { series { points { time measures { measure value } } } } }`);
    const points = timeseries.series[0].points.map((pt: { time: string } & M) => [pt.time.slice(0, 10), Number(val(pt, 'total_cost') ?? 0)]);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.map(([label, v]) => [label!.slice(0, 10), Number(v)])).toEqual(points);
    // The chart itself: focused, the arrow keys move through its points, read aloud by a live region.
    await page.locator('main h2').first().click();
    await tabTo(page, '[data-chart="overview-trend"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const point = page.getByTestId('overview-trend-point');
    await poll(() => point.getAttribute('data-index')).toBe('1');
    expect(await point.textContent()).toContain(rows[1]![0]!);
    await page.keyboard.press('End');
    await poll(() => point.getAttribute('data-index')).toBe(String(rows.length - 1));
    // The pie and the bars have theirs too.
    for (const id of ['overview-providers', 'overview-models']) expect(await page.getByTestId(`${id}-table`).locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'ranges-chart-table');
  });
});

describe('customers (an axis)', () => {
  it('lists the range a preset picks, with each row\'s previous cost', async () => {
    await page.goto(`${web.url}/customers`);
    await preset(page, 'Last 7 days');
    await poll(() => search(page, 'range')).toBe('last 7 days');
    const { now, before } = await api(`{ now: breakdown(measures: ["total_cost"], by: ["customer_id"], timeRange: { relative: "last 7 days" }, limit: 500) { children { value other measures { measure value } } }
      before: breakdown(measures: ["total_cost"], by: ["customer_id"], timeRange: { relative: "last 7 days", previous: true }, limit: 500) { children { value other measures { measure value } } } }`);
    const first = now.children.find((c: { other: boolean }) => !c.other);
    await poll(() => page.getByTestId('axis-list').locator('tbody tr').first().locator('td[data-value]').first().getAttribute('data-value')).toBe(val(first, 'total_cost'));

    await compareOn(page);
    const prev = new Map(before.children.filter((c: { other: boolean }) => !c.other).map((c: M & { value: string }) => [c.value, val(c, 'total_cost')]));
    const rows = await page.getByTestId('axis-list').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-label'), tr.querySelector('td[data-previous]')?.getAttribute('data-previous') ?? null]));
    const labels = new Map(now.children.map((c: { value: string | null; other: boolean }) => [c.value, c]));
    let checked = 0;
    for (const [label, shown] of rows) {
      if (!labels.has(label) || shown === null) continue; // the Other bucket has no counterpart
      expect(same(shown, (prev.get(label) as string | undefined) ?? ''), label!).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('shows one customer\'s cost beside the previous period\'s, and keeps the range from the list', async () => {
    const link = page.getByTestId('axis-list').locator('tbody a').first();
    const customer = await link.textContent();
    await link.click();
    await page.getByTestId('axis-cost-previous').waitFor();
    expect([search(page, 'range'), search(page, 'compare')]).toEqual(['last 7 days', 'previous']);
    const f = [{ member: 'customer_id', operator: 'equals', values: [customer] }];
    const before = await totals({ relative: 'last 7 days', previous: true }, ['total_cost', 'calls'], f);
    expect(same(await attr(page, 'axis-cost-previous', 'data-previous'), val(before, 'total_cost'))).toBe(true);
    expect(same(await attr(page, 'axis-calls-previous', 'data-previous'), val(before, 'calls'))).toBe(true);
  });
});

describe('event log', () => {
  it('sums the range a preset picks, and the previous period beside it, over the same filters', async () => {
    await page.goto(`${web.url}/events?range=last%207%20days&f=${encodeURIComponent('provider|equals|anthropic')}`);
    await preset(page, 'Last 30 days');
    await poll(() => search(page, 'range')).toBe('last 30 days');
    expect(search(page, 'f')).toBe('provider|equals|anthropic'); // the filters stay
    const f = [{ member: 'provider', operator: 'equals', values: ['anthropic'] }];
    const now = await totals({ relative: 'last 30 days' }, ['total_cost', 'calls'], f);
    await poll(() => attr(page, 'events-summary', 'data-cost')).toBe(val(now, 'total_cost'));
    await compareOn(page);
    const before = await totals({ relative: 'last 30 days', previous: true }, ['total_cost', 'calls'], f);
    expect(same(await attr(page, 'events-cost-previous', 'data-previous'), val(before, 'total_cost'))).toBe(true);
    expect(same(await attr(page, 'events-calls-previous', 'data-previous'), val(before, 'calls'))).toBe(true);
  });
});

describe('explorer', () => {
  it('keeps the view when a preset changes the range, and compares with the toggle', async () => {
    await page.goto(`${web.url}/explore?m=total_cost&by=provider&range=last%2030%20days`);
    await preset(page, 'Last 7 days');
    await poll(() => search(page, 'range')).toBe('last 7 days');
    expect([search(page, 'm'), search(page, 'by')]).toEqual(['total_cost', 'provider']);
    await compareOn(page);
    await page.getByTestId('explore-previous-period').waitFor();
    await page.getByRole('columnheader', { name: /Total cost, previous period/ }).waitFor();
  });
});

describe('reconciliation', () => {
  it('reconciles the days a preset picks, beside the previous period\'s bill', async () => {
    await page.goto(`${web.url}/reconciliation`);
    await preset(page, 'Last 7 days');
    await poll(() => search(page, 'range')).toBe('last 7 days');
    const span = await days({ relative: 'last 7 days' });
    await poll(() => attr(page, 'recon-period', 'data-from')).toBe(span.from);
    await compareOn(page);
    const prevSpan = await days({ relative: 'last 7 days', previous: true });
    const { reconciliation: r } = await api(`query($from: String!, $to: String!) { reconciliation(from: $from, to: $to) { totals { currency billed tracked } } }`, prevSpan);
    expect(r.totals.length).toBeGreaterThan(0);
    expect(same(await attr(page, 'recon-billed-previous', 'data-previous'), r.totals[0].billed)).toBe(true);
    expect(same(await attr(page, 'recon-tracked-previous', 'data-previous'), r.totals[0].tracked)).toBe(true);
  });
});

describe('profitability', () => {
  it('offers whole months, and compares this month with last month', async () => {
    await page.goto(`${web.url}/profitability?by=customer_id`);
    await preset(page, 'Last month');
    await poll(() => search(page, 'range')).toBe('last month');
    expect(search(page, 'by')).toBe('customer_id');
    await poll(() => attr(page, 'profit-period', 'data-from')).toBe('2026-11-01');
    await preset(page, 'This month');
    await poll(() => attr(page, 'profit-period', 'data-from')).toBe('2026-12-01');
    await compareOn(page);
    const { totals: t } = await api(`{ totals: economics(from: "2026-11-01", to: "2026-11-30", by: []) { revenue trueCost margin } }`);
    for (const f of ['revenue', 'trueCost', 'margin']) expect(same(await attr(page, `profit-${f}-previous`, 'data-previous'), String(t[0]?.[f] ?? '0')), f).toBe(true);
  });
});

describe('organization', () => {
  it('compares the organization\'s spend with the previous period', async () => {
    await page.goto(`${web.url}/organization?range=last%207%20days`);
    await compareOn(page);
    const { organizationOverview: o } = await api(`{ organizationOverview(timeRange: { relative: "last 7 days", previous: true }) { totalCost calls } }`);
    expect(same(await attr(page, 'org-total-previous', 'data-previous'), o.totalCost)).toBe(true);
    expect(same(await attr(page, 'org-calls-previous', 'data-previous'), String(o.calls))).toBe(true);
  });
});

describe('savings', () => {
  it('estimates over the range a preset picks', async () => {
    await page.goto(`${web.url}/savings`);
    await preset(page, 'Last 7 days');
    await poll(() => search(page, 'range')).toBe('last 7 days');
    const { savingsRecommendations: recs } = await api(`{ savingsRecommendations(timeRange: { relative: "last 7 days" }, limit: 10) { monthlySaving } }`);
    await poll(async () => (await page.locator('[data-testid="savings-recommendations"] td[data-value]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')))))
      .toEqual(recs.map((r: { monthlySaving: string }) => r.monthlySaving));
  });
});

describe('my cost', () => {
  it('shows my cost over the range a preset picks, and last week\'s beside this week\'s', async () => {
    await devPage.goto(`${web.url}/me`);
    const f = [{ member: 'user_id', operator: 'equals', values: [dev.email] }];
    await preset(devPage, 'Last week');
    await poll(() => search(devPage, 'range')).toBe('last week');
    await poll(() => attr(devPage, 'my-cost', 'data-value')).toBe(val(await totals({ relative: 'last week' }, ['total_cost'], f), 'total_cost'));
    expect(val(await totals({ relative: 'last week' }, ['total_cost'], f), 'total_cost')).toBe('9.75');
    await preset(devPage, 'This week');
    await poll(() => search(devPage, 'range')).toBe('this week');
    await compareOn(devPage);
    const shown = devPage.getByTestId('my-cost-previous');
    expect(same(await shown.getAttribute('data-previous'), '9.75')).toBe(true);
    expect(same(await shown.getAttribute('data-delta'), '-6')).toBe(true); // 3.75 this week
    expect(await devPage.getByTestId('my-cost-previous-change').textContent()).toContain('-$6.00');
    await screenshot(devPage, 'ranges-my-cost-compare');
  });

  it('has no serious accessibility violations', async () => {
    expect(await seriousViolations(devPage, `${web.url}/me?range=this%20week&compare=previous`)).toEqual([]);
  });
});

describe('accessibility', () => {
  const pages = ['/?compare=previous', '/customers?compare=previous', '/events?compare=previous', '/explore?m=total_cost&by=provider&compare=previous',
    '/reconciliation?compare=previous', '/profitability?compare=previous', '/organization?compare=previous', '/savings'];
  it.each(pages)('%s: the picker is there, and axe-core finds no serious violation', async (path) => {
    expect(await seriousViolations(page, `${web.url}${path}`)).toEqual([]);
    expect(await page.getByTestId('range-picker').count()).toBe(1);
  });

  it('opens every chart\'s data table without a violation', async () => {
    expect(await seriousViolations(page, `${web.url}/?range=last%2030%20days`)).toEqual([]); // injects axe-core
    await page.getByTestId('overview-models-data').waitFor();
    await page.locator('details.chart-table').evaluateAll((ds) => ds.forEach((d) => { (d as unknown as { open: boolean }).open = true; }));
    const rules = JSON.stringify({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    const violations = await page.evaluate(`axe.run(document, ${rules}).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id))`);
    expect(violations).toEqual([]);
  });
});
