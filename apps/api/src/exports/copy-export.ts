// A semantic-layer query as a file written by Postgres itself (COPY ... TO STDOUT): Cube
// plans the SQL as for every export (the model's members, the workspace filter, a
// restricted key's filter), Postgres formats each cell as the row encoder (encode.ts)
// would, and the API only passes the bytes on, at the client's pace. A million events
// never become JS objects (docs/decisions/0015-perf-exports-in-postgres.md).
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Pool } from '@spendgraph/db';
import type { CubeQuery, SemanticContext, SemanticLayer } from '@spendgraph/semantic';

/** A reader that takes no chunk for this long has gone: the COPY's connection is closed. */
const STALL_MS = Number(process.env.EXPORT_STALL_MS) || 30_000;

export type CopyFormat = 'csv' | 'ndjson';
/** A column of the file and the query member it shows; `utcInstant` is written as tables.ts writes UTC times. */
export interface CopyColumn { name: string; member: string; utcInstant?: boolean }

/** pg's own parsers make these JS numbers, booleans or objects (everything else stays text): JSON keeps them so. */
const JSON_AS_IS = new Set([16 /* bool */, 21 /* int2 */, 23 /* int4 */, 700 /* float4 */, 701 /* float8 */, 114 /* json */, 3802 /* jsonb */]);
/** Types whose text is never empty and never a formula (a number, true/false): written as they are, unchecked. */
const PLAIN_TEXT = new Set([16, 20 /* int8 */, 21, 23, 700, 701, 1700 /* numeric */]);
/** Text already: no cast. */
const TEXT = new Set([25 /* text */, 1043 /* varchar */]);

// encode.ts's neutraliseFormula in SQL: a cell starting with = + - @ tab or CR that is not a number gets a
// leading '. Empty text is written as null (an empty field), as csv-stringify writes it. `text` is a text
// value cheap to repeat (a column, or a cast): Postgres evaluates each mention.
const NUMBER = `'^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$'`;
/** ascii() of '' and of = + - @ tab CR: the first characters that need a look (text never holds NUL). */
const SUSPECT_FIRST = '0, 61, 43, 45, 64, 9, 13';
export function csvCell(text: string) {
  // Most cells start with none of them: one integer test (ascii) instead of an empty test, left() and
  // six text comparisons per cell, ~2 of the ~9 CPU seconds of a million events' COPY.
  const guarded = `CASE WHEN ${text} = '' THEN NULL WHEN left(${text}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) AND ${text} !~ ${NUMBER} THEN '''' || ${text} ELSE ${text} END`;
  return `CASE WHEN ascii(${text}) IN (${SUSPECT_FIRST}) THEN ${guarded} ELSE ${text} END`;
}

/** tables.ts' withOffset for UTC: ISO 8601 with the microseconds Postgres keeps (at least milliseconds) and a Z. */
function utcInstant(ref: string) {
  const local = `(${ref} AT TIME ZONE 'UTC')`;
  // to_char's MS truncates, as the text the row path reads; the last three digits of US, zeros trimmed, follow.
  return `to_char(${local}, 'YYYY-MM-DD"T"HH24:MI:SS.MS') || rtrim(substr(to_char(${local}, 'US'), 4), '0') || 'Z'`;
}

/** The query's parameters written into its text: COPY takes none. Values become quoted literals (of unknown type, as a parameter is). */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`query parameter $${n} has no value`);
    const v = params[i];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'object') throw new Error(`query parameter $${n} is not a scalar`);
    return pg.escapeLiteral(String(v));
  });
}

export interface Planned { sql: string; refOf: (member: string) => string; order: string }

