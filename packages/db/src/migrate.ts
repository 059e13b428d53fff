import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

/**
 * Applies pending migrations from db/migrations (at most `count`: a test builds an older release's
 * schema with it); safe to call concurrently (advisory lock).
 */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}, count = Infinity): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: 'pgmigrations',
    direction: 'up',
    count,
    singleTransaction: true,
    log,
  });
}
