// Execution: Cube's Postgres driver and QueryOrchestrator (pre-aggregation loading, the queue),
// the one retry loop every call goes through, and result rows keyed by member. A query runs
// either through the orchestrator (one statement) or, inside snapshot(), on one pinned
// connection in one REPEATABLE READ transaction, so that several statements see one snapshot.
import { randomUUID } from 'node:crypto';
import { orchestratorModule, PostgresDriver, type CubeDriver, type CubeOrchestrator, type PinnedConnection } from './cube.ts';
import { readsRawEvents, type SnapshotReads, withLambdaReads } from './lambda.ts';
import { ByteBoundedCache } from './result-cache.ts';
import { forgetRollupTables } from './rollups.ts';
import { callsValue } from './whole-calls.ts';
import type { CompiledModel } from './model.ts';
import type { Plan, Planner, PreparedQuery } from './planning.ts';
import type { QueryResult, SemanticLogger } from './types.ts';

/** How long a query may wait for Cube's queue (a roll-up being built) before it fails. */
const QUERY_WAIT_MS = 10 * 60_000;
/** Cube's own wait slice: after it, the orchestrator throws "Continue wait" and we ask again. */
const CONTINUE_WAIT_SECONDS = 5;
/** Queries run at once per process (Cube's in-memory queue); the Postgres pool holds up to 8 connections. */
const QUERY_CONCURRENCY = 4;
/** Roll-up partitions built at once per process. */
const BUILD_CONCURRENCY = 2;
/** Snapshot reads held at once per process, each on a connection of its own pool (not the orchestrator's). */
export const SNAPSHOT_CONNECTIONS = 4;
/**
 * Waits before each attempt after a roll-up table race (below): a repricing or a rate import can
 * rebuild one partition after another, so a query may meet several races in a row; about 10 s in all.
 */
const TABLE_RACE_BACKOFF_MS = [100, 500, 1000, 2000, 3000, 3000];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createDriver(databaseUrl: string, queryTimeoutMs: number, maxPoolSize?: number): CubeDriver {
  return new PostgresDriver({
    connectionString: databaseUrl,
    application_name: 'spendgraph-semantic',
    // A lambda read plans a raw arm per partition that usually never runs (the partition is
    // sealed); JIT would compile them all, costing more than the query (seconds under load).
    options: '-c jit=off',
    // Roll-ups are stored in the source database (external: false), built with CREATE TABLE AS.
    readOnly: false,
    // statement_timeout of every query and roll-up build (seconds).
    executionTimeout: queryTimeoutMs / 1000,
    // pg client options (passed through): a socket gone silent fails the call instead of hanging it.
    query_timeout: queryTimeoutMs + 5_000,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(maxPoolSize ? { maxPoolSize } : {}),
  });
}

export function createOrchestrator(driver: CubeDriver, logger: SemanticLogger, resultCacheBytes: number): CubeOrchestrator {
  const orchestrator: CubeOrchestrator = new orchestratorModule.QueryOrchestrator(`spendgraph_${randomUUID()}`, async () => driver, logger, {
    cacheAndQueueDriver: 'memory',
    continueWaitTimeout: CONTINUE_WAIT_SECONDS,
    // Cube's count-bounded copy of hot results is kept small: the byte-bounded cache below holds them.
    queryCacheOptions: { queueOptions: async () => ({ concurrency: QUERY_CONCURRENCY }), maxInMemoryCacheEntries: 100 },
    preAggregationsOptions: {
      queueOptions: async () => ({ concurrency: BUILD_CONCURRENCY }),
      // The list of roll-up tables is cached per process; other processes (the
      // warming job) replace tables, so it must not be trusted for long.
      preAggregationsSchemaCacheExpire: 5,
    },
  });
  // Results in Cube's in-process cache are held within a byte budget (result-cache.ts).
  const cache = orchestrator.getQueryCache() as unknown as { cacheDriver: ConstructorParameters<typeof ByteBoundedCache>[0] };
  cache.cacheDriver = new ByteBoundedCache(cache.cacheDriver, resultCacheBytes);
  return orchestrator;
}

function isContinueWait(e: unknown): boolean {
  return e instanceof orchestratorModule.ContinueWaitError || (e as { error?: string })?.error === 'Continue wait';
}

/**
 * Races with another process over the same roll-up table: it dropped a table our cached list
 * still names (after rebuilding it), it created the table we were about to create, or our
 * build's table vanished under its refresh. Cube coordinates builds only within a process
 * (a real Cube server shares them through Cube Store); asking again sees the settled tables.
 */
