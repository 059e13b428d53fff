// The organization page in a real Chromium (issue 24): a person who manages two of an
// organization's three workspaces sees one overview across those two — to the cent of SQL over
// their raw events, nothing of the third — creates an organization budget over both there, and its
// hard stop blocks a call through the proxy in one of them (not in the third), until it is deleted.
// Screenshot: artifacts/screenshots/organization.png.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addMembership, createApiKey, createOrganization, createWorkspaceIn } from '@spendgraph/db';
import { type FakeLlm, startFakeLlm } from '@spendgraph/test-support/fake-llm';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, ingestAndWait, startPlatform, waitFor } from '@spendgraph/test-support/platform';
import { type Web, launchBrowser, screenshot, signInAsPerson, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

const NOW = new Date('2026-11-20T12:00:00Z');
let p: Platform;
let upstream: FakeLlm;
let web: Web;
let browser: Browser;
let page: Page;
interface Ws { workspaceId: string; slug: string; name: string; key: string }
let a: Ws, b: Ws, c: Ws;

/** Events on several days of November with awkward exact costs; `tag` marks an agent and a model only this workspace has. */
const events = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({
  occurred_at: new Date(Date.UTC(2026, 10, 1 + (i % 19), 3 + (i % 17), i % 60)).toISOString(),
  provider: 'openai', model: i % 3 ? 'gpt-4o' : `model-${tag}`, agent: i % 4 ? `agent-${i % 3}` : `agent-${tag}`,
  cost: `${(i * 7919) % 100}.${String((i * 104729) % 1_000_000_000).padStart(9, '0')}`,
}));

async function workspace(organizationId: string, name: string): Promise<Ws> {
  const slug = `t-orgweb-${randomUUID().slice(0, 8)}`;
  const ws = await createWorkspaceIn(p.pool, organizationId, { slug, name });
  const { key } = await createApiKey(p.pool, ws.id, ['ingest', 'read', 'admin']);
  return { workspaceId: ws.id, slug, name, key };
}

const sql = async (text: string, params: unknown[]) => (await p.pool.query(text, params)).rows;
/** Spend of some workspaces from the first of November to now (the proxied calls are stamped at now itself): the monthly budget's period. */
const monthSpend = async (ws: Ws[]) => (await sql(
  `SELECT coalesce(sum(total_cost), 0)::text AS v FROM usage_events WHERE workspace_id = ANY ($1) AND occurred_at >= '2026-11-01' AND occurred_at <= $2`,
  [ws.map((w) => w.workspaceId), NOW.toISOString()]))[0].v as string;
const same = async (x: string | null, y: string | null) => (await sql('SELECT $1::numeric IS NOT DISTINCT FROM $2::numeric AS eq', [x, y]))[0].eq as boolean;

