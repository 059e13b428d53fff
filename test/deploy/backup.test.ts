// Backups as the README's operations guide describes them: `pg_dump -Fc` of the database, restored
// into a new one between timescaledb_pre_restore() and timescaledb_post_restore(). Afterwards every
// workspace answers the same figures through the API, the roll-up marks and idempotency keys came
// along (an event sent again is not counted twice), and new events are taken.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OwnDatabase, ownDatabase } from '@spendgraph/test-support/database';
import { type Platform, graphqlData, ingestAndWait, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { rootProgram, rootScratchDir } from '@spendgraph/test-support/private-services';

let source: OwnDatabase;
let p: Platform | undefined;
const restoredName = `spendgraph_restored_${process.pid}`;
const restoredUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${restoredName}` }).toString();
let admin: pg.Client;
const workspaces: Array<{ workspaceId: string; key: string; events: Array<Record<string, unknown>> }> = [];

const TOTALS = `{ breakdown(measures: ["total_cost", "calls", "input_tokens"], by: ["model", "agent"], timeRange: { from: "2026-10-01", to: "2026-12-01" }) {
  measures { measure value } children { value measures { measure value } children { value measures { measure value } } } } }`;

beforeAll(async () => {
  source = await ownDatabase('backup_source');
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  p = await startPlatform({ databaseUrl: source.url });
  for (let w = 0; w < 2; w++) {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: randomUUID(), occurred_at: new Date(Date.UTC(2026, 9, 1) + i * 3_600_000 * 3).toISOString(), provider: 'anthropic',
      model: i % 2 ? 'claude-sonnet-4-5' : 'claude-haiku-4-5', agent: ['coder', 'reviewer', 'planner'][i % 3], usage: { input_tokens: 1000 + i * w, output_tokens: 200 },
    }));
    await ingestAndWait(p, ws, events);
    workspaces.push({ ...ws, events });
  }
}, 300_000);

afterAll(async () => {
  await p?.stop();
  await admin?.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
  await admin?.end();
  await source?.drop();
});

describe('a pg_dump backup restored into a new database', () => {
  it('answers every workspace the same, keeps idempotency, and takes new events', async () => {
    const before = await Promise.all(workspaces.map((ws) => graphqlData(p!.apiUrl, ws.key, TOTALS)));
    await p!.stop();
    p = undefined;

    const scratch = await rootScratchDir('backup'); // pg_dump runs inside the TimescaleDB root, as its postgres user
    const dumpFile = `${scratch.inside}/spendgraph.dump`;
    await rootProgram('pg_dump', ['-Fc', '-f', dumpFile, '-d', source.url]);
    await admin.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${restoredName}`);
    const restored = new pg.Client({ connectionString: restoredUrl });
    await restored.connect();
    await restored.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await restored.query('SELECT timescaledb_pre_restore()');
    await rootProgram('pg_restore', ['--no-owner', '-d', restoredUrl, dumpFile]).catch((e) => {
      throw new Error(`pg_restore failed: ${e.stderr ?? e}`);
    });
    await restored.query('SELECT timescaledb_post_restore()');
    await restored.end();
    await rm(scratch.host, { recursive: true, force: true });

    p = await startPlatform({ databaseUrl: restoredUrl });
    const after = await Promise.all(workspaces.map((ws) => graphqlData(p!.apiUrl, ws.key, TOTALS)));
    expect(after).toEqual(before);

    // An event stored before the backup, sent again: still one.
    const [first] = workspaces;
    expect((await postEvents(p.apiUrl, first!.key, [first!.events[0]])).status).toBe(202);
    await ingestAndWait(p, first!, [{ occurred_at: '2026-11-20T10:00:00Z', provider: 'anthropic', model: 'claude-haiku-4-5', usage: { input_tokens: 5, output_tokens: 5 } }]);
    await waitFor(async () => (await storedCount(p!.pool, first!.workspaceId)) === 301, 30_000, 'the new event to be stored');
    const { rows: [dup] } = await p.pool.query('SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [first!.workspaceId, first!.events[0]!.id]);
    expect(dup.n).toBe(1);
  });
});
