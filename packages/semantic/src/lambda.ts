// Lambda reads (docs/decisions/0001-read-path.md): a query that Cube answers from a roll-up
// reads each partition's days from the roll-up while they are sealed for the caller's workspace,
// and the other days from raw events — in the same SQL statement, so the answer is the raw
// truth at that statement's snapshot.
//
// Cube's own lambda roll-ups (rollup_lambda + union_with_source_data) need Cube Store. Cube
// substitutes every roll-up partition it reads by the relation its loader returns
// (`targetTableName`); during a user query we return, instead of the table name,
//
//   (WITH dirty AS (<the local days changed since the partition's build snapshot, or NULL>)
//    SELECT * FROM <partition> WHERE <its day> not in dirty
//    UNION ALL
//    SELECT * FROM (<the partition's own build query, over the dirty days' instants only>) f
//     WHERE <workspace> AND dirty IS NOT NULL AND <its day> in dirty)
//
// where dirty is rollup_partition_dirty_span(<build snapshot>, workspace, range, zone)
// (db/migrations). Postgres computes it once per partition; a sealed partition skips the raw arm
// (a one-time filter), and a written-to week reads raw only the days written to (today, under
// live ingest), not the whole week.
//
// Inside a snapshot (one REPEATABLE READ transaction, execution.ts) the span is read first, on the
// snapshot's own connection, and written into the statement as a constant: the same value the CTE
// would compute (same snapshot), but the planner then leaves a sealed partition's raw arm out and
// plans a dirty one over the dirty days' chunks only. Planning every arm over its week's chunks
// cost more than running the statement (~55 of ~75 ms for 14 partitions).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { PinnedConnection } from './cube.ts';

const require = createRequire(import.meta.url);

/** Roll-ups cover at most this much history (build_range_start in cube/model); older ranges read raw events. */
export const ROLLUP_HISTORY_DAYS = 3 * 365;
/** Margin for the SQL floor's week truncation and leap days. */
const FLOOR_MARGIN_DAYS = 10;

/** The earliest instant a roll-up is sure to cover. */
export function rollupFloor(now = Date.now()): Date {
  return new Date(now - (ROLLUP_HISTORY_DAYS - FLOOR_MARGIN_DAYS) * 86_400_000);
}

/** A snapshot's connection and the dirty spans read on it so far. */
export interface SnapshotReads {
  conn: PinnedConnection;
  /** By partition table, workspace and zone. */
  spans: Map<string, Promise<string | null>>;
  /** The first span read that failed: it aborted the transaction, so every later one fails with it. */
  failed?: unknown;
}

interface ReadScope {
  workspaceId: string;
  /** Inside a snapshot (execution.ts), whose transaction holds a lock on every table it read. */
  snapshot?: SnapshotReads;
}

const scope = new AsyncLocalStorage<ReadScope>();

/** Runs `fn` (a Cube query) with lambda reads for `workspaceId`, inside `snapshot` if given. */
export function withLambdaReads<T>(workspaceId: string, fn: () => Promise<T>, snapshot?: SnapshotReads): Promise<T> {
  install();
  return scope.run({ workspaceId, snapshot }, fn);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return `'${String(v).replaceAll("'", "''")}'`;
}

/** Cube's build SQL is `CREATE TABLE <name> AS SELECT ...` with $n parameters: the SELECT, parameters inlined. */
export function buildSelect(loadSql: [string, unknown[]]): string {
  const [sql, params] = loadSql;
  const m = /^\s*CREATE\s+TABLE\s+\S+\s+AS\s+/i.exec(sql);
  if (!m) throw new Error(`unexpected roll-up build SQL: ${sql.slice(0, 80)}`);
  return sql.slice(m[0].length).replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`roll-up build SQL names $${n} but has ${params.length} parameters`);
    return literal(params[i]);
  });
}

/**
 * The build SQL with its time filters (`<time> >= $a::timestamptz AND <time> <= $b::timestamptz`)
 * narrowed by `<time> >= from AND <time> <= to` (SQL expressions). The partition's own bounds stay:
 * they let the planner leave the hypertable's other chunks out of the plan. A roll-up over a
 * joined cube whose SQL reads its range (FILTER_PARAMS, work_item_allocations) has a pair per
 * scan, each narrowed.
 */