const chat = (key: string) => fetch(`${p.apiUrl}/proxy/openai/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-spendgraph-key': key },
  body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
});

beforeAll(async () => {
  upstream = await startFakeLlm();
  process.env.PROXY_OPENAI_UPSTREAM = upstream.url; // the API reads it from its environment
  p = await startPlatform({ now: NOW });
  // Hard budgets are checked after each stored batch (the budgets queue); no schedule: the evaluations are the ones this file causes.
  p.startWorker({ WORKER_QUEUES: 'budgets,alerts', BUDGET_EVAL_EVERY_MS: '0' });
  const org = await createOrganization(p.pool, { slug: `t-orgweb-${randomUUID().slice(0, 8)}` });
  [a, b, c] = [await workspace(org.id, 'Alpha team'), await workspace(org.id, 'Beta team'), await workspace(org.id, 'Gamma team')];
  for (const [ws, tag, n] of [[a, 'a', 41], [b, 'b', 37], [c, 'c', 29]] as const) await ingestAndWait(p, ws, events(tag, n));
  const someone = await person(p.pool, 'org-admin');
  // An owner (an install nobody owns sends sign-in to the first run) of A, an admin of B, nothing in C.
  await addMembership(p.pool, { userId: someone.id, workspaceId: a.workspaceId, role: 'owner' });
  await addMembership(p.pool, { userId: someone.id, workspaceId: b.workspaceId, role: 'admin' });
  web = await startWeb(p.apiUrl);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
  await signInAsPerson(page, web, someone.email);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await p?.stop();
  await upstream?.close();
});

describe('the organization page', () => {
  it('is linked from the navigation and shows the two workspaces, to the cent of SQL, and nothing of the third', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
    await page.waitForURL(`${web.url}/organization`);
    const rows = page.getByTestId('org-workspaces').locator('tbody tr');
    await rows.first().waitFor();
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-workspace')))).sort()).toEqual([a.slug, b.slug].sort());
    // The page shows the last 30 days up to the platform's clock: November 1-19 are all in it.
    const total = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = ANY ($1)', [[a.workspaceId, b.workspaceId]]))[0].v;
    expect(await same(await page.getByTestId('org-total').getAttribute('data-value'), total)).toBe(true);
    for (const ws of [a, b]) {
      const own = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]))[0].v;
      expect(await same(await page.getByTestId('org-workspaces').locator(`tr[data-workspace="${ws.slug}"] td[data-value]`).getAttribute('data-value'), own)).toBe(true);
    }
    expect(await page.getByTestId('organization-period').textContent()).toMatch(/^22 Oct – 20 Nov 2026 \(UTC\)/);
    const agents = await page.getByTestId('org-topAgents').locator('td:first-child').allTextContents();
    expect(agents).toEqual(expect.arrayContaining(['agent-a', 'agent-b', 'agent-0']));
    const text = await page.locator('main').textContent();
    for (const hidden of [c.name, c.slug, 'agent-c', 'model-c']) expect(text).not.toContain(hidden);
  });

  it('links to the explorer segmented by workspace: the two workspaces on top, their agents under them, as SQL', async () => {
    await page.getByRole('link', { name: 'Explore by workspace →' }).click();
    await page.waitForURL(/\/explore\?/);
    // The workspaces are the rows that expand (the pivot opens them at first); their agents are under them.
    const top = page.locator('table tbody tr').filter({ has: page.getByRole('button', { name: /^(Expand|Collapse) / }) });
    await top.first().waitFor();
    const labels = await top.locator('td:first-child [data-segment]').allTextContents();
    expect(labels.sort()).toEqual([a.name, b.name].sort());
    for (const ws of [a, b]) {
      const own = (await sql('SELECT sum(total_cost)::text AS v FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]))[0].v;
      const row = top.filter({ hasText: ws.name });
      expect(await same(await row.locator('td [data-value]').first().getAttribute('data-value'), own)).toBe(true);
    }
    const text = await page.locator('main').textContent();
    for (const shown of ['agent-a', 'agent-b']) expect(text).toContain(shown);
    // The event log is one workspace's: no cell under a workspace links to events.
    expect(await page.locator('table tbody a[href^="/events"]').count()).toBe(0);
    for (const hidden of [c.name, c.slug, 'agent-c']) expect(text).not.toContain(hidden);
    await page.goto(`${web.url}/organization`);
  });

  it('creates an organization budget over both workspaces whose hard stop blocks a proxied call in one of them, not in the third', async () => {
    const spend = await monthSpend([a, b]);
    const amount = (await sql('SELECT ($1::numeric + 5)::text AS v', [spend]))[0].v as string;
    const form = page.getByRole('form', { name: 'New organization budget' });
    await form.getByLabel('Name').fill('org cap');
    await form.getByLabel('Amount (USD)').fill(amount);
    await form.getByLabel('Mode').selectOption('hard');
    await form.getByLabel(a.name).check();
    await form.getByLabel(b.name).check();
    await form.getByLabel('the whole workspace (no scope)').check();
    await form.getByRole('button', { name: 'Create budget' }).click();
    const row = page.getByTestId('organization-budgets').locator('tbody tr').filter({ hasText: 'org cap' });
    await row.waitFor();
    expect(await same(await row.locator('td[data-value]').getAttribute('data-value'), spend)).toBe(true);
    expect(await row.textContent()).toContain([a.slug, b.slug].sort().join(', '));
    expect((await chat(a.key)).status).toBe(200);

    // B spends past the limit: the organization's hard stop now holds in A too, and not in C.
    await ingestAndWait(p, b, [{ occurred_at: new Date(NOW.getTime() - 60_000).toISOString(), provider: 'openai', model: 'gpt-4o', cost: '5.000000001' }]);
    const blocked = await waitFor(async () => {
      const res = await chat(a.key);
      return res.status === 429 && res.json();
    }, 30_000, 'the organization budget to block a proxied call in A');
    expect(blocked).toMatchObject({ error: 'budget_exceeded', budgets: [{ name: 'org cap', blocking: true }] });
    expect((await chat(c.key)).status).toBe(200);

    await page.reload();
    await expect.poll(() => row.locator('.badge').last().textContent(), { timeout: 60_000 }).toBe('blocking');
    // The proxied call that went through in A is stored (and A's budgets checked again) in its own time.
    await expect.poll(async () => {
      await page.reload();
      return same(await row.locator('td[data-value]').getAttribute('data-value'), await monthSpend([a, b]));
    }, { timeout: 60_000 }).toBe(true);
    const atRisk = page.getByTestId('org-budgets-at-risk');
    expect(await atRisk.textContent()).toContain('org cap');
    await screenshot(page, 'organization');
  });

  it('deletes the organization budget there, and the call goes through again', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete budget org cap' }).click();
    await expect.poll(() => page.getByTestId('organization-budgets').count(), { timeout: 60_000 }).toBe(0);
    await waitFor(async () => (await chat(a.key)).status === 200, 30_000, 'the call in A to go through');
    const { budgets } = await graphqlData(p.apiUrl, a.key, '{ budgets { name } }');
    expect(budgets).toEqual([]);
  });
});
