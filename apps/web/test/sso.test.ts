// Single sign-on in a real headless Chromium: a person clicks "Sign in with SSO", signs in on a
// real OpenID provider's login and consent pages (oidc-provider on loopback), and lands in the
// app signed in as themselves. Screenshots: artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type TestIdp, startOidcProvider } from '@spendgraph/test-support/oidc-provider';
import { workspaceWithPeople } from '@spendgraph/test-support/people';
import { type Platform, graphqlData, startPlatform } from '@spendgraph/test-support/platform';
import { type Web, launchBrowser, screenshot, startWeb } from './support.ts';

vi.setConfig({ testTimeout: 180_000 });

const DOMAIN = `sso-web-${randomUUID().slice(0, 8)}.test`;
let p: Platform;
let web: Web;
let idp: TestIdp;
let browser: Browser;
let team: Awaited<ReturnType<typeof workspaceWithPeople>>;

/** A fresh browser profile; the provider's page imports a web font, which this machine does not fetch. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(90_000);
  await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  return { context, page: await context.newPage() };
}

async function startSso(page: Page, email: string) {
  await page.goto(`${web.url}/signin`);
  await page.getByLabel('Work e-mail (single sign-on)').fill(email);
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
}

beforeAll(async () => {
  p = await startPlatform({ worker: false });
  web = await startWeb(p.apiUrl);
  idp = await startOidcProvider({
    redirectUris: [`${web.url}/signin/sso/callback`],
    accounts: { grace: { email: `grace@${DOMAIN}`, emailVerified: true, name: 'Grace Hopper' } },
  });
  team = await workspaceWithPeople(p.pool, p.apiUrl);
  await graphqlData(p.apiUrl, team.members.owner.session, `mutation($input: SsoConnectionInput!) { setSsoConnection(input: $input) { enabled } }`, {
    input: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, domains: [DOMAIN], workspaceIds: [team.workspaceId], defaultRole: 'analyst' },
  });
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await idp?.stop();
  await web?.stop();
  await p?.stop();
});

describe('single sign-on', () => {
  it('signs a new person in at the provider and lands them in the app as themselves, with an ordinary session', async () => {
    const { context, page } = await freshPage();
    await startSso(page, `grace@${DOMAIN}`);
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.locator('input[name=login]').fill('grace');
    await page.locator('input[name=password]').fill('any password');
    await screenshot(page, 'sso-provider-login');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click(); // the provider's consent page
    await page.waitForURL(`${web.url}/`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sg_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    expect(cookies.some((c) => c.name === 'sg_sso')).toBe(false);
    const { me } = await graphqlData(p.apiUrl, session.value, '{ me { workspaceId role person { email name } } }');
    expect(me).toEqual({ workspaceId: team.workspaceId, role: 'analyst', person: { email: `grace@${DOMAIN}`, name: 'Grace Hopper' } });
    await expect.poll(() => page.locator('main').count()).toBeGreaterThan(0);
    await screenshot(page, 'sso-signed-in');
    await context.close();
  });

  it('says why on the sign-in page: an unknown domain, an answer for a sign-in this browser did not start', async () => {
    const { context, page } = await freshPage();
    await startSso(page, 'someone@unknown-domain.test');
    await expect.poll(() => page.locator('.error[role=alert]').textContent()).toContain('no organization signs in with SSO for unknown-domain.test');
    await screenshot(page, 'sso-unknown-domain');
    await page.goto(`${web.url}/signin/sso/callback?code=stolen&state=forged`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expect.poll(() => page.locator('.error[role=alert]').textContent()).toContain('did not start in this browser');
    expect((await context.cookies()).some((c) => c.name === 'sg_session')).toBe(false);
    await context.close();
  });
});