function narrowed(loadSql: [string, unknown[]], from: string, to: string): [string, unknown[]] {
  let n = 0;
  const sql = loadSql[0].replace(/([\w".]+) (>=|<=) (\$\d+::timestamptz)/g, (m, time: string, op: string) => {
    n++;
    return `${m} AND ${time} ${op} ${op === '>=' ? from : to}`;
  });
  if (n < 2 || n % 2 !== 0) throw new Error(`unexpected roll-up build SQL: ${n} time bounds`);
  return [sql, loadSql[1]];
}

interface PartitionDescription {
  preAggregationId: string;
  tableName: string;
  /** The whole partition's build SQL (whole-partitions.ts). */
  loadSql: [string, unknown[]];
  buildRangeStart?: string;
  buildRangeEnd?: string;
  partitionGranularity?: string;
  timezone?: string;
}

/** The UTC range the partition's build query covers: its timestamp parameters, one pair per scan of the range. */
function utcRange(loadSql: [string, unknown[]]): [string, string] | undefined {
  const stamps = loadSql[1].filter((p): p is string => typeof p === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(p));
  if (stamps.length < 2 || stamps.length % 2 !== 0) return undefined; // unpartitioned: the whole history
  const pairs = new Set(stamps.flatMap((s, i) => (i % 2 ? [] : [`${s} ${stamps[i + 1]}`])));
  return pairs.size === 1 ? [stamps[0]!, stamps[1]!] : undefined;
}

/** The partition's day column: its rows are per local day of the time dimension. */
function dayColumn(select: string): string | undefined {
  return /date_trunc\('day', .*? AT TIME ZONE '[^']+'\)\) "(\w+_day)"/.exec(select)?.[1];
}

/**
 * Margin around the dirty days' instants for the raw arm's scan: a local midnight read back as an
 * instant may be off by a DST shift; the arm keeps only rows of the dirty days anyway.
 */
const SCAN_MARGIN = "interval '3 hours'";

/** What a partition's relation is made of: its cube, range, day column, workspace and zone as SQL. */
function partsOf(table: string, p: PartitionDescription, workspaceId: string) {
  if (!UUID.test(workspaceId)) throw new Error('lambda reads need a workspace id');
  const range = utcRange(p.loadSql);
  const day = dayColumn(buildSelect(p.loadSql));
  if (!range || !day) throw new Error(`roll-up ${p.preAggregationId} is not partitioned by day: lambda reads need its days`);
  const cube = p.preAggregationId.split('.')[0]!;
  const [from, to] = range.map((t) => `${literal(t)}::timestamptz`) as [string, string];
  const ws = literal(workspaceId);
  const tz = literal(p.timezone ?? 'UTC');
  const span = `public.rollup_partition_dirty_span((SELECT ${cube}__build_snapshot FROM ${table} LIMIT 1), ${ws}::uuid, ${from}, ${to}, ${tz})`;
  return { cube, day, ws, tz, span };
}

/** The alias of a relation's raw arm: readsRawEvents finds a raw arm by it. */
const RAW_TAIL = 'raw_tail';

/** The partition's rows outside `dirty` (a tsrange expression) and its build query's rows inside it. */
function withRawTail(table: string, p: PartitionDescription, { cube, day, ws, tz }: ReturnType<typeof partsOf>, dirty: string) {
  // The raw arm scans only the dirty days' instants (NULL bounds when sealed: nothing).
  const scan = narrowed(p.loadSql, `(lower(${dirty}) AT TIME ZONE ${tz}) - ${SCAN_MARGIN}`, `(upper(${dirty}) AT TIME ZONE ${tz}) + ${SCAN_MARGIN}`);
  return (
    ` SELECT * FROM ${table} WHERE NOT coalesce(${dirty} @> ${day}, false)` +
    ` UNION ALL SELECT * FROM (${buildSelect(scan)}) AS ${RAW_TAIL}` +
    ` WHERE ${RAW_TAIL}.${cube}__workspace_id = ${ws}::uuid AND ${dirty} IS NOT NULL AND ${dirty} @> ${RAW_TAIL}.${day}`
  );
}

/** Whether a relation from snapshotRelation reads raw events (a partition with dirty days). */
export function readsRawEvents(relation: string): boolean {
  return relation.includes(`) AS ${RAW_TAIL} WHERE `);
}

/** The relation that stands for one partition table in a user query (its dirty span computed in the statement). */
export function lambdaRelation(table: string, p: PartitionDescription, workspaceId: string): string {
  const parts = partsOf(table, p, workspaceId);
  return `(WITH dirty AS MATERIALIZED (SELECT ${parts.span} AS days)${withRawTail(table, p, parts, '(SELECT days FROM dirty)')})`;
}

/**
 * The same relation inside a snapshot: the span read first on the snapshot's connection (once per
 * partition and snapshot) and written in as a constant. Sealed: the table alone.
 */
export async function snapshotRelation(table: string, p: PartitionDescription, workspaceId: string, snapshot: SnapshotReads): Promise<string> {
  const parts = partsOf(table, p, workspaceId);
  const key = `${table} ${parts.ws} ${parts.tz}`; // a snapshot may read several workspaces (the organization's overview)
  let span = snapshot.spans.get(key);
  if (!span) {
    // A table dropped since Cube listed it fails here (a race execution.ts retries), and every
    // span read queued behind it with "transaction is aborted": they report the first cause.
    span = snapshot.conn.query(`SELECT ${parts.span}::text AS days`).then(
      ({ rows }) => (rows[0]?.days as string | null) ?? null,
      (e) => {
        throw (snapshot.failed ??= e);
      },
    );
    snapshot.spans.set(key, span);
  }
  const days = await span;
  return days === null ? `(SELECT * FROM ${table})` : `(${withRawTail(table, p, parts, `${literal(days)}::tsrange`)})`;
}

let installed = false;

/** Wraps Cube's partition loader (once per process): inside withLambdaReads, partitions become lambda relations. */
function install() {
  if (installed) return;
  installed = true;
  const { PreAggregationLoader } = require('@cubejs-backend/query-orchestrator/dist/src/orchestrator/PreAggregationLoader.js');
  const load = PreAggregationLoader.prototype.loadPreAggregation;
  PreAggregationLoader.prototype.loadPreAggregation = async function (
    this: { preAggregation: PartitionDescription; preAggregations: { addTableUsed(table: string): Promise<void> } },
    ...args: unknown[]
  ) {
    const result = await load.apply(this, args);
    const read = scope.getStore();
    if (!read || !result?.targetTableName || !this.preAggregation.loadSql) return result;
    // Cube keeps the tables in use from its orphan cleanup, but notes the relation returned here: a
    // snapshot notes the table itself, or a build in this process could drop it, waiting for the
    // snapshot's lock while the snapshot waits for the build.
    if (!read.snapshot) return { ...result, targetTableName: lambdaRelation(result.targetTableName, this.preAggregation, read.workspaceId) };
    await this.preAggregations.addTableUsed(result.targetTableName);
    return { ...result, targetTableName: await snapshotRelation(result.targetTableName, this.preAggregation, read.workspaceId, read.snapshot) };
  };
}
