// The Savings page in a real Chromium over the demo workspace: the recommendations the API ranks,
// with their evidence, and a what-if (review step of plan-execute on claude-haiku-4-5) showing the
// API's exact figures. Screenshot: artifacts/screenshots/savings.png.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, demoWorkspace, launchBrowser, screenshot, signIn, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

const NOW = new Date('2026-12-02T10:44:00Z');
let p: Platform;
let web: Web;
let browser: Browser;
let page: Page;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await demoWorkspace(p, { end: NOW });
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
  await signIn(page, web, ws.key);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

const range = { relative: 'last 30 days' };

describe('savings', () => {
  it('lists the API\'s recommendations, largest first, with their evidence', async () => {
    await page.goto(`${web.url}/savings?days=30`);
    const rows = page.getByTestId('savings-recommendations').locator('tbody tr');
    await rows.first().waitFor();
    const { savingsRecommendations: recs } = await graphqlData(p.apiUrl, ws.key, `query($range: TimeRange!) { savingsRecommendations(timeRange: $range, limit: 10) {
      kind title monthlySaving evidence { label value } } }`, { range });
    expect(recs.length).toBeGreaterThan(0);
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.querySelector('td')!.textContent, tr.querySelector('td[data-value]')!.getAttribute('data-value')]));
    expect(shown).toEqual(recs.map((r: any) => [r.kind, r.title, r.monthlySaving]));
    expect(await rows.first().locator('li').count()).toBe(recs[0].evidence.length);
  });

  it('shows a what-if with the API\'s exact figures and its assumptions', async () => {
    await page.goto(`${web.url}/savings?days=30&workflow=plan-execute&step=review&model=claude-haiku-4-5#what-if`);
    await page.getByTestId('whatif-groups').waitFor();
    const { whatIf: w } = await graphqlData(p.apiUrl, ws.key, `query($range: TimeRange!, $filters: [Filter!], $scenario: WhatIfScenarioInput!) {
      whatIf(timeRange: $range, filters: $filters, scenario: $scenario) { baselineCost scenarioCost saving monthlySaving assumptions } }`, {
      range, scenario: { model: 'claude-haiku-4-5' },
      filters: [{ member: 'workflow', operator: 'equals', values: ['plan-execute'] }, { member: 'step', operator: 'equals', values: ['review'] }],
    });
    for (const [id, f] of [['baseline', 'baselineCost'], ['scenario', 'scenarioCost'], ['saving', 'saving'], ['monthly', 'monthlySaving']] as const) {
      expect(await page.getByTestId(`whatif-${id}`).getAttribute('data-value'), f).toBe(w[f]);
    }
    expect(Number(w.saving)).toBeGreaterThan(0);
    expect(await page.getByTestId('whatif-assumptions').locator('li').allTextContents()).toEqual(w.assumptions);
    await screenshot(page, 'savings');
  });

  it('shows the API\'s refusal of a bad scenario, naming the field', async () => {
    await page.goto(`${web.url}/savings?days=30&cacheHitRatio=2#what-if`);
    await expect.poll(() => page.getByTestId('what-if').locator('.error, [role=alert]').first().textContent()).toContain('scenario.cacheHitRatio');
  });
});
