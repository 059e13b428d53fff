import { parseEnv } from '@spendgraph/env';
import { migrate } from './migrate.ts';
import { migrateEnv } from './migrate-env.ts';

let url: string;
try {
  url = parseEnv(migrateEnv).DATABASE_URL;
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
await migrate(url, (m) => console.error(m));
