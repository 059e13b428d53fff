// One truth on every surface: seeded random questions asked through GraphQL, the REST exports,
// embeds and budgets while events arrive, a repricing and a retention run happen, each compared
// with SQL over the raw events at the same snapshot (packages/test-support/src/consistency). More questions:
// `npm run check:consistency -- --questions 5000 --seed N`. CONSISTENCY_SURFACES=a,b limits the surfaces.
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { migrate } from '@spendgraph/db';
import { type Platform, startPlatform } from '@spendgraph/test-support/platform';
import { SURFACES, type Surface } from '@spendgraph/test-support/consistency/questions';
import { formatSummary, runConsistency } from '@spendgraph/test-support/consistency/run';

// A database of its own, as `npm run check:consistency` has: raw reads then cost what this
// check's workspace holds, not what every other test file stored in the shared one.
let p: Platform;
let admin: pg.Client;
const dbName = `spendgraph_consistency_${process.pid}`;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${dbName}` }).toString();
  await migrate(databaseUrl);
  p = await startPlatform({ databaseUrl });
}, 180_000);
afterAll(async () => {
  await p?.stop();
  await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin?.end();
});

it('answers 1,000 random questions on every surface exactly as the raw events do, trees adding up', async () => {
  const surfaces = (process.env.CONSISTENCY_SURFACES?.split(',') ?? SURFACES) as Surface[];
  const summary = await runConsistency(p, {
    seed: Number(process.env.CONSISTENCY_SEED ?? 20261202),
    questions: Number(process.env.CONSISTENCY_QUESTIONS ?? 1000),
    surfaces,
    log: (line) => process.env.TEST_VERBOSE && console.log(line),
  });
  const report = formatSummary(summary);
  console.log(report);
  // The check checked: the repricing and the retention ran during it, and answers were compared.
  expect(summary.repricing.status, report).toBe('done');
  expect(summary.retention.horizon, report).not.toBeNull();
  expect(summary.compared, report).toBeGreaterThanOrEqual(0.9 * summary.questions);
  // No category is exempt: every mismatch fails (the report names it with a minimal question).
  expect(summary.categories.map((c) => c.name), report).toEqual([]);
  expect(summary.mismatches, report).toBe(0);
}, 900_000);
