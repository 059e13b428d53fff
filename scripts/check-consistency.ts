// npm run check:consistency [-- --seed N --questions N --surfaces a,b --concurrency N --events N --still]
// Starts the real API and worker on a database of its own, asks seeded random questions on
// every surface while events arrive, a repricing and a retention run happen, and compares each
// answer with SQL over the raw events at the same snapshot. Prints the summary; exits 1 on any mismatch.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '@spendgraph/db';
import { startPlatform } from '@spendgraph/test-support/platform';
import { formatSummary, runConsistency } from '@spendgraph/test-support/consistency/run';
import { SURFACES, type Surface } from '@spendgraph/test-support/consistency/questions';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    questions: { type: 'string', default: '2000' },
    surfaces: { type: 'string', default: SURFACES.join(',') },
    concurrency: { type: 'string', default: '3' },
    events: { type: 'string', default: '6000' },
    // The data stands still (no arrivals, repricing, retention, warming): checks the check's own SQL.
    still: { type: 'boolean', default: false },
  },
});
const surfaces = args.surfaces.split(',').map((s) => s.trim()) as Surface[];
for (const s of surfaces) if (!SURFACES.includes(s)) throw new Error(`--surfaces: '${s}' is not one of ${SURFACES.join(', ')}`);

const base = process.env.DATABASE_URL!;
const dbName = `spendgraph_consistency_${process.pid}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const databaseUrl = Object.assign(new URL(base), { pathname: `/${dbName}` }).toString();
let exitCode = 1;
try {
  await migrate(databaseUrl);
  const p = await startPlatform({ databaseUrl, redisUrl: process.env.REDIS_URL! });
  try {
    const summary = await runConsistency(p, {
      seed: Number(args.seed), questions: Number(args.questions), surfaces, concurrency: Number(args.concurrency),
      historyEvents: Number(args.events), still: args.still, log: (line) => console.error(line),
    });
    console.log(formatSummary(summary));
    exitCode = summary.mismatches === 0 ? 0 : 1;
  } finally {
    await p.stop();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
process.exit(exitCode);
