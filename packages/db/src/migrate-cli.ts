import { migrate } from './migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (eval "$(scripts/services.sh env)")');
  process.exit(2);
}
await migrate(url, (m) => console.error(m));
