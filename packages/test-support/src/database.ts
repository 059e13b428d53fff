// A database of a test file's own, migrated with the real migrations, on the run's PostgreSQL:
// for tests whose subject is the whole install (first run: "no owner exists anywhere") or whose
// reads must not see what other files stored in the shared one.
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '@spendgraph/db';

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function ownDatabase(label: string, base = inject('databaseUrl')): Promise<OwnDatabase> {
  const name = `spendgraph_${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();
  await migrate(url);
  return {
    url,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
