// Cube's semantic layer, in-process: the YAML model is compiled once per
// process, queries are normalized exactly as Cube's REST API does, planned by
// Cube's JS SQL planner and executed through Cube's QueryOrchestrator (query
// cache, pre-aggregation builds) with Cube's Postgres driver.
// See ../shared/notes/cube-in-process.md (beside the checkout) for why it is done this way.
import { QUERY_POLICY } from './policy.ts';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  gatewayQuery,
  modelRepository,
  nativeStandIn,
  orchestratorModule,
  PostgresDriver,
  schemaCompiler,
  type CubeCompilers,
  type CubeDriver,
  type CubeMetaConfig,
  type CubeMetaMember,
  type CubeOrchestrator,
} from './cube.ts';
import { fromCubeError, SemanticError } from './errors.ts';
import { ByteBoundedCache } from './result-cache.ts';
import { rollupFloor, withLambdaReads } from './lambda.ts';
import { pruneDirtyMarks } from './dirty-marks.ts';
import { scopeQuery, STANDARD_GRANULARITIES, type MemberCatalog, type MemberKind, type PublicMember } from './guard.ts';
import type { CubeQuery, LoadOptions, MemberMeta, QueryResult, SemanticContext, SemanticLayer, SemanticLayerOptions, ViewMeta } from './types.ts';

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../../cube/model', import.meta.url));
export const DEFAULT_PRE_AGGREGATIONS_SCHEMA = 'cube_rollups';
/** The hidden dimension every public view must declare; the caller's workspace is injected on it. */
export const WORKSPACE_DIMENSION = QUERY_POLICY.workspaceDimension;

/** How long a query may wait for Cube's queue (a roll-up being built) before it fails. */
const QUERY_WAIT_MS = 10 * 60_000;
/** Cube's own wait slice: after it, the orchestrator throws "Continue wait" and we ask again. */
const CONTINUE_WAIT_SECONDS = 5;
/** Queries run at once per process (Cube's in-memory queue); the Postgres pool holds up to 8 connections. */
const QUERY_CONCURRENCY = 4;
/** Bound on every statement the layer runs, queries and roll-up builds alike. */
const QUERY_TIMEOUT_MS = Number(process.env.SPENDGRAPH_QUERY_TIMEOUT_MS) || 120_000;
/** Roll-up partitions built at once per process. */
const BUILD_CONCURRENCY = 2;

/**
 * Time zones the warming job builds roll-ups for (SPENDGRAPH_ROLLUP_TIMEZONES,
 * comma-separated IANA names; default UTC). A query in another time zone is
 * still answered correctly: its roll-up is built on first use.
 */
function rollupTimezones(): string[] {
  const list = (process.env.SPENDGRAPH_ROLLUP_TIMEZONES ?? 'UTC').split(',').map((z) => z.trim()).filter(Boolean);
  return list.length ? [...new Set(list)] : ['UTC'];
}

const debug = process.env.SPENDGRAPH_SEMANTIC_DEBUG === '1';
const logger = (msg: string, params: unknown) => {
  if (debug) process.stderr.write(`[cube] ${msg} ${JSON.stringify(params)}\n`);
};

// ---------------------------------------------------------------------------
// The compiled model (once per model directory per process)

interface CompiledModel {
  compilers: CubeCompilers;
  catalog: MemberCatalog;
  views: ViewMeta[];
  /** Public views in Cube's own meta format (for Cube's generated GraphQL schema). */
  cubeMeta: Array<{ config: CubeMetaConfig }>;
  /** Public count measures: a count of no rows is 0, also when a roll-up (a sum of counts) answers. */
  counts: Set<string>;
  compileMs: number;
}

// Sums and counts of disjoint groups add up to the sum or count of their union.
const ADDITIVE_AGG_TYPES = new Set(['sum', 'count']);
const COUNT_AGG_TYPES = new Set(['count', 'countDistinct', 'countDistinctApprox']);

const compiledModels = new Map<string, Promise<CompiledModel>>();

function memberFormat(m: CubeMetaMember): string | undefined {
  if (m.format === undefined || m.format === null) return undefined;
  return typeof m.format === 'string' ? m.format : m.format.type;
}

function toMeta(m: CubeMetaMember, kind: MemberKind): MemberMeta {
  const format = memberFormat(m);
  return {
    name: m.name,
    title: m.title,
    shortTitle: m.shortTitle,
    type: m.type,
    ...(kind === 'measure' ? { additive: ADDITIVE_AGG_TYPES.has(m.aggType ?? '') } : {}),
    ...(kind === 'measure' && m.meta?.allocated === true ? { allocated: true } : {}),
    ...(kind === 'dimension' && m.meta?.fans_out === true ? { fansOut: true } : {}),
    ...(format ? { format } : {}),
    ...(m.description ? { description: m.description } : {}),
    kind,
  };
}

