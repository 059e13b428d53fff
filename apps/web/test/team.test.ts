// Issue 16's "done when" path in a real Chromium: an empty install (a database of this file's own,
// so "nobody owns anything yet" is true) → the first-run page makes an organization and its owner →
// the owner invites a teammate as viewer → the teammate accepts, signs in and sees no admin action →
// the owner connects SSO to a real OpenID provider on loopback (oidc-provider) → a teammate at the
// connection's domain signs in there and lands in the app as themselves, a viewer → the owner makes
// an ingest key on the onboarding page → an event sent with it (as curl would) → onboarding turns
// green and the overview shows it. Screenshots: artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMembership, createWorkspaceIn } from '@spendgraph/db';
import { type OwnDatabase, ownDatabase } from '@spendgraph/test-support/database';
import { type TestIdp, startOidcProvider } from '@spendgraph/test-support/oidc-provider';
import { person } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, launchBrowser, screenshot, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 240_000 });

let db: OwnDatabase;
let p: Platform;
let web: Web;
let browser: Browser;
let idp: TestIdp;
let owner: { context: BrowserContext; page: Page };
let teammate: { context: BrowserContext; page: Page };
const OWNER = { email: 'ana@acme.test', password: 'owner password 123' };
const VIEWER = { email: 'vic@acme.test', password: 'viewer password 456', name: 'Vic Viewer' };
const SSO_PERSON = { login: 'sam', email: 'sam@acme.test', name: 'Sam Single' };
let ingestKey: string;

/** A fresh browser profile; the provider's pages import a web font, which this machine does not fetch. */
async function newUser() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(120_000);
  await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  return { context, page: await context.newPage() };
}
const sessionOf = async (c: BrowserContext) => (await c.cookies()).find((k) => k.name === 'sg_session')!.value;
const alertText = (page: Page) => page.locator('.error[role=alert]').first().textContent();

beforeAll(async () => {
  db = await ownDatabase('web_team');
  p = await startPlatform({ databaseUrl: db.url, env: { SIGNIN_MAX_FAILURES: '3', SIGNIN_LOCK_MINUTES: '10' } });
  web = await startWeb(p.apiUrl);
  idp = await startOidcProvider({
    redirectUris: [`${web.url}/signin/sso/callback`],
    accounts: { [SSO_PERSON.login]: { email: SSO_PERSON.email, emailVerified: true, name: SSO_PERSON.name } },
  });
  browser = await launchBrowser();
  owner = await newUser();
  teammate = await newUser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await idp?.stop();
  await web?.stop();
  await p?.stop();
  await db?.drop();
});

