// Screenshots of the unit-economics pages (issue 17) for docs/screenshots/: the built web app
// (`npm run build:web`) over a platform of its own — a fresh database, migrated, the API and
// worker — with the demo workload (events, provider bills, cost pools, revenue) seeded through the
// real API as the web tests do, viewed in Debian's Chromium at 1440×900 (dark mode off).
//   scripts/run.sh node scripts/screenshots.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@spendgraph/db';
import { writeMorningReport } from '@spendgraph/insights';
import { createSemanticLayer } from '@spendgraph/semantic';
import { startPlatform } from '@spendgraph/test-support/platform';
import { demoWorkspace, launchBrowser, signIn, startWeb } from '../apps/web/test/support.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const PAGES: Array<[string, string]> = [['reconciliation', '/reconciliation?days=30'], ['profitability', '/profitability?period=last%20month&by=customer_id'], ['savings', '/savings']];

const base = process.env.DATABASE_URL!;
const dbName = `spendgraph_screenshots_${process.pid}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(base);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
try {
  await migrate(databaseUrl);
  const p = await startPlatform({ databaseUrl, redisUrl: process.env.REDIS_URL! });
  const web = await startWeb(p.apiUrl);
  const browser = await launchBrowser();
  try {
    const ws = await demoWorkspace(p, { events: 6000, days: 60 });
    const semantic = await createSemanticLayer({ databaseUrl });
    const { report } = await writeMorningReport({ pool: p.pool, semantic }, { workspaceId: ws.workspaceId, settings: { timezone: 'UTC', currency: 'USD' } });
    await semantic.close();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    await signIn(page, web, ws.key);
    mkdirSync(OUT, { recursive: true });
    for (const [name, path] of [...PAGES, ...(report ? [['morning-report', `/reports/${report.id}`] as [string, string]] : [])]) {
      await page.goto(`${web.url}${path}`);
      await page.waitForLoadState('networkidle');
      // The report's reconciliation and margin lines sit below its charts: scroll them to the top.
      if (name === 'morning-report') await page.getByTestId('report-reconciliation').evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: `${OUT}${name}.png` });
      console.error(`screenshots: ${name}.png`);
    }
  } finally {
    await browser.close();
    await web.stop();
    await p.stop();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