async function compileModel(modelDir: string): Promise<CompiledModel> {
  const started = performance.now();
  const compilers = schemaCompiler.prepareCompiler(modelRepository(modelDir), {
    standalone: true,
    allowNodeRequire: false,
    nativeInstance: nativeStandIn,
  });
  await compilers.compiler.compile(); // throws a CompileError listing every model error

  const catalog: MemberCatalog = { public: new Map(), all: new Set(), workspaceMembers: new Map() };
  const views: ViewMeta[] = [];
  const cubeMeta: CompiledModel['cubeMeta'] = [];
  const counts = new Set<string>();
  for (const { config } of compilers.metaTransformer.cubes) {
    const groups: Array<[CubeMetaMember[], MemberKind]> = [
      [config.measures ?? [], 'measure'],
      [config.dimensions ?? [], 'dimension'],
      [config.segments ?? [], 'segment'],
    ];
    for (const [members] of groups) for (const m of members) catalog.all.add(m.name);
    if (config.type !== 'view' || !config.isVisible) continue;

    const workspaceMember = `${config.name}.${WORKSPACE_DIMENSION}`;
    const ws = config.dimensions.find((d) => d.name === workspaceMember);
    if (!ws || ws.isVisible) {
      throw new Error(
        `View '${config.name}' must declare a dimension '${WORKSPACE_DIMENSION}' with public: false: the semantic layer scopes every query with it`,
      );
    }
    catalog.workspaceMembers.set(config.name, workspaceMember);

    const view: ViewMeta = { name: config.name, title: config.title, measures: [], dimensions: [] };
    for (const [members, kind] of groups) {
      for (const m of members) {
        if (!m.isVisible) continue;
        const granularities = new Set<string>(
          m.type === 'time' ? [...STANDARD_GRANULARITIES, ...(m.granularities ?? []).map((g) => g.name)] : [],
        );
        const member: PublicMember = { name: m.name, kind, type: m.type, granularities };
        catalog.public.set(m.name, member);
        if (kind === 'measure' && COUNT_AGG_TYPES.has(m.aggType ?? '')) counts.add(m.name);
        if (kind === 'measure') view.measures.push(toMeta(m, kind));
        else if (kind === 'dimension') view.dimensions.push(toMeta(m, kind));
      }
    }
    views.push(view);
    cubeMeta.push({ config });
  }
  // cube/cube.js allows the views of cube/security.json: the model's public views must be exactly those.
  const visible = views.map((v) => v.name).sort().join(', ');
  if (modelDir === DEFAULT_MODEL_DIR && visible !== [...QUERY_POLICY.publicViews].sort().join(', ')) {
    throw new Error(`The model's public views (${visible}) differ from publicViews in cube/security.json: update it, cube/cube.js reads it`);
  }
  return { compilers, catalog, views, cubeMeta, counts, compileMs: performance.now() - started };
}

/** Compiles the model in `modelDir` once per process; later calls share it. */
export function loadModel(modelDir: string = DEFAULT_MODEL_DIR): Promise<CompiledModel> {
  let model = compiledModels.get(modelDir);
  if (!model) {
    model = compileModel(modelDir);
    compiledModels.set(modelDir, model);
    model.catch(() => compiledModels.delete(modelDir));
  }
  return model;
}

// ---------------------------------------------------------------------------
// Planning

interface Plan {
  sql: [string, unknown[]];
  aliasNameToMember: Record<string, string>;
  preAggregations: any[];
  cacheKeyQueries: unknown;
  dataSource: string;
  external: boolean;
  /** Raw events only, and no cached result. */
  fresh: boolean;
}

function mapCubeError(e: unknown): unknown {
  return fromCubeError(e) ?? e;
}

/** Normalizes a (scoped) REST query exactly as Cube's API gateway does. */
function normalize(query: Record<string, unknown>, unlimited = false): any {
  try {
    // `persistent` is Cube's flag for stream queries: it lifts the row limit.
    const normalized = gatewayQuery.remapToQueryAdapterFormat(gatewayQuery.normalizeQuery(structuredClone(query), unlimited));
    if (unlimited) normalized.rowLimit = null; // no LIMIT clause at all
    return normalized;
  } catch (e) {
    // normalizeQuery only validates and resolves the query: whatever it throws is the query's fault
    throw fromCubeError(e) ?? new SemanticError('INVALID_QUERY', e instanceof Error ? e.message : String(e));
  }
}

