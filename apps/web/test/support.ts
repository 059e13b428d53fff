// The built web app (next start) over a test platform, a demo-data workspace seeded
// through the real ingest path, and Debian's Chromium driven by playwright-core.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type Locator, type Page, chromium } from 'playwright-core';
import { addMembership, createApiKey, ensureWorkspace } from '@spendgraph/db';
import { ensureDemoBudgets, ensureDemoEconomics, generateDemoEvents, importDemoBills, postAll, syncDemoWork } from '@spendgraph/demo';
import { createSemanticLayer } from '@spendgraph/semantic';
import { TEST_PASSWORD, person } from '@spendgraph/test-support/people';
import { type Platform, freePort, storedCount, waitFor } from '@spendgraph/test-support/platform';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const SCREENSHOTS = `${ROOT}artifacts/screenshots`;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Web { url: string; stop(): Promise<void> }

/** `next start` of the production build (scripts/test.sh builds it). */
export async function startWeb(apiUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Web> {
  if (!existsSync(`${WEB}.next/BUILD_ID`)) throw new Error('apps/web is not built: run `npm test` (scripts/test.sh builds it) or `npm run build:web`');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [`${ROOT}node_modules/next/dist/bin/next`, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: WEB, env: { ...process.env, SPENDGRAPH_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d) => process.env.TEST_VERBOSE && process.stderr.write(`[web] ${d}`));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/signin`).catch(() => undefined))?.ok, 60_000, 'the web app to start');
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page in a fresh 1440×900 context (its own cookies) that waits up to `timeoutMs` for what a step looks for. */
export async function newPage(browser: Browser, timeoutMs = 120_000): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(timeoutMs);
  return context.newPage();
}

/**
 * A workspace with the demo workload (`events` over `days`), its plans synced, its budgets, its
 * provider bills and an owner (as the demo has): an install nobody owns would send sign-in to the first run.
 */
export async function demoWorkspace(p: Platform, { events = 3000, days = 30, end: at = new Date() } = {}) {
  const ws = await ensureWorkspace(p.pool, `web-${Date.now().toString(36)}`, 'Web test (demo data)');
  await addMembership(p.pool, { userId: (await person(p.pool, 'owner')).id, workspaceId: ws.id, role: 'owner' });
  const { key } = await createApiKey(p.pool, ws.id, ['ingest', 'read', 'admin']);
  const end = new Date(at.toISOString().slice(0, 13) + ':00:00Z');
  const sent = await postAll(p.apiUrl, key, generateDemoEvents({ events, days, end }));
  await waitFor(async () => (await storedCount(p.pool, ws.id)) === sent, 60_000, 'demo events to be stored');
  await syncDemoWork(p.pool, ws.id, p.apiUrl, key);
  await ensureDemoBudgets(p.pool, ws.id);
  await importDemoBills(p.apiUrl, key, { days, end });
  await ensureDemoEconomics(p.apiUrl, key, { days, end });
  await warmRollups(p);
  return { workspaceId: ws.id, key, events: sent };
}

/**
 * Builds the platform's roll-ups, as the worker's warm-rollups job does in production
 * before anyone looks. (Cold, the API's in-process Cube can fail concurrent first
 * queries of one partition: "relation ... already exists".)
 */
async function warmRollups(p: Platform) {
  const semantic = await createSemanticLayer({ databaseUrl: p.env.DATABASE_URL!, preAggregationsSchema: p.env.SPENDGRAPH_ROLLUP_SCHEMA });
  try {
    await semantic.warmPreAggregations();
  } finally {
    await semantic.close();
  }
}

/** Signs in with an API key (the sign-in page's secondary option, for machines and the demo). */
export async function signInWithKey(page: Page, key: string) {
  await page.getByText('Sign in with an API key').click(); // opens the <details>
  await page.getByLabel('Workspace API key').fill(key);
  await page.getByRole('button', { name: 'Sign in with key' }).click();
}

export async function signIn(page: Page, web: Web, key: string) {
  await page.goto(`${web.url}/signin`);
  await signInWithKey(page, key);
  await page.waitForURL(`${web.url}/`);
}

/** Signs a person in with e-mail and password (the test password by default) and waits for the overview. */
export async function signInAsPerson(page: Page, web: Web, email: string, password = TEST_PASSWORD) {
  await page.goto(`${web.url}/signin`);
  const form = page.getByRole('form', { name: 'Sign in', exact: true });
  await form.getByLabel('E-mail').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${web.url}/`);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/**
 * Waits until React has hydrated the element (its props are attached to the DOM node): a value
 * typed into a controlled input before then is reset by hydration (a loaded machine's slow start).
 */
export async function hydrated(locator: Locator) {
  await locator.evaluate((el) => new Promise<void>((resolve) => {
    const check = () => (Object.keys(el).some((k) => k.startsWith('__reactProps')) ? resolve() : setTimeout(check, 50));
    check();
  }));
}

// axe-core in the page (injected as a script: no test runner adapter needed), WCAG 2 A/AA rules.
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The serious and critical axe-core violations of a page (`url`, once its first heading is in). */
export async function seriousViolations(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  await page.locator('main h2').first().waitFor();
  await page.addScriptTag({ path: AXE });
  const rules = JSON.stringify({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  const violations = await page.evaluate(`axe.run(document, ${rules}).then((r) => r.violations)`) as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
}