function isRollupTableRace(e: unknown, schema: string): boolean {
  const message = e instanceof Error ? e.message : String((e as { error?: unknown })?.error ?? e);
  return (
    new RegExp(`relation "${schema}\\.[^"]+" does not exist`).test(message) ||
    // Two processes creating the same table: "already exists", or the catalog's unique index
    // (pg_type or pg_class) when both got past the existence check. Queries create nothing but roll-up tables.
    /relation "[^"]+" already exists|pg_type_typname_nsp_index|pg_class_relname_nsp_index/.test(message) ||
    /Pre-aggregation table is not found/.test(message) ||
    // On a read replica: the primary dropped a roll-up table this read had open.
    /conflict with recovery/.test(message)
  );
}

type Row = QueryResult['data'][number];

function toRows(data: Array<Record<string, unknown>>, aliasNameToMember: Record<string, string>, normalized: any, counts: Set<string>): Row[] {
  // Like Cube's REST API: a time dimension with one granularity is also given under its plain name.
  const granularitiesByDimension = new Map<string, string[]>();
  for (const td of normalized.timeDimensions ?? []) {
    if (!td.granularity) continue;
    granularitiesByDimension.set(td.dimension, [...(granularitiesByDimension.get(td.dimension) ?? []), td.granularity]);
  }
  return data.map((raw) => {
    const row: Row = {};
    for (const [alias, value] of Object.entries(raw)) {
      const member = aliasNameToMember[alias] ?? alias;
      const v = value instanceof Date ? value.toISOString() : callsValue(member, value as Row[string]);
      row[member] = v === undefined || v === null ? (counts.has(member) ? '0' : null) : v;
      const parts = member.split('.');
      if (parts.length === 3) {
        const base = `${parts[0]}.${parts[1]}`;
        if (granularitiesByDimension.get(base)?.length === 1) row[base] = row[member]!;
      }
    }
    return row;
  });
}

function toResult(model: CompiledModel, { normalized, main }: PreparedQuery, res: any, totalRes: any): QueryResult {
  const used = new Set<string>();
  for (const pa of Object.values((res.usedPreAggregations ?? {}) as Record<string, { preAggregationId?: string }>)) {
    if (pa.preAggregationId) used.add(pa.preAggregationId);
  }
  const result: QueryResult = { data: toRows(res.data ?? [], main.aliasNameToMember, normalized, model.counts), usedPreAggregations: [...used].sort() };
  if (totalRes) result.total = Number(totalRes.data?.[0]?.total_count ?? 0);
  return result;
}

export interface ExecutorDeps {
  model: CompiledModel;
  planner: Planner;
  driver: CubeDriver;
  /** The snapshot reads' own pool. */
  snapshotDriver: CubeDriver;
  orchestrator: CubeOrchestrator;
  preAggregationsSchema: string;
  ensureSchema: () => Promise<void>;
  logger: SemanticLogger;
  /** Before a retry after a roll-up table race (a read replica waits until it has the primary's tables). */
  beforeTableRetry?: () => Promise<void>;
}