function totalQueryOf(normalized: any): any {
  const total = structuredClone(normalized);
  total.totalQuery = true;
  delete total.order;
  total.limit = null;
  total.rowLimit = null;
  total.offset = null;
  return total;
}

function plan(model: CompiledModel, normalized: any, preAggregationsSchema: string, fresh = false): Plan {
  try {
    const { compilers } = model;
    const query = schemaCompiler.createQuery(compilers, 'postgres', {
      ...normalized,
      useNativeSqlPlanner: false,
      // Cube caches a query's SQL by its options: a fresh plan names a schema of its own (it
      // reads none) so that it never shares the entry of the same query read from roll-ups.
      preAggregationsSchema: fresh ? `${preAggregationsSchema}_fresh` : preAggregationsSchema,
      allowUngroupedWithoutPrimaryKey: true,
    });
    // Cube has no per-query switch to skip roll-ups (its lambda roll-ups, which add fresh rows,
    // need Cube Store): a fresh query tells its planner that no roll-up matches.
    if (fresh) query.preAggregations.findPreAggregationForQuery = () => undefined;
    return compilers.compiler.withQuery(query, () => ({
      sql: query.buildSqlAndParams(),
      aliasNameToMember: query.aliasNameToMember,
      preAggregations: query.preAggregations.preAggregationsDescription(),
      cacheKeyQueries: query.cacheKeyQueries(),
      dataSource: query.dataSource ?? 'default',
      external: query.externalPreAggregationQuery(),
      fresh,
    }));
  } catch (e) {
    throw mapCubeError(e);
  }
}

// ---------------------------------------------------------------------------
// Execution

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    /relation "[^"]+" already exists/.test(message) || // queries create nothing but roll-up tables
    /Pre-aggregation table is not found/.test(message)
  );
}

type Row = Record<string, string | number | boolean | null>;

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
      const v = value instanceof Date ? value.toISOString() : (value as Row[string]);
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

/**
 * Roll-ups are built by the warming job (a queued job, off every request) for the configured time
 * zones only: a query in another zone reads raw events rather than building a zone's roll-ups
 * for everyone inside one request.
 */
function warmedZone(timezone: string | undefined) {
  return rollupTimezones().includes(timezone ?? 'UTC');
}

/** Results in Cube's in-process cache are held within a byte budget (result-cache.ts). */
function boundResultCache(orchestrator: CubeOrchestrator) {
  const cache = orchestrator.getQueryCache() as unknown as { cacheDriver: ConstructorParameters<typeof ByteBoundedCache>[0] };
  cache.cacheDriver = new ByteBoundedCache(cache.cacheDriver);
}

// ---------------------------------------------------------------------------

