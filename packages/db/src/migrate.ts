import { fileURLToPath } from 'node:url';
import { seedShippedFxRates } from './fx-rates.ts';
import { createPool } from './pool.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

/**
 * Applies pending migrations from db/migrations (at most `count`: a test builds an older release's
 * schema with it), then loads the shipped ECB rate history when it is not stored yet
 * (docs/decisions/0023-currencies.md); safe to call concurrently (advisory locks).
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}, count = Infinity): Promise<void> {
  // Loaded here, not with the package: the apps import @spendgraph/db and never migrate (node-pg-migrate brings jiti and glob).
  const { runner } = await import('node-pg-migrate');
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: 'pgmigrations',
    direction: 'up',
    count,
    singleTransaction: true,
    log,
  });
  if (count !== Infinity) return; // an older release's schema: the rates table may not exist yet
  const pool = createPool(databaseUrl, { max: 1, name: 'spendgraph-migrate', statementTimeoutMs: 600_000 });
  try {
    const seeded = await seedShippedFxRates(pool);
    if (seeded) log(`ECB reference rates: ${seeded.added} loaded, through ${seeded.latestDay}`);
  } finally {
    await pool.end();
  }
}
