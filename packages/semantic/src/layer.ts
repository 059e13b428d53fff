// Cube's semantic layer, in-process: the compiled model (model.ts), query planning
// (planning.ts), execution with its one retry loop (execution.ts) and roll-up management
// (rollups.ts), put together from options. See docs/decisions/0001-read-path.md and
// ../shared/notes/cube-in-process.md (beside the checkout) for why it is done this way.
import { createDriver, createExecutor, createOrchestrator, SNAPSHOT_CONNECTIONS } from './execution.ts';
import { DEFAULT_PRE_AGGREGATIONS_SCHEMA } from './constants.ts';
import { DEFAULT_MODEL_DIR, loadModel } from './model.ts';
import { createPlanner } from './planning.ts';
import { RESULT_CACHE_BYTES } from './result-cache.ts';
import { ReplicaWatch } from './replica.ts';
import { schemaCreator, warmRollups } from './rollups.ts';
import type { QueryReader, SemanticLayer, SemanticLayerOptions, SemanticLogger } from './types.ts';

const DEFAULT_QUERY_TIMEOUT_MS = 120_000;
const silent: SemanticLogger = () => {};

function settings(opts: SemanticLayerOptions) {
  if (!opts?.databaseUrl) throw new Error('createSemanticLayer: databaseUrl is required');
  const preAggregationsSchema = opts.preAggregationsSchema ?? DEFAULT_PRE_AGGREGATIONS_SCHEMA;
  if (!/^[a-z_][a-z0-9_]*$/.test(preAggregationsSchema)) {
    throw new Error(`preAggregationsSchema must be a plain lower-case identifier, got '${preAggregationsSchema}'`);
  }
  const zones = [...new Set((opts.rollupTimezones ?? []).map((z) => z.trim()).filter(Boolean))];
  return {
    databaseUrl: opts.databaseUrl,
    readUrl: opts.readUrl || undefined,
    modelDir: opts.modelDir ?? DEFAULT_MODEL_DIR,
    preAggregationsSchema,
    rollupTimezones: zones.length ? zones : ['UTC'],
    queryTimeoutMs: opts.queryTimeoutMs || DEFAULT_QUERY_TIMEOUT_MS,
    resultCacheBytes: opts.resultCacheBytes || RESULT_CACHE_BYTES,
    logger: opts.logger ?? silent,
  };
}

export async function createSemanticLayer(opts: SemanticLayerOptions): Promise<SemanticLayer> {
  const { databaseUrl, readUrl, modelDir, preAggregationsSchema, rollupTimezones, queryTimeoutMs, resultCacheBytes, logger } = settings(opts);
  const model = await loadModel(modelDir);
  const driver = createDriver(databaseUrl, queryTimeoutMs);
  // Snapshot reads run on the replica when there is one; roll-ups are built on the primary.
  const snapshotDriver = createDriver(readUrl ?? databaseUrl, queryTimeoutMs, SNAPSHOT_CONNECTIONS);
  const replica = readUrl ? new ReplicaWatch(driver, snapshotDriver) : undefined;
  const orchestrator = createOrchestrator(driver, logger, resultCacheBytes);
  const ensureSchema = schemaCreator(driver, preAggregationsSchema, logger);
  const planner = createPlanner({ model, preAggregationsSchema, rollupTimezones, driver });
  const executor = createExecutor({
    model, planner, driver, snapshotDriver, orchestrator, preAggregationsSchema, ensureSchema, logger,
    // A roll-up table the primary just built may not have reached the replica yet.
    ...(replica ? { beforeTableRetry: () => replica.catchUp().then(() => {}) } : {}),
  });
  let closed = false;

  return {
    async load(query, ctx, options) {
      if (options?.unlimited) throw new Error('load() holds its rows in memory: stream an unlimited query from sql()');
      const prepared = await planner.prepare(query, ctx, options);
      // With a replica every query reads there, on a snapshot of its own (the orchestrator's one
      // statement would run on the primary). A roll-up read takes a snapshot too: its partitions'
      // dirty spans are read first and planned as constants (lambda.ts), far cheaper to plan.
      if (replica || prepared.main.preAggregations.length) return executor.snapshot((conn) => executor.load(prepared, ctx.workspaceId, conn));
      return executor.load(prepared, ctx.workspaceId);
    },

    snapshot(read) {
      return executor.snapshot((conn) => {
        const reader: QueryReader = {
          async load(query, ctx, options) {
            if (options?.unlimited) throw new Error('load() holds its rows in memory: stream an unlimited query from sql()');
            return executor.load(await planner.prepare(query, ctx, options), ctx.workspaceId, conn);
          },
        };
        return read(reader);
      });
    },

    async sql(query, ctx, options) {
      const { main } = await planner.prepare(query, ctx, options);
      return { sql: main.sql[0], params: main.sql[1], aliasNameToMember: main.aliasNameToMember };
    },

    meta() {
      return { views: structuredClone(model.views) };
    },

    cubeMeta() {
      return structuredClone(model.cubeMeta);
    },

    warmPreAggregations() {
      return warmRollups({ model, orchestrator, driver, preAggregationsSchema, rollupTimezones, ensureSchema, untilDone: executor.untilDone });
    },

    readLag() {
      return replica ? replica.lag() : Promise.resolve(undefined);
    },

    async close() {
      if (closed) return;
      closed = true;
      executor.close();
      await orchestrator.cleanup().catch(() => {});
      await Promise.all([driver.release(), snapshotDriver.release()]);
    },
  };
}