export async function plan(semantic: SemanticLayer, query: CubeQuery, ctx: SemanticContext): Promise<Planned> {
  const { sql, params, aliasNameToMember } = await semantic.sql(query, ctx, { fresh: true, unlimited: true });
  const aliasOf = new Map(Object.entries(aliasNameToMember).map(([alias, member]) => [member, alias]));
  const refOf = (member: string) => {
    const alias = aliasOf.get(member);
    if (!alias) throw new Error(`the planned query has no column for ${member}`);
    return `q.${pg.escapeIdentifier(alias)}`;
  };
  // Cube orders by a time dimension under its own name (`usage.occurred_at`): its column is the granularity's.
  const granular = new Map(((query.timeDimensions ?? []) as Array<{ dimension: string; granularity?: string }>)
    .filter((t) => t.granularity).map((t) => [t.dimension, `${t.dimension}.${t.granularity}`]));
  // The subquery keeps its ORDER BY (a sorted subquery is not flattened); saying it again outside costs no sort.
  const order = ((query.order ?? []) as Array<[string, string]>).map(([m, dir]) => `${refOf(granular.get(m) ?? m)} ${dir === 'desc' ? 'DESC' : 'ASC'}`);
  return { sql: inlineParams(sql, params), refOf, order: order.length ? ` ORDER BY ${order.join(', ')}` : '' };
}

/** The planned query's column types (a LIMIT 0 round trip): each type's cells are written as the row path writes them. */
export async function columnTypes(pool: Pool, planned: Planned, columns: Array<Pick<CopyColumn, 'member'>>): Promise<number[]> {
  const probe = `SELECT ${columns.map((c) => planned.refOf(c.member)).join(', ')} FROM (${planned.sql}) q LIMIT 0`;
  return (await pool.query({ text: probe, rowMode: 'array' })).fields.map((f) => f.dataTypeID);
}

/**
 * The COPY statement writing the query's rows as CSV (a header, RFC 4180 quoting, empty text as an
 * empty field) or NDJSON (one JSON object a line: CSV with quote and delimiter bytes that escaped
 * JSON never contains, so each line is the object's text as it is).
 */
export async function copyStatement(pool: Pool, semantic: SemanticLayer, query: CubeQuery, ctx: SemanticContext, columns: CopyColumn[], format: CopyFormat) {
  const planned = await plan(semantic, query, ctx);
  const types = await columnTypes(pool, planned, columns);
  const from = `FROM (${planned.sql}) q${planned.order}`;
  if (format === 'csv') {
    const cells = columns.map((c, i) => {
      const ref = planned.refOf(c.member);
      const type = types[i]!;
      const text = PLAIN_TEXT.has(type) ? `CAST(${ref} AS text)` : csvCell(TEXT.has(type) ? ref : `CAST(${ref} AS text)`);
      return `${c.utcInstant ? utcInstant(ref) : text} AS ${pg.escapeIdentifier(c.name)}`;
    });
    return `COPY (SELECT ${cells.join(', ')} ${from}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
  }
  const values = columns.map((c, i) => {
    const ref = planned.refOf(c.member);
    return `${c.utcInstant ? utcInstant(ref) : JSON_AS_IS.has(types[i]!) ? ref : `CAST(${ref} AS text)`} AS ${pg.escapeIdentifier(c.name)}`;
  });
  // row_to_json: compact, the keys in the columns' order.
  return `COPY (SELECT row_to_json(r) FROM (SELECT ${values.join(', ')} ${from}) r) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/**
 * The file's bytes, lazily: nothing runs until the first chunk is asked for; stop reading
 * (or stall past STALL_MS) and the connection is closed, which ends the COPY in Postgres.
 * `settings` hold for this statement only (SET LOCAL in a transaction of its own).
 */
export function copyOut(pool: Pool, statement: string, settings: Record<string, string> = {}): AsyncIterable<Buffer> {
  return (async function* chunks() {
    const client = await pool.connect();
    const local = Object.entries(settings);
    let done = false;
    let failed: Error | undefined;
    try {
      if (local.length) {
        await client.query('BEGIN');
        for (const [name, value] of local) await client.query(`SET LOCAL ${pg.escapeIdentifier(name)} = ${pg.escapeLiteral(value)}`);
      }
      const stream = client.query(copyTo(statement));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const stalled = setTimeout(() => stream.destroy(new Error('the export reader stalled')), STALL_MS);
        try {
          yield chunk;
        } finally {
          clearTimeout(stalled);
        }
      }
      if (local.length) await client.query('COMMIT');
      done = true;
    } catch (e) {
      failed = e as Error;
      throw e;
    } finally {
      // Anything but a COPY read to its end leaves the connection mid-protocol: destroy it.
      client.release(done ? undefined : (failed ?? new Error('the export was abandoned')));
    }
  })();
}
