import { migrate } from './migrate.ts';
import { migrateEnv } from './migrate-env.ts';

const env = migrateEnv.safeParse(process.env);
if (!env.success) {
  console.error(env.error.issues.map((i) => i.message).join('; '));
  process.exit(2);
}
await migrate(env.data.DATABASE_URL, (m) => console.error(m));
