// Anomaly triage and the rendered morning report in a real Chromium, on a fixed clock: the
// insights fixture (packages/insights/test/fixture.ts) ingested through the API, anomalies
// detected and the report written in process as the worker's jobs do, and a person signed in
// with a password. Every figure shown is compared with the API's, the previous period's too. Screenshots: artifacts/screenshots/anomalies*.png.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addMembership, createApiKey, ensureWorkspace } from '@spendgraph/db';
import { detectAnomalies, writeMorningReport } from '@spendgraph/insights';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { dayOfSessions, ingest, otherDays } from '../../../packages/insights/test/fixture.ts';
import { type Web, hydrated, launchBrowser, newPage, screenshot, seriousViolations, signInAsPerson, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 180_000 });

const NOW = new Date('2026-10-11T08:00:00Z');
let p: Platform;
let semantic: SemanticLayer;
let web: Web;
let browser: Browser;
let page: Page;
let ws: { workspaceId: string; key: string };
let owner: { id: string; email: string };
let reportId: string;

const api = (query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, ws.key, query, variables);

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
  const w = await ensureWorkspace(p.pool, `triage-${Date.now().toString(36)}`, 'Triage test');
  owner = await person(p.pool, 'owner');
  await addMembership(p.pool, { userId: owner.id, workspaceId: w.id, role: 'owner' });
  ws = { workspaceId: w.id, key: (await createApiKey(p.pool, w.id, ['ingest', 'read', 'admin'])).key };
  await ingest(p, ws, [...dayOfSessions(), ...otherDays()]);
  await detectAnomalies({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, now: new Date('2026-10-10T23:00:00Z') });
  reportId = (await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, at: new Date('2026-10-11T07:00:00Z') })).report!.id;
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  page = await newPage(browser, 60_000);
  await signInAsPerson(page, web, owner.email);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await semantic?.close();
  await p?.stop();
});

const search = (name: string) => new URL(page.url()).searchParams.get(name);

/** The unresolved anomalies' totals over a range's period, as the API names the period (its clock, the workspace's timezone). */
async function summaryOver(range: Record<string, unknown>): Promise<{ count: number; excess: string }> {
  const { b } = await api('query($r: TimeRange) { b: breakdown(measures: ["calls"], by: [], timeRange: $r) { period { from to } } }', { r: range });
  const { anomalySummary } = await api('query($from: String, $to: String) { anomalySummary(from: $from, to: $to, status: [open, acknowledged]) { count excess } }', b.period);
  return anomalySummary;
}

const shownRows = () => page.getByTestId('anomalies').locator('tbody tr[data-testid="anomaly"]');