export async function createSemanticLayer(opts: SemanticLayerOptions): Promise<SemanticLayer> {
  if (!opts?.databaseUrl) throw new Error('createSemanticLayer: databaseUrl is required');
  const modelDir = opts.modelDir ?? DEFAULT_MODEL_DIR;
  const preAggregationsSchema = opts.preAggregationsSchema ?? process.env.SPENDGRAPH_ROLLUP_SCHEMA ?? DEFAULT_PRE_AGGREGATIONS_SCHEMA;
  if (!/^[a-z_][a-z0-9_]*$/.test(preAggregationsSchema)) {
    throw new Error(`preAggregationsSchema must be a plain lower-case identifier, got '${preAggregationsSchema}'`);
  }
  const model = await loadModel(modelDir);

  const driver: CubeDriver = new PostgresDriver({
    connectionString: opts.databaseUrl,
    application_name: 'spendgraph-semantic',
    // A lambda read plans a raw arm per partition that usually never runs (the partition is
    // sealed); JIT would compile them all, costing more than the query (seconds under load).
    options: '-c jit=off',
    // Roll-ups are stored in the source database (external: false), built with CREATE TABLE AS.
    readOnly: false,
    // statement_timeout of every query and roll-up build (seconds); SPENDGRAPH_QUERY_TIMEOUT_MS overrides.
    executionTimeout: QUERY_TIMEOUT_MS / 1000,
    // pg client options (passed through): a socket gone silent fails the call instead of hanging it.
    query_timeout: QUERY_TIMEOUT_MS + 5_000,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  const orchestrator: CubeOrchestrator = new orchestratorModule.QueryOrchestrator(
    `spendgraph_${randomUUID()}`,
    async () => driver,
    logger,
    {
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
    },
  );
  boundResultCache(orchestrator);
  let closed = false;

  // Roll-up tables another process dropped (Cube drops a partition's old versions after a rebuild) stay in this
  // process's table list until it expires (preAggregationsSchemaCacheExpire), and the worker may be
  // rebuilding a partition this process also tries to build: a query caught in that window fails on
  // a missing or duplicate relation. It is retried once, after the list has expired.
  async function retryOnDroppedRollup<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      if (!/relation "[^"]*" (does not exist|already exists)|pg_type_typname_nsp_index/.test(message)) throw err;
      await new Promise((r) => setTimeout(r, 6_000));
      return run();
    }
  }

  // Cube creates the roll-up schema with CREATE SCHEMA IF NOT EXISTS before
  // each first build, which races when partitions build concurrently (PG
  // raises a unique violation). Create it once up front; a concurrent creator
  // elsewhere is fine, and a missing privilege only matters to roll-ups.
  let schemaReady: Promise<void> | undefined;
  function ensureSchema(): Promise<void> {
    schemaReady ??= driver
      .query(`CREATE SCHEMA IF NOT EXISTS "${preAggregationsSchema}"`)
      .then(
        () => undefined,
        (e: { code?: string }) => {
          if (e?.code !== '23505' && e?.code !== '42P06') logger('Creating the pre-aggregations schema failed', { error: String(e) });
        },
      );
    return schemaReady;
  }

  async function forgetRollupTables() {
    try {
      const cache = orchestrator.getQueryCache();
      await cache.getCacheDriver().remove(cache.getKey('SQL_PRE_AGGREGATIONS_TABLES', `default${preAggregationsSchema}`));
    } catch (e) {
      logger('Forgetting the roll-up tables failed', { error: String(e) }); // the list still expires after 5 s
    }
  }

  /** Forgets cached refresh keys (and results), so a warming run sees every partition written to since the last one. */
  async function forgetRefreshKeys() {
    const cache = orchestrator.getQueryCache();
    const store = cache.getCacheDriver();
    for (const key of await store.keysStartingWith(cache.getKey('SQL_QUERY_RESULT', ''))) await store.remove(key);
  }

  /** Runs an orchestrator call, asking again while Cube answers "Continue wait" (a build in progress). */
  async function untilDone<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + QUERY_WAIT_MS;
    let missingTableRetries = 0;
    for (;;) {
      if (closed) throw new Error('the semantic layer is closed');
      try {
        return await fn();
      } catch (e) {
        if (isContinueWait(e) && Date.now() < deadline) {
          await sleep(50); // Cube already waited continueWaitTimeout inside the call
          continue;
        }
        if (isRollupTableRace(e, preAggregationsSchema) && missingTableRetries++ < 3) {
          // Forget the table list (Cube's key in its cache) so the next attempt reads the current tables.
          await forgetRollupTables();
          await sleep(missingTableRetries === 1 ? 100 : 3000); // the list expires after 5 s anyway
          continue;
        }
        if (isContinueWait(e)) throw new Error(`query still waiting for a pre-aggregation build after ${QUERY_WAIT_MS / 1000} s`);
        throw e;
      }
    }
  }

  async function execute(p: Plan, normalized: any, requestId: string, workspaceId: string): Promise<any> {
    if (p.preAggregations.length) await ensureSchema();
    return untilDone(() =>
      withLambdaReads(workspaceId, () => orchestrator.fetchQuery({
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
      })),
    );
  }

  /**
   * Roll-ups cover ROLLUP_HISTORY (cube/model): a query that reaches further back reads raw
   * events. Without a date range, that depends on whether the workspace has such old events.
   */
  async function beyondRollups(normalized: any, workspaceId: string): Promise<boolean> {
    const floor = rollupFloor();
    const ranges = (normalized.timeDimensions ?? []).map((td: any) => td.dateRange).filter(Boolean) as string[][];
    if (ranges.length) return ranges.some(([from]) => !(Date.parse(`${String(from).slice(0, 23)}Z`) >= floor.getTime() + 86_400_000));
    const rows = await driver.query('SELECT EXISTS (SELECT 1 FROM usage_events WHERE workspace_id = $1 AND occurred_at < $2) AS old', [workspaceId, floor.toISOString()]);
    return Boolean(rows[0]?.old);
  }

  async function prepare(query: CubeQuery, ctx: SemanticContext, options: LoadOptions = {}) {
    const scoped = scopeQuery(query, ctx?.workspaceId, model.catalog);
    const normalized = normalize(scoped, options.unlimited);
    // A zone the warming job does not build for reads raw events: no roll-up is built inside a request.
    let main = plan(model, normalized, preAggregationsSchema, options.fresh || !warmedZone(normalized.timezone));
    const fresh = main.fresh || (main.preAggregations.length > 0 && (await beyondRollups(normalized, ctx.workspaceId)));
    if (fresh && !main.fresh) main = plan(model, normalized, preAggregationsSchema, true);
    return { normalized, main, fresh };
  }

  return {
    async load(query, ctx, options) {
      if (options?.unlimited) throw new Error('load() holds its rows in memory: stream an unlimited query from sql()');
      const { normalized, main, fresh } = await prepare(query, ctx, options);
      const requestId = randomUUID();
      const totalPromise = normalized.total
        ? (async () => {
            const totalNormalized = totalQueryOf(normalized);
            return execute(plan(model, totalNormalized, preAggregationsSchema, fresh), totalNormalized, requestId, ctx.workspaceId);
          })()
        : undefined;
      const [res, totalRes] = await Promise.all([retryOnDroppedRollup(() => execute(main, normalized, requestId, ctx.workspaceId)), totalPromise]);
      const used = new Set<string>();
      for (const pa of Object.values((res.usedPreAggregations ?? {}) as Record<string, { preAggregationId?: string }>)) {
        if (pa.preAggregationId) used.add(pa.preAggregationId);
      }
      const result: QueryResult = {
        data: toRows(res.data ?? [], main.aliasNameToMember, normalized, model.counts),
        usedPreAggregations: [...used].sort(),
      };
      if (totalRes) result.total = Number(totalRes.data?.[0]?.total_count ?? 0);
      return result;
    },

    async sql(query, ctx, options) {
      const { main } = await prepare(query, ctx, options);
      return { sql: main.sql[0], params: main.sql[1], aliasNameToMember: main.aliasNameToMember };
    },

    meta() {
      return { views: structuredClone(model.views) };
    },

    cubeMeta() {
      return structuredClone(model.cubeMeta);
    },

    async warmPreAggregations() {
      // What Cube's refresh worker does (RefreshScheduler): plan each roll-up,
      // expand it into partitions, then build each missing partition and rebuild
      // each one whose refresh key changed, waiting for the builds (must-revalidate).
      await ensureSchema();
      await forgetRefreshKeys();
      const requestId = `warm-${randomUUID()}`;
      const built: string[] = [];
      const loadCache = {};
      for (const timezone of rollupTimezones()) {
        for (const info of model.compilers.cubeEvaluator.preAggregations()) {
          if (info.preAggregation.type !== 'rollup') continue;
          const base = plan(
            model,
            { ...info.references, timezone, preAggregationId: info.id, contextSymbols: { securityContext: {} } },
            preAggregationsSchema,
          );
          if (!base.preAggregations.some((d) => d.preAggregationId === info.id)) continue;
          const expanded = await untilDone(() =>
            orchestrator.expandPartitionsInPreAggregations({
              preAggregations: base.preAggregations,
              preAggregationsLoadCacheByDataSource: loadCache,
              requestId,
              compilerCacheFn: (_key: unknown, fn: () => unknown) => fn(),
            }),
          );
          const groups: any[][] = expanded.groupedPartitionPreAggregations ?? [];
          const dependencies = groups.slice(0, -1).flat();
          // All partitions at once: Cube's build queue runs BUILD_CONCURRENCY of them at a time.
          const results = await Promise.all(
            (groups[groups.length - 1] ?? []).map((partition) =>
              untilDone(() =>
                orchestrator.fetchQuery({
                  preAggregations: [...dependencies, partition],
                  preAggregationsLoadCacheByDataSource: loadCache,
                  cacheMode: 'must-revalidate',
                  renewQuery: true,
                  continueWait: true,
                  requestId,
                  timezone: partition.timezone,
                }),
              ),
            ),
          );
          for (const res of results) {
            for (const used of Object.values((res?.usedPreAggregations ?? {}) as Record<string, { targetTableName?: string }>)) {
              if (used.targetTableName) built.push(used.targetTableName);
            }
          }
        }
      }
      const rollups = model.compilers.cubeEvaluator
        .preAggregations()
        .map((info) => ({ prefix: `${info.cube}_${info.preAggregationName}`.toLowerCase(), cube: info.cube }));
      const pruned = await pruneDirtyMarks(driver, preAggregationsSchema, rollups);
      return { built: [...new Set(built)].sort(), prunedDirtyMarks: pruned };
    },

    async close() {
      if (closed) return;
      closed = true;
      await orchestrator.cleanup().catch(() => {});
      await driver.release();
    },
  };
}

/** Timing of the model compilation (for logs and benchmarks). */
export async function modelCompileMs(modelDir: string = DEFAULT_MODEL_DIR): Promise<number> {
  return (await loadModel(modelDir)).compileMs;
}