export function createExecutor(deps: ExecutorDeps) {
  const { model, planner, orchestrator, snapshotDriver, preAggregationsSchema, ensureSchema, logger, beforeTableRetry } = deps;
  let closed = false;

  /**
   * The one retry loop: runs `fn` again while Cube answers "Continue wait" (a build in progress)
   * and, a few times, after a roll-up table race, once this process's list of tables is forgotten.
   * `fn` must be safe to run again (a read).
   */
  async function untilDone<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + QUERY_WAIT_MS;
    let raceRetries = 0;
    for (;;) {
      if (closed) throw new Error('the semantic layer is closed');
      try {
        return await fn();
      } catch (e) {
        if (isContinueWait(e) && Date.now() < deadline) {
          await sleep(50); // Cube already waited continueWaitTimeout inside the call
          continue;
        }
        if (isRollupTableRace(e, preAggregationsSchema) && raceRetries < TABLE_RACE_BACKOFF_MS.length) {
          await forgetRollupTables(orchestrator, preAggregationsSchema, logger);
          await beforeTableRetry?.();
          await sleep(TABLE_RACE_BACKOFF_MS[raceRetries++]!);
          continue;
        }
        if (isContinueWait(e)) throw new Error(`query still waiting for a pre-aggregation build after ${QUERY_WAIT_MS / 1000} s`);
        throw e;
      }
    }
  }

  /** One statement through the orchestrator, roll-up partitions read as lambda relations. */
  async function fetch(p: Plan, requestId: string, workspaceId: string): Promise<any> {
    if (p.preAggregations.length) await ensureSchema();
    return untilDone(() =>
      withLambdaReads(workspaceId, () =>
        orchestrator.fetchQuery({
          query: p.sql[0],
          values: p.sql[1],
          cacheKeyQueries: p.cacheKeyQueries,
          preAggregations: p.preAggregations,
          dataSource: p.dataSource,
          external: p.external,
          aliasNameToMember: p.aliasNameToMember,
          // Never a cached result: an answer is the truth when it is asked.
          cacheMode: 'no-cache',
          renewQuery: false,
          persistent: false,
          requestId,
        }),
      ),
    );
  }

  /** The open snapshot transaction of each pinned connection. */
  const snapshots = new WeakMap<PinnedConnection, SnapshotReads>();
  const snapshotOf = (conn: PinnedConnection) => {
    const open = snapshots.get(conn);
    if (!open) throw new Error('a pinned read outside snapshot()');
    return open;
  };

  /**
   * One statement on a pinned connection: the orchestrator only resolves the roll-up partitions
   * (building a missing one, as for fetch) to their lambda relations, and the statement runs here.
   */
  async function fetchOn(conn: PinnedConnection, p: Plan, requestId: string, workspaceId: string): Promise<any> {
    let usedPreAggregations: Record<string, { targetTableName: string }> = {};
    if (p.preAggregations.length) {
      await ensureSchema();
      ({ usedPreAggregations } = await untilDone(() =>
        withLambdaReads(
          workspaceId,
          () => orchestrator.fetchQuery({ preAggregations: p.preAggregations, dataSource: p.dataSource, external: p.external, requestId }),
          snapshotOf(conn),
        ),
      ));
    }
    const sql = orchestratorModule.QueryCache.replacePreAggregationTableNamesInSql(p.sql[0], Object.entries(usedPreAggregations));
    // A raw arm groups the dirty days' events (today's, under live ingest) by the roll-up's
    // dimensions. The planner cannot estimate its rows (its day filters are on an expression: ~300
    // expected for ~100 k read) and sorted them all for a GroupAggregate, about half the
    // statement; hashing them into their groups halved it (bench:query, 100 k events today). For
    // this statement only (a failure aborts the transaction, which undoes the setting).
    const raw = Object.values(usedPreAggregations).some((u) => readsRawEvents(u.targetTableName));
    if (raw) await conn.query('SET LOCAL enable_sort = off');
    const { rows } = await conn.query({ text: sql, values: p.sql[1], types: { getTypeParser: snapshotDriver.getTypeParser } });
    if (raw) await conn.query('RESET enable_sort');
    return { data: rows, usedPreAggregations };
  }

  async function load(prepared: PreparedQuery, workspaceId: string, conn?: PinnedConnection): Promise<QueryResult> {
    const requestId = randomUUID();
    const total = planner.planTotal(prepared);
    if (conn) {
      const res = await fetchOn(conn, prepared.main, requestId, workspaceId);
      const totalRes = total && (await fetchOn(conn, total, requestId, workspaceId));
      return toResult(model, prepared, res, totalRes);
    }
    const [res, totalRes] = await Promise.all([fetch(prepared.main, requestId, workspaceId), total && fetch(total, requestId, workspaceId)]);
    return toResult(model, prepared, res, totalRes);
  }

  /**
   * Runs `read` with a connection on which every statement sees one snapshot (REPEATABLE READ
   * READ ONLY). A roll-up table built after the snapshot holds no rows visible to it, so it reads
   * as unsealed (lambda.ts) and its raw arm answers: still the same snapshot. A table race aborts
   * the transaction: the whole read runs again in a new one.
   */
  function snapshot<T>(read: (conn: PinnedConnection) => Promise<T>): Promise<T> {
    return untilDone(() =>
      snapshotDriver.withConnection(async (conn) => {
        await snapshotDriver.prepareConnection(conn);
        await conn.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        snapshots.set(conn, { conn, spans: new Map() }); // dirty spans read in this transaction (lambda.ts)
        try {
          const result = await read(conn);
          await conn.query('COMMIT');
          return result;
        } catch (e) {
          await conn.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          snapshots.delete(conn);
        }
      }),
    );
  }

  return {
    untilDone,
    load,
    snapshot,
    close() {
      closed = true;
    },
  };
}

export type Executor = ReturnType<typeof createExecutor>;
