// A developer's own view (/me): a person signed in with e-mail and password sees the cost of the
// calls whose user_id is theirs (their e-mail by default, or the ids they set), this week, by
// repository, work item, agent and machine, and their latest sessions — the API's figures for
// exactly those calls, never a teammate's.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMembership } from '@spendgraph/db';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { type Web, launchBrowser, screenshot, signInAsPerson, startWeb } from './support.ts';

/** Wednesday: "this week" began on Monday 30 Nov (UTC). */
const NOW = new Date('2026-12-02T10:44:00Z');
const day = (d: number, h = 9) => new Date(Date.UTC(2026, 10, 30 + d, h)).toISOString();

let p: Platform;
let web: Web;
let browser: Browser;
let page: Page;
let ws: { workspaceId: string; key: string };
let me: { email: string; id: string };

const call = (user: string, at: string, cost: string, extra: Record<string, unknown> = {}) => ({
  occurred_at: at, provider: 'anthropic', model: 'claude-sonnet-4-5', user_id: user, cost, agent: 'claude-code', ...extra,
});

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  me = await person(p.pool, 'dev');
  await addMembership(p.pool, { userId: me.id, workspaceId: ws.workspaceId, role: 'viewer' });
  // An owned install (else the web app opens its first-run page).
  await addMembership(p.pool, { userId: (await person(p.pool, 'owner')).id, workspaceId: ws.workspaceId, role: 'owner' });
  for (const [id, repository] of [['ENG-1', 'acme/api'], ['ENG-2', 'acme/web']]) {
    await graphqlData(p.apiUrl, ws.key, 'mutation($id: ID!, $r: String) { upsertWorkItem(id: $id, input: { repository: $r }) { id } }', { id, r: repository });
  }
  await ingestAndWait(p, ws, [
    call(me.email, day(0), '1.25', { session_id: 's-mon', work_item: 'ENG-1', tags: { machine: 'laptop-1' } }),
    call(me.email, day(1), '2.50', { session_id: 's-tue', work_items: [{ id: 'ENG-1' }, { id: 'ENG-2' }], tags: { machine: 'laptop-1' } }),
    call(me.email, day(2, 8), '0.75', { session_id: 's-wed', work_item: 'ENG-2', tags: { machine: 'ci-runner' } }),
    call(me.email, day(-3), '9.00', { session_id: 's-old' }), // last week
    call('ana-laptop', day(1), '4.00', { session_id: 's-alias' }), // mine once I say so
    call('teammate@example.test', day(1), '50.00', { session_id: 's-teammate' }),
  ].map((e) => ({ id: randomUUID(), ...e })));
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await signInAsPerson(page, web, me.email);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
});

/** The API's answer for the calls of these user ids this week. */
async function apiFigures(ids: string[]) {
  const f = [{ member: 'user_id', operator: 'equals', values: ids }];
  const r = { relative: 'this week' };
  const d = await graphqlData(p.apiUrl, ws.key, `query($f: [Filter!], $r: TimeRange) {
    t: breakdown(measures: ["total_cost"], by: [], filters: $f, timeRange: $r) { measures { measure value } }
    repos: breakdown(measures: ["work_item_total_cost"], by: ["work_item_repository"], filters: $f, timeRange: $r) { children { value measures { value } } }
  }`, { f, r });
  return { cost: d.t.measures[0].value as string, repos: Object.fromEntries(d.repos.children.map((c: { value: string | null; measures: Array<{ value: string }> }) => [c.value ?? '(none)', c.measures[0]!.value])) };
}

const cells = (testId: string) => page.getByTestId(testId).locator('tbody tr').evaluateAll((rows) =>
  rows.map((r) => [r.querySelector('td')!.textContent, r.querySelector('td.num')!.getAttribute('data-value')]));

describe('My cost', () => {
  it("shows this week's cost of my calls (my e-mail), by repository and work item, as the API answers it", async () => {
    await page.goto(`${web.url}/me`);
    const truth = await apiFigures([me.email, me.email.split('@')[0]!]);
    expect(truth.cost).toBe('4.50');
    expect(await page.getByTestId('my-cost').getAttribute('data-value')).toBe(truth.cost);
    expect(Object.fromEntries(await cells('my-repositories'))).toEqual(truth.repos);
    expect(Object.values(truth.repos).map(Number)).toEqual([2.5, 2]); // ENG-1: 1.25 + half of 2.50; ENG-2: the other half + 0.75
    expect((await cells('my-machines')).map(([m]) => m).sort()).toEqual(['ci-runner', 'laptop-1']);
    const sessions = await page.getByTestId('my-sessions').locator('tbody a').allTextContents();
    expect(sessions).toEqual(['s-wed', 's-tue', 's-mon']); // latest first; last week's and teammates' absent
    await screenshot(page, 'my-cost');
  });

  it('counts the ids I add (another machine\'s --user) and refuses them for an API key, naming the field', async () => {
    const form = page.getByRole('form', { name: 'My developer ids' });
    await form.getByRole('textbox').fill(`${me.email}, ana-laptop`);
    await form.getByRole('button', { name: 'Save' }).click();
    const truth = await apiFigures([me.email, 'ana-laptop']);
    expect(truth.cost).toBe('8.50');
    await expect.poll(async () => page.getByTestId('my-cost').getAttribute('data-value'), { timeout: 30_000 }).toBe(truth.cost);
    const { body } = await graphqlRequest(p.apiUrl, ws.key, 'mutation { setMyDeveloperIds(ids: ["x"]) }');
    expect(body.errors[0].extensions).toMatchObject({ field: 'ids' });
  });
});
