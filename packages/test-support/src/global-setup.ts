// One fresh database per test run and project (vitest.config.ts), migrated with the real
// migrations, on the TimescaleDB and Redis that scripts/services.sh provides.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '@spendgraph/db';

export default async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL;
  if (!base || !process.env.REDIS_URL) {
    throw new Error('DATABASE_URL and REDIS_URL must be set: run the tests with `npm test` (scripts/test.sh)');
  }
  const dbName = `spendgraph_test_${process.pid}_${project.name.replace(/[^a-z0-9]/gi, '_')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  await migrate(url.toString());
  project.provide('databaseUrl', url.toString());
  project.provide('redisUrl', process.env.REDIS_URL);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