describe('a team adopts Spendgraph', () => {
  it('sends a visitor of an empty install to the first run, which makes the organization, workspace and owner', async () => {
    const { page } = owner;
    await page.goto(`${web.url}/`);
    await page.waitForURL(`${web.url}/setup`);
    const form = page.getByRole('form', { name: 'First run' });
    await form.getByLabel('Organization').fill('Acme Robotics');
    await form.getByLabel('First workspace').fill('Production agents');
    await form.getByLabel('Your name').fill('Ana Owner');
    await form.getByLabel('E-mail').fill(OWNER.email);
    await form.getByLabel('Password (12 characters or more)').fill('too short');
    await form.getByLabel('Password again').fill('too short');
    await screenshot(page, 'first-run');
    await form.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => alertText(page), { timeout: 60_000 }).toContain('password');
    await form.getByLabel('Password (12 characters or more)').fill(OWNER.password);
    await form.getByLabel('Password again').fill(OWNER.password);
    await form.getByRole('button', { name: 'Create organization' }).click();
    await page.waitForURL(`${web.url}/onboarding`, { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`${e.message}\nat ${page.url()}, the page shows: ${(await page.locator('body').innerText()).slice(0, 1000)}`);
    });
    const { me } = await graphqlData(p.apiUrl, await sessionOf(owner.context), '{ me { role person { email } workspaces { name } } }');
    expect(me).toEqual({ role: 'owner', person: { email: OWNER.email }, workspaces: [{ name: 'Production agents' }] });
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('owner');
    // Shut for good: the first-run page now sends anyone to sign in.
    await teammate.page.goto(`${web.url}/setup`);
    await teammate.page.waitForURL(/\/signin$/);
  });

  let link: string;
  it('lets the owner invite a teammate as viewer and shows the link once', async () => {
    const { page } = owner;
    await page.goto(`${web.url}/settings/members`);
    const form = page.getByRole('form', { name: 'Invite a member' });
    await form.getByLabel('E-mail').fill(VIEWER.email);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    link = (await page.getByTestId('invitation-link').textContent())!;
    expect(link).toMatch(new RegExp(`^${web.url}/invite/sgi_[A-Za-z0-9_-]{43}$`));
    await page.reload();
    expect(await page.getByTestId('invitation-link').count()).toBe(0); // once
    expect(await page.locator(`[data-testid=invitations] tr[data-email="${VIEWER.email}"]`).textContent()).toContain('open');
    await screenshot(page, 'settings-members');
    // The API's refusal shows beside the button: the last owner stays owner.
    const own = page.locator(`[data-testid=members] tr[data-email="${OWNER.email}"]`);
    await own.getByLabel(`Role of ${OWNER.email}`).selectOption('admin');
    await own.getByRole('button', { name: 'Change role' }).click();
    await expect.poll(() => own.locator('.error[role=alert]').textContent(), { timeout: 60_000 }).toContain('at least one owner');
  });

  it('lets the teammate accept, sign in with e-mail and password, and shows them no admin action', async () => {
    const { page, context } = teammate;
    await page.goto(link);
    const form = page.getByRole('form', { name: 'Accept invitation' });
    await form.getByLabel('Your name').fill(VIEWER.name);
    await form.getByLabel('Password (12 characters or more)').fill(VIEWER.password);
    await form.getByLabel('Password again').fill(VIEWER.password);
    await form.getByRole('button', { name: 'Join workspace' }).click();
    await page.waitForURL(`${web.url}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    expect(await context.cookies()).toEqual([]);
    const signInForm = page.getByRole('form', { name: 'Sign in', exact: true });
    await signInForm.getByLabel('E-mail').fill(VIEWER.email);
    await signInForm.getByLabel('Password').fill('not the password');
    await signInForm.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alertText(page), { timeout: 60_000 }).toBe('Wrong e-mail or password.');
    await signInForm.getByLabel('Password').fill(VIEWER.password);
    await signInForm.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${web.url}/`);
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('viewer');
    await page.goto(`${web.url}/settings/members`);
    expect(await page.getByTestId('members').locator('tbody tr').count()).toBe(2);
    for (const name of ['Change role', 'Remove', 'Create invitation link', 'Revoke']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    await screenshot(page, 'viewer-members');
    await page.goto(`${web.url}/settings`);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByLabel('Name').isDisabled()).toBe(true);
    await page.goto(`${web.url}/settings/keys`);
    expect(await page.locator('main').textContent()).toContain('Only owners and admins manage API keys.');
    await page.goto(`${web.url}/settings/audit`);
    expect(await page.locator('main').textContent()).toContain('Only owners and admins read the audit log.');
    await page.goto(`${web.url}/onboarding`);
    expect(await page.getByRole('button', { name: 'Create an ingest key' }).count()).toBe(0);
    await page.goto(`${web.url}/budgets`);
    expect(await page.getByRole('form', { name: 'New budget' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'New alert channel' }).count()).toBe(0);
    await page.goto(`${web.url}/`);
    await page.getByTestId('kpi-cost').waitFor();
    expect(await page.getByRole('button', { name: 'Share as embed' }).count()).toBe(0);
    // The API stays the gate: the viewer's own session cannot invite either.
    const res = await fetch(`${p.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await sessionOf(context)}` },
      body: JSON.stringify({ query: 'mutation { inviteMember(email: "x@acme.test", role: viewer) { token } }' }),
    });
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('FORBIDDEN');
  });

  it('lets the owner connect SSO on its settings page, naming the field the API refuses and keeping what was typed', async () => {
    const { page, context } = owner;
    await page.goto(`${web.url}/settings/sso`);
    expect(await page.getByTestId('sso-redirect-uri').textContent()).toBe(`${web.url}/signin/sso/callback`);
    const form = page.getByRole('form', { name: 'SSO connection' });
    await form.getByLabel('Issuer URL').fill(idp.issuer);
    await form.getByLabel('Client ID').fill(idp.clientId);
    await form.getByLabel(/^Client secret/).fill(idp.clientSecret);
    await form.getByLabel('E-mail domains').fill('acme.test, not a domain');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => alertText(page), { timeout: 60_000 }).toBe('input.domains.1: is not a domain name');
    expect(await form.getByLabel('E-mail domains').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Issuer URL').inputValue()).toBe(idp.issuer); // kept; the secret is not
    expect(await form.getByLabel(/^Client secret/).inputValue()).toBe('');
    await form.getByLabel('E-mail domains').fill('acme.test');
    await form.getByLabel(/^Client secret/).fill(idp.clientSecret);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Saved.');
    expect(await form.getByLabel(/^Client secret/).inputValue()).toBe(''); // write-only: shown as stored
    expect(await form.getByText('one is stored').count()).toBe(1);
    const { me } = await graphqlData(p.apiUrl, await sessionOf(context), '{ me { workspaceId } }');
    const { ssoConnection } = await graphqlData(p.apiUrl, await sessionOf(context), '{ ssoConnection { issuer clientId hasClientSecret domains defaultRole workspaceIds enabled } }');
    expect(ssoConnection).toEqual({ issuer: idp.issuer, clientId: idp.clientId, hasClientSecret: true, domains: ['acme.test'], defaultRole: 'viewer', workspaceIds: [me.workspaceId], enabled: true });
    await screenshot(page, 'settings-sso');
    // The viewer sees nothing to change.
    await teammate.page.goto(`${web.url}/settings/sso`);
    expect(await teammate.page.locator('main').textContent()).toContain('Only owners and admins manage single sign-on.');
    expect(await teammate.page.getByRole('form', { name: 'SSO connection' }).count()).toBe(0);
  });

  it('signs a teammate at the connection\'s domain in with SSO in a fresh browser, as themselves with the default role', async () => {
    const { page, context } = await newUser();
    const startSso = async (email: string) => {
      await page.goto(`${web.url}/signin`);
      await page.getByLabel('Work e-mail (single sign-on)').fill(email);
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    };
    // An answer for a sign-in this browser did not start is refused, and says so.
    await page.goto(`${web.url}/signin/sso/callback?code=stolen&state=forged`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expect.poll(() => alertText(page)).toContain('did not start in this browser');
    await startSso(SSO_PERSON.email);
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.locator('input[name=login]').fill(SSO_PERSON.login);
    await page.locator('input[name=password]').fill('any password');
    await screenshot(page, 'sso-provider-login');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click(); // the provider's consent page
    await page.waitForURL(`${web.url}/`);
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('viewer');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sg_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    expect(cookies.some((c) => c.name === 'sg_sso')).toBe(false);
    const { me } = await graphqlData(p.apiUrl, session.value, '{ me { role person { email name } workspaces { name role } } }');
    expect(me).toEqual({ role: 'viewer', person: { email: SSO_PERSON.email, name: SSO_PERSON.name }, workspaces: [{ name: 'Production agents', role: 'viewer' }] });
    await screenshot(page, 'sso-signed-in');
    // Removed, the connection signs no one in; the people it made keep their accounts.
    await owner.page.goto(`${web.url}/settings/sso`);
    await owner.page.getByRole('button', { name: 'Remove connection' }).click();
    await expect.poll(() => owner.page.getByText(/^Removed: /).count(), { timeout: 60_000 }).toBe(1);
    expect(await owner.page.getByRole('button', { name: 'Remove connection' }).count()).toBe(0);
    await context.clearCookies();
    await startSso(SSO_PERSON.email);
    await expect.poll(() => alertText(page)).toContain('no organization signs in with SSO for acme.test');
    await context.close();
  });

  it('makes an ingest key on the onboarding page, shown once in every capture path', async () => {
    const { page } = owner;
    await page.goto(`${web.url}/onboarding`);
    expect(await page.getByTestId('first-event').getAttribute('data-received')).toBe('false');
    await page.getByRole('button', { name: 'Create an ingest key' }).click();
    ingestKey = (await page.getByTestId('ingest-key').textContent())!;
    expect(ingestKey).toMatch(/^sg_/);
    for (let i = 0; i < 5; i++) expect(await page.getByTestId(`snippet-${i}`).textContent()).toContain(ingestKey);
    await screenshot(page, 'onboarding-key');
  });

  it('turns green when the first event sent with that key is stored, and the overview shows it', async () => {
    const { page } = owner;
    const res = await fetch(`${p.apiUrl}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: randomUUID(), occurred_at: new Date(Date.now() - 60_000).toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5',
        usage: { input_tokens: 1200, output_tokens: 300 }, agent: 'coder' }]),
    });
    expect(res.status).toBe(202);
    await expect.poll(() => page.getByTestId('first-event').getAttribute('data-received'), { timeout: 60_000 }).toBe('true');
    await screenshot(page, 'onboarding-received');
    await page.getByTestId('first-event').getByRole('link', { name: 'see the overview' }).click();
    await page.waitForURL(`${web.url}/`);
    const { rows } = await p.pool.query<{ cost: string }>('SELECT sum(total_cost)::text AS cost FROM usage_events');
    const { breakdown } = await graphqlData(p.apiUrl, await sessionOf(owner.context), '{ breakdown(measures: ["total_cost"], by: [], timeRange: { relative: "last 30 days" }) { measures { value } } }');
    const shown = await page.getByTestId('kpi-cost').getAttribute('data-value');
    expect(shown).toBe(breakdown.measures[0].value);
    expect(Number(shown)).toBe(Number(rows[0]!.cost));
    expect(Number(shown)).toBeGreaterThan(0);
    expect(await page.getByTestId('kpi-calls').getAttribute('data-value')).toBe('1');
    expect(await page.getByRole('button', { name: 'Share as embed' }).count()).toBeGreaterThan(0); // the owner may (the viewer saw none)
    await screenshot(page, 'overview-first-event');
  });

  it('records it all in the audit log the owner reads, filters and exports', async () => {
    const { page } = owner;
    await page.goto(`${web.url}/settings/audit`);
    const actions = await page.getByTestId('audit-log').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    expect(actions).toEqual(['createApiKey', 'deleteSsoConnection', 'ssoJoin', 'setSsoConnection', 'acceptInvitation', 'inviteMember', 'firstRun']);
    await screenshot(page, 'audit-log');
    await page.getByLabel('Action').fill('inviteMember');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=inviteMember/);
    expect(await page.getByTestId('audit-log').locator('tbody tr').count()).toBe(1);
    // Fetched by the page itself: the export goes with the browser's session cookie.
    const href = (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!;
    const csv = (await page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`)) as string;
    expect(csv.split('\n')[0]).toBe('id,occurredAt,action,actorUserId,actorKeyId,actorLabel,targetType,targetId,before,after');
    expect(csv.trim().split('\n')).toHaveLength(2);
    expect(csv).toContain('inviteMember');
  });

  it('rotates a key with an overlap (the new one shown once, the old one still working) and revokes the old one', async () => {
    const { page } = owner;
    await page.goto(`${web.url}/settings/keys`);
    const prefix = ingestKey.slice(0, 10);
    const row = page.locator(`[data-testid=api-keys] tr[data-key-prefix="${prefix}"]`);
    expect(await row.textContent()).toContain('Ana Owner'); // created by
    await row.getByLabel(/^Overlap for/).selectOption('1');
    await row.getByRole('button', { name: 'Rotate' }).click();
    const rotated = (await page.getByTestId('rotated-key').textContent())!;
    expect(rotated).toMatch(/^sg_/);
    const send = (key: string) => fetch(`${p.apiUrl}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: randomUUID(), occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 10, output_tokens: 2 } }]),
    });
    expect((await send(rotated)).status).toBe(202);
    expect((await send(ingestKey)).status).toBe(202); // the overlap
    await screenshot(page, 'settings-keys');
    await page.reload();
    await page.locator(`[data-testid=api-keys] tr[data-key-prefix="${prefix}"]`).getByRole('button', { name: /^Revoke/ }).click();
    await expect.poll(() => page.locator(`[data-testid=api-keys] tr[data-key-prefix="${prefix}"]`).textContent(), { timeout: 60_000 }).toContain('revoked');
    await expect.poll(async () => (await send(ingestKey)).status, { timeout: 40_000, interval: 1000 }).toBe(401);
  });

  it('saves the workspace settings and switches between the owner\'s workspaces', async () => {
    const { page, context } = owner;
    await page.goto(`${web.url}/settings`);
    const form = page.getByRole('form', { name: 'Workspace settings' });
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Currency').fill('EUR');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Saved.');
    const session = await sessionOf(context);
    expect((await graphqlData(p.apiUrl, session, '{ workspace { timeZone currency } }')).workspace).toEqual({ timeZone: 'Europe/Berlin', currency: 'EUR' });
    // Every figure is now in euros: the USD event converted at its day's ECB rate, shown with €.
    await page.goto(`${web.url}/`);
    await expect.poll(() => page.getByTestId('reporting-currency').textContent(), { timeout: 60_000 }).toBe('Figures in EUR');
    const eur = (await graphqlData(p.apiUrl, session, '{ breakdown(measures: ["total_cost"], by: [], timeRange: { relative: "last 30 days" }) { measures { value currency } } }')).breakdown.measures[0];
    expect(eur.currency).toBe('EUR');
    expect(await page.getByTestId('kpi-cost').getAttribute('data-value')).toBe(eur.value);
    expect(await page.getByTestId('kpi-cost').textContent()).toContain('€');
    await screenshot(page, 'overview-in-euros');
    const { rows } = await p.pool.query(`SELECT organization_id FROM workspaces WHERE name = 'Production agents'`);
    const staging = await createWorkspaceIn(p.pool, rows[0].organization_id, { slug: 'staging', name: 'Staging' });
    const { me } = await graphqlData(p.apiUrl, session, '{ me { person { id } } }');
    await addMembership(p.pool, { userId: me.person.id, workspaceId: staging.id, role: 'analyst' });
    await page.reload();
    await page.getByLabel('Workspace', { exact: true }).selectOption(staging.id);
    await page.waitForURL(`${web.url}/`);
    await expect.poll(() => page.getByTestId('signed-in-as').textContent(), { timeout: 60_000 }).toContain('analyst');
    expect(await sessionOf(context)).not.toBe(session); // a new session id for the other workspace
    expect((await graphqlData(p.apiUrl, await sessionOf(context), '{ me { workspaceId } }')).me.workspaceId).toBe(staging.id);
    await screenshot(page, 'workspace-switched');
  });

  it('shows the API\'s lockout after repeated wrong passwords, with how long it lasts', async () => {
    const someone = await person(p.pool, 'locked');
    const { rows } = await p.pool.query(`SELECT id FROM workspaces WHERE name = 'Production agents'`);
    await addMembership(p.pool, { userId: someone.id, workspaceId: rows[0].id, role: 'analyst' });
    const stranger = await newUser();
    const { page } = stranger;
    await page.goto(`${web.url}/signin`);
    const form = page.getByRole('form', { name: 'Sign in', exact: true });
    await form.getByLabel('E-mail').fill(someone.email);
    for (const attempt of [1, 2, 3]) {
      await form.getByLabel('Password').fill(`wrong password ${attempt}`);
      await form.getByRole('button', { name: 'Sign in' }).click();
      // The answer has come when React empties the password field (it resets a form after its action).
      await expect.poll(() => form.getByLabel('Password').inputValue(), { timeout: 60_000 }).toBe('');
      expect(await alertText(page)).toMatch(attempt < 3 ? /^Wrong e-mail or password\.$/ : /locked for \d+ s/);
    }
    // The API's words and its lock (SIGNIN_LOCK_MINUTES=10), counted down from the moment it was set.
    expect(await alertText(page)).toMatch(/^Sign-in refused for now: too many wrong passwords: this account is locked for (59\d|600) s\.$/);
    await screenshot(page, 'signin-locked');
    await stranger.context.close();
  });
});