describe('anomalies page', () => {
  it('shows the filtered set\'s dollar impact (the API\'s sum), rows by impact, and explanations in words', async () => {
    await page.goto(`${web.url}/anomalies`);
    await shownRows().first().waitFor();
    const { anomalySummary: s, anomalies } = await api(`{ anomalySummary(status: [open, acknowledged]) { count excess }
      anomalies(status: [open, acknowledged], orderBy: impact, first: 25) { id excess } }`);
    expect(s.count).toBe(8);
    expect(await page.getByTestId('anomaly-impact').getAttribute('data-value')).toBe(s.excess);
    expect(await page.getByTestId('anomaly-impact').textContent()).toBe('$16.00');
    expect(await shownRows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual(anomalies.map((x: { id: string }) => x.id));
    const text = await page.getByTestId('anomalies').innerText();
    // No internal metric names or enum values in what a person reads.
    expect(text).not.toMatch(/_share|_per_|_tokens|subagent_calls|model_choice|\w+_\w+ \d/);
    const sub = shownRows().filter({ has: page.getByRole('link', { name: 'sub-1', exact: true }) });
    expect(await sub.getByTestId('explanation').textContent()).toBe(
      'Cost $3.00, 3.0× the $1.00 median of 11 similar sessions (bugfix × coder): $2.00 more. From subagent work $1.26, many calls $0.74.');
    await sub.getByText('Evidence').click();
    expect(await sub.locator('details li').first().textContent()).toMatch(/^Subagent work \(\$1\.26\): share of its cost spent by subagents: [\d.]+% \(peers' median 0\.0%\)$/);
    await screenshot(page, 'anomalies');
  });

  it('filters by kind and date range, groups by subject, with totals of the filtered set', async () => {
    await page.goto(`${web.url}/anomalies`);
    const filters = page.getByTestId('anomaly-filters');
    await filters.getByLabel('Kind').selectOption('task');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/kind=task/);
    // The dates are the range picker's (its custom From/To), which keeps the filters.
    const picker = page.getByTestId('range-picker');
    await picker.getByLabel('From', { exact: true }).fill('2026-10-10');
    await picker.getByLabel('To', { exact: true }).fill('2026-10-10');
    await picker.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/from=2026-10-10/);
    expect(search('kind')).toBe('task');
    const { anomalySummary: tasks } = await api('{ anomalySummary(kind: task, from: "2026-10-10T00:00:00Z", to: "2026-10-11T00:00:00Z", status: [open, acknowledged]) { count excess } }');
    await expect.poll(() => page.getByTestId('anomaly-count').getAttribute('data-value'), { timeout: 60_000 }).toBe(String(tasks.count));
    expect(await page.getByTestId('anomaly-impact').getAttribute('data-value')).toBe(tasks.excess);
    expect(await shownRows().count()).toBe(tasks.count);
    await picker.getByLabel('From', { exact: true }).fill('2026-10-11');
    await picker.getByLabel('To', { exact: true }).fill('2026-10-11');
    await picker.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/from=2026-10-11/);
    await expect.poll(() => page.getByTestId('anomaly-count').getAttribute('data-value'), { timeout: 60_000 }).toBe('0');

    await page.goto(`${web.url}/anomalies?group=likely_cause`);
    const groups = page.getByTestId('anomaly-groups').locator('tbody tr');
    const { anomalySummary: g } = await api('{ anomalySummary(status: [open, acknowledged]) { groups(by: likely_cause) { key count excess } } }');
    expect(await groups.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-key'), tr.querySelector('td[data-value]')!.getAttribute('data-value')])))
      .toEqual(g.groups.map((x: { key: string; excess: string }) => [x.key, x.excess]));
    await groups.filter({ hasText: 'Subagent work' }).getByRole('link').click();
    await page.waitForURL(/cause=subagents/);
    await expect.poll(() => shownRows().count(), { timeout: 60_000 }).toBe(g.groups.find((x: { key: string }) => x.key === 'subagents').count);
  });

  it('has the shared range picker: a preset changes the URL and the list, and compare shows the API\'s previous period', async () => {
    await page.goto(`${web.url}/anomalies?sort=recent`);
    const picker = page.getByTestId('range-picker');
    expect(await picker.getAttribute('data-range')).toBe('last 30 days');
    // The filter form has no dates of its own any more.
    expect(await page.getByTestId('anomaly-filters').getByLabel('From').count()).toBe(0);
    const month = await summaryOver({ relative: 'last 30 days' });
    expect(await shownRows().count()).toBe(month.count);
    expect(month.count).toBeGreaterThan(0);

    // Today: the fixture's anomalies are yesterday's.
    await picker.getByRole('navigation', { name: 'Period presets' }).getByRole('link', { name: 'Today', exact: true }).click();
    await expect.poll(() => search('range'), { timeout: 60_000 }).toBe('today');
    expect(search('sort')).toBe('recent'); // the other filters stay
    const today = await summaryOver({ relative: 'today' });
    await expect.poll(() => page.getByTestId('anomaly-count').getAttribute('data-value'), { timeout: 60_000 }).toBe(String(today.count));
    expect(await shownRows().count()).toBe(today.count);
    expect(today.count).toBeLessThan(month.count);

    const toggle = page.getByTestId('compare-toggle');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await expect.poll(() => search('compare'), { timeout: 60_000 }).toBe('previous');
    expect([search('range'), search('sort')]).toEqual(['today', 'recent']);
    const before = await summaryOver({ relative: 'today', previous: true });
    expect(before.count).toBeGreaterThan(0);
    const count = page.getByTestId('anomaly-count-previous');
    await count.waitFor();
    expect(await count.getAttribute('data-previous')).toBe(String(before.count));
    expect(await count.getAttribute('data-delta')).toBe(String(today.count - before.count));
    const impact = page.getByTestId('anomaly-impact-previous');
    expect(new Decimal(await impact.getAttribute('data-previous') ?? 'NaN').equals(before.excess)).toBe(true);
    expect(new Decimal(await impact.getAttribute('data-delta') ?? 'NaN').equals(new Decimal(today.excess).minus(before.excess))).toBe(true);
    expect(await page.getByTestId('anomaly-impact-previous-change').textContent()).toContain('(-100.0%)');
    await screenshot(page, 'anomalies-compare');
    expect(await seriousViolations(page, page.url())).toEqual([]);
  });

  it('acknowledges and dismisses with who and when; dismissed ones leave the default list and its total', async () => {
    await page.goto(`${web.url}/anomalies`);
    // Not session sub-1's: the morning report's test follows a link to it.
    const first = shownRows().filter({ hasNot: page.getByRole('link', { name: 'sub-1', exact: true }) }).first();
    const id = (await first.getAttribute('data-id'))!;
    await hydrated(first.getByRole('button', { name: 'Acknowledge' })); // a click before React hydrates is lost
    await first.getByLabel(/^Note on/).fill('checking the prompts');
    await first.getByRole('button', { name: 'Acknowledge' }).click();
    const acked = page.locator(`tr[data-id="${id}"]`);
    await expect.poll(() => acked.getAttribute('data-status'), { timeout: 60_000 }).toBe('acknowledged');
    expect(await acked.getByTestId('triage-state').textContent()).toBe(`acknowledged by ${owner.email}, 2026-10-11 08:00:00: “checking the prompts”`);
    const { rows: [entry] } = await p.pool.query(`SELECT actor_user_id, after ->> 'status' AS status FROM audit_log WHERE workspace_id = $1 AND action = 'acknowledgeAnomaly'`, [ws.workspaceId]);
    expect(entry).toEqual({ actor_user_id: owner.id, status: 'acknowledged' });

    await acked.getByRole('button', { name: 'Reopen' }).click();
    await expect.poll(() => acked.getAttribute('data-status'), { timeout: 60_000 }).toBe('open');
    await acked.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.locator(`tr[data-id="${id}"]`).count(), { timeout: 60_000 }).toBe(0);
    const { anomalySummary: s } = await api('{ anomalySummary(status: [open, acknowledged]) { count excess } }');
    expect(s.count).toBe(7);
    expect(await page.getByTestId('anomaly-impact').getAttribute('data-value')).toBe(s.excess);
    await page.goto(`${web.url}/anomalies?status=dismissed`);
    expect(await shownRows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual([id]);
    expect(await shownRows().first().getByTestId('triage-state').textContent()).toContain(`dismissed by ${owner.email}`);
    await screenshot(page, 'anomalies-dismissed');
  });

  it('shows the API\'s refusal of a bad date, naming the field', async () => {
    await page.goto(`${web.url}/anomalies?from=2026-13-45`);
    await expect.poll(() => page.locator('.error, [role=alert]').first().textContent()).toContain('from');
  });
});

describe('morning report page', () => {
  it('renders the figures, small charts and links into the explorer instead of raw Markdown', async () => {
    await page.goto(`${web.url}/reports/${reportId}`);
    await page.getByTestId('report-providers').waitFor();
    const { report } = await api(`query ($id: ID!) { report(id: $id) { figuresJson figures { yesterday { cost } last7Days { cost } trend { averageCost costs { cost } }
      providers { provider cost } topWorkItems { id cost } anomalies { subject } } } }`, { id: reportId });
    const f = report.figures;
    expect(await page.getByTestId('report-yesterday').getAttribute('data-value')).toBe(f.yesterday.cost);
    expect(await page.getByTestId('report-yesterday').textContent()).toBe('$20.90');
    expect(await page.getByTestId('report-last7').getAttribute('data-value')).toBe(f.last7Days.cost);
    expect(await page.getByTestId('report-per-session').getAttribute('data-value')).toBe(f.trend.averageCost);
    expect(await page.getByTestId('report-providers').locator('tr[data-provider]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-provider'), tr.querySelector('td[data-value]')!.getAttribute('data-value')])))
      .toEqual(f.providers.map((x: { provider: string; cost: string }) => [x.provider, x.cost]));
    expect(await page.getByTestId('report-work-items').locator('td[data-value]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value'))))
      .toEqual(f.topWorkItems.map((x: { cost: string }) => x.cost));
    expect(await page.locator('[data-chart="session-trend"] polyline').getAttribute('points')).toMatch(new RegExp(`^(\\S+ ){${f.trend.costs.length - 1}}\\S+$`));
    // No Markdown syntax on the page itself (it stays, folded, as sent to Slack).
    expect(await page.locator('main').innerText()).not.toMatch(/\*\*|^#/m);
    expect(await page.getByTestId('report-markdown').isVisible()).toBe(false);
    const { from, to } = JSON.parse(report.figuresJson).last7Days;
    const anthropic = page.getByTestId('report-providers').getByRole('link', { name: 'anthropic' });
    expect(new URL((await anthropic.getAttribute('href'))!, web.url).searchParams.getAll('f')).toEqual(['provider|equals|anthropic']);
    expect(new URL((await anthropic.getAttribute('href'))!, web.url).searchParams.get('from')).toBe(from.slice(0, 10));
    expect(new URL((await page.getByTestId('report-explore').getAttribute('href'))!, web.url).searchParams.get('to')).toBe(to.slice(0, 10));
    await screenshot(page, 'morning-report');
    await page.getByTestId('report-anomalies').getByRole('link', { name: 'session sub-1' }).click();
    await page.waitForURL(/subject=sub-1/);
    // The URL changes before the anomalies page has rendered (a client-side navigation).
    await expect.poll(() => shownRows().count(), { timeout: 60_000 }).toBe(1);
  });
});
