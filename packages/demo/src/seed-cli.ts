// Seeds the demo workspace through the real ingest path (HTTP -> queue -> worker)
// and prints a key to explore it with, then the demo owner's e-mail and password (one a line).
// Rerunning sends nothing new: ids are fixed.
import { createApiKey, createPool, ensureWorkspace } from '@spendgraph/db';
import { DETECT_ANOMALIES_JOB, MORNING_REPORT_JOB, WARM_ROLLUPS_JOB, createInsightsQueue, createMaintenanceQueue, redisConnection } from '@spendgraph/queue';
import { importDemoBills } from './bills.ts';
import { ensureDemoBudgets } from './budgets.ts';
import { ensureDemoEconomics } from './economics.ts';
import { ensureDemoUser } from './people.ts';
import { generateDemoEvents } from './generate.ts';
import { syncDemoWork } from './work.ts';
import { postAll } from './post-events.ts';

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:4000';
const target = Number(process.env.DEMO_EVENTS ?? 1_000_000);
const days = Number(process.env.DEMO_DAYS ?? 90);
const pool = createPool(process.env.DATABASE_URL!);

const workspace = await ensureWorkspace(pool, 'demo', 'Acme AI (demo)');
const { key } = await createApiKey(pool, workspace.id, ['ingest', 'read', 'admin'], `demo ${new Date().toISOString()}`);
const count = async () =>
  Number((await pool.query('SELECT count(*) FROM usage_events WHERE workspace_id = $1', [workspace.id])).rows[0].count);

// The period ends at the start of the current UTC hour: no event lies in the future, and an
// interrupted seed resumed within the hour regenerates identical events (same ids, stored once).
const end = new Date(new Date().toISOString().slice(0, 13) + ':00:00Z');
if ((await count()) < target) {
  const t0 = performance.now();
  let lastLog = 0;
  const sent = await postAll(apiUrl, key, generateDemoEvents({ events: target, days, end }), {
    onBatch: (n) => {
      if (n - lastLog >= 100_000) {
        lastLog = n;
        console.error(`demo: sent ${n.toLocaleString()} events`);
      }
    },
  });
  let stored = await count();
  while (stored < sent) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await count();
  }
  console.error(`demo: ${sent.toLocaleString()} events ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.error(`demo: workspace "demo" holds ${(await count()).toLocaleString()} events`);
await syncDemoWork(pool, workspace.id, apiUrl, key);
const budgets = await ensureDemoBudgets(pool, workspace.id);
if (budgets) console.error(`demo: created ${budgets} budgets (the worker evaluates them within a minute)`);
console.error(`demo: imported ${await importDemoBills(apiUrl, key, { days, end })} provider bill lines (reconciliation)`);
const economics = await ensureDemoEconomics(apiUrl, key, { days, end });
console.error(`demo: ${economics.pools} cost pools and ${economics.revenue} revenue entries (profitability)`);

// Today's anomalies and report now rather than at the next hour and the next morning, and the
// roll-ups of the 90 back-filled days rebuilt now rather than at the next warming run (figures
// are exact meanwhile, read from raw events; this makes them fast).
const redis = redisConnection(process.env.REDIS_URL!, 'producer');
const maintenance = createMaintenanceQueue(redis);
await maintenance.add(WARM_ROLLUPS_JOB, {});
await maintenance.close();
const insights = createInsightsQueue(redis);
await insights.add(DETECT_ANOMALIES_JOB, { workspaceId: workspace.id });
await insights.add(MORNING_REPORT_JOB, { workspaceId: workspace.id, at: new Date().toISOString() });
await insights.close();
redis.disconnect();
const person = await ensureDemoUser(pool, workspace.id);
console.log(key);
console.log(person.email);
console.log(person.password);
await pool.end();
