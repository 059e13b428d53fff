// Lambda reads (docs/decisions/0001-read-path.md): a query that Cube answers from a roll-up
// reads each partition only while it is sealed for the caller's workspace, and otherwise the
// same partition computed from raw events — in the same SQL statement, so the answer is the
// raw truth at that statement's snapshot.
//
// Cube's own lambda roll-ups (rollup_lambda + union_with_source_data) need Cube Store. Cube
// substitutes every roll-up partition it reads by the relation its loader returns
// (`targetTableName`); during a user query we check whether the partition is sealed for the
// workspace (rollup_partition_sealed: no dirty mark its build snapshot has not seen,
// db/migrations/1765000100000_rollup_dirty_days.sql) and return either
//
//   (SELECT * FROM <partition> WHERE rollup_assert_sealed(...))    -- sealed: checked again in the statement
//   (SELECT * FROM (<the partition's own build query>) f WHERE <workspace>)   -- not sealed: raw events
//
// A partition that is not sealed never becomes sealed again (a rebuild is a new table), and a
// sealed one that a write dirties between the check and the statement makes the statement fail
// (SG001); the semantic layer then asks again.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Roll-ups cover at most this much history (build_range_start in cube/model); older ranges read raw events. */
export const ROLLUP_HISTORY_DAYS = 3 * 365;
/** Margin for the SQL floor's week truncation and leap days. */
const FLOOR_MARGIN_DAYS = 10;

/** The earliest instant a roll-up is sure to cover. */
export function rollupFloor(now = Date.now()): Date {
  return new Date(now - (ROLLUP_HISTORY_DAYS - FLOOR_MARGIN_DAYS) * 86_400_000);
}

interface ReadScope {
  workspaceId: string;
}

const scope = new AsyncLocalStorage<ReadScope>();

/** Runs `fn` (a Cube query) with lambda reads for `workspaceId`. */
export function withLambdaReads<T>(workspaceId: string, fn: () => Promise<T>): Promise<T> {
  install();
  return scope.run({ workspaceId }, fn);
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

interface PartitionDescription {
  preAggregationId: string;
  tableName: string;
  loadSql: [string, unknown[]];
  /** The whole partition's build SQL (loadSql may be clipped to the build range's end). */
  structureVersionLoadSql?: [string, unknown[]];
  buildRangeStart?: string;
  buildRangeEnd?: string;
  partitionGranularity?: string;
  timezone?: string;
}

/** The UTC range the partition's build query covers: its two timestamp parameters. */
function utcRange(loadSql: [string, unknown[]]): [string, string] {
  const stamps = loadSql[1].filter((p): p is string => typeof p === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(p));
  if (stamps.length !== 2) return ['-infinity', 'infinity']; // unpartitioned: the whole history
  return [stamps[0]!, stamps[1]!];
}

/** What a lambda read needs to know of a partition: its table, range, build query and snapshot column. */
export function partitionParts(table: string, p: PartitionDescription, workspaceId: string) {
  if (!UUID.test(workspaceId)) throw new Error('lambda reads need a workspace id');
  const cube = p.preAggregationId.split('.')[0]!;
  const loadSql = p.structureVersionLoadSql ?? p.loadSql;
  const [from, to] = utcRange(loadSql);
  const ws = literal(workspaceId);
  const args = `(SELECT ${cube}__build_snapshot FROM ${table} LIMIT 1), ${ws}::uuid, ${literal(from)}::timestamptz, ${literal(to)}::timestamptz`;
  return {
    /** Whether the partition holds the truth for the workspace now (a query of its own). */
    sealedSql: `SELECT public.rollup_partition_sealed(${args}) AS sealed`,
    /** The partition, guarded: the statement fails (SG001) if a write dirtied it since the check. */
    sealed: `(SELECT * FROM ${table} WHERE public.rollup_assert_sealed(${args}))`,
    /** The partition computed from raw events, the workspace's rows only. */
    raw: `(SELECT * FROM (${buildSelect(loadSql)}) AS raw_tail WHERE raw_tail.${cube}__workspace_id = ${ws}::uuid)`,
  };
}

/** A write dirtied a partition between the check and the statement: ask again. */
export function isDirtiedMeanwhile(e: unknown): boolean {
  return (e as { code?: string })?.code === 'SG001' || /roll-up partition written to since it was planned/.test(String((e as Error)?.message ?? e));
}

let installed = false;

/** Wraps Cube's partition loader (once per process): inside withLambdaReads, partitions become lambda relations. */
function install() {
  if (installed) return;
  installed = true;
  const { PreAggregationLoader } = require('@cubejs-backend/query-orchestrator/dist/src/orchestrator/PreAggregationLoader.js');
  const load = PreAggregationLoader.prototype.loadPreAggregation;
  PreAggregationLoader.prototype.loadPreAggregation = async function (
    this: { preAggregation: PartitionDescription; driverFactory: () => Promise<{ query(sql: string, values?: unknown[]): Promise<any[]> }> },
    ...args: unknown[]
  ) {
    const result = await load.apply(this, args);
    const read = scope.getStore();
    if (!read || !result?.targetTableName || !this.preAggregation.loadSql) return result;
    // Only one arm in the statement: planning a raw arm per partition costs more than reading it.
    const parts = partitionParts(result.targetTableName, this.preAggregation, read.workspaceId);
    const [row] = await (await this.driverFactory()).query(parts.sealedSql, []);
    return { ...result, targetTableName: row?.sealed ? parts.sealed : parts.raw };
  };
}
