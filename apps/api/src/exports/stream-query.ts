// Streams the rows of a semantic-layer query from Postgres with a cursor: Cube
// plans the SQL (the model's members, the workspace filter), Postgres hands the
// rows over a batch at a time, so an export of millions of events never sits in
// memory, and nothing goes through Cube's result cache.
import Cursor from 'pg-cursor';
import pg from 'pg';
import type { Pool } from '@spendgraph/db';
import type { CubeQuery, SemanticContext, SemanticLayer } from '@spendgraph/semantic';

export type Row = Record<string, string | number | boolean | null>;

const BATCH = 2000;
/** A reader that takes no batch for this long has gone: its cursor closes and its connection returns. */
const STALL_MS = Number(process.env.EXPORT_STALL_MS) || 30_000;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

/**
 * Timestamps stay text (Postgres' own, to the microsecond) rather than JS Dates: a timestamp
 * without zone is the query's local time, which a Date would misread in the process's zone.
 * numeric and bigint are text by default in pg: exact.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

/** Plans the query (members are checked here, before any row is read) and returns its rows, lazily, a batch at a time. */
export async function streamQuery(pool: Pool, semantic: SemanticLayer, query: CubeQuery, ctx: SemanticContext): Promise<AsyncIterable<Row[]>> {
  const { sql, params, aliasNameToMember } = await semantic.sql(query, ctx, { fresh: true, unlimited: true });
  return (async function* rows() {
    const client = await pool.connect();
    const cursor = client.query(new Cursor(sql, params as unknown[], { types } as Cursor.CursorQueryConfig));
    let members: Array<[alias: string, member: string]> | undefined;
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err); // with an error, the connection (and its open cursor) is destroyed
    };
    try {
      for (;;) {
        const batch = await cursor.read(BATCH);
        if (!batch.length) return;
        members ??= Object.keys(batch[0]).map((alias) => [alias, aliasNameToMember[alias] ?? alias]);
        // While the reader does not ask for more, the generator sleeps here holding the connection.
        const stalled = setTimeout(() => release(new Error('the export reader stalled')), STALL_MS);
        try {
          yield batch.map((raw) => {
            const row: Row = {};
            for (const [alias, member] of members!) row[member] = raw[alias];
            return row;
          });
        } finally {
          clearTimeout(stalled);
        }
        if (released) throw new Error('the export reader stalled; its connection was closed');
      }
    } finally {
      // An abandoned export (client gone) ends here too: the cursor closes and the connection returns.
      if (!released) await cursor.close().catch(() => {});
      release();
    }
  })();
}

