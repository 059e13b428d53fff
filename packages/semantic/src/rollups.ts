// Roll-up management: the schema the partitions live in, the per-process list of partition tables
// Cube caches, and the warming job (build what is missing, rebuild what was written to, prune the
// dirty marks every table has seen; docs/decisions/0001-read-path.md).
import { randomUUID } from 'node:crypto';
import type { CubeDriver, CubeOrchestrator } from './cube.ts';
import { pruneDirtyMarks } from './dirty-marks.ts';
import { plan } from './planning.ts';
import type { CompiledModel } from './model.ts';
import type { SemanticLogger } from './types.ts';

/**
 * Cube creates the roll-up schema with CREATE SCHEMA IF NOT EXISTS before each first build, which
 * races when partitions build concurrently (PG raises a unique violation). The returned function
 * creates it once up front; a concurrent creator elsewhere is fine, and a missing privilege only
 * matters to roll-ups.
 */
export function schemaCreator(driver: CubeDriver, schema: string, logger: SemanticLogger): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= driver.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).then(
      () => undefined,
      (e: { code?: string }) => {
        if (e?.code !== '23505' && e?.code !== '42P06') logger('Creating the pre-aggregations schema failed', { error: String(e) });
      },
    );
    return ready;
  };
}

/** Forgets this process's cached list of roll-up tables, so the next query reads the current tables. */
export async function forgetRollupTables(orchestrator: CubeOrchestrator, schema: string, logger: SemanticLogger) {
  try {
    const cache = orchestrator.getQueryCache();
    await cache.getCacheDriver().remove(cache.getKey('SQL_PRE_AGGREGATIONS_TABLES', `default${schema}`));
  } catch (e) {
    logger('Forgetting the roll-up tables failed', { error: String(e) }); // the list still expires after 5 s
  }
}

/** Forgets cached refresh keys (and results), so a warming run sees every partition written to since the last one. */
async function forgetRefreshKeys(orchestrator: CubeOrchestrator) {
  const cache = orchestrator.getQueryCache();
  const store = cache.getCacheDriver();
  for (const key of await store.keysStartingWith(cache.getKey('SQL_QUERY_RESULT', ''))) await store.remove(key);
}

export interface WarmingDeps {
  model: CompiledModel;
  orchestrator: CubeOrchestrator;
  driver: CubeDriver;
  preAggregationsSchema: string;
  rollupTimezones: string[];
  ensureSchema: () => Promise<void>;
  /** The execution's retry loop (execution.ts). */
  untilDone: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Builds (must-revalidate) every partition of one roll-up in one zone; returns the tables built or kept. */
async function warmRollup(deps: WarmingDeps, info: any, timezone: string, requestId: string, loadCache: object): Promise<string[]> {
  const { model, orchestrator, preAggregationsSchema, untilDone } = deps;
  const base = plan(model, { ...info.references, timezone, preAggregationId: info.id, contextSymbols: { securityContext: {} } }, preAggregationsSchema);
  if (!base.preAggregations.some((d) => d.preAggregationId === info.id)) return [];
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
  return results.flatMap((res) =>
    Object.values((res?.usedPreAggregations ?? {}) as Record<string, { targetTableName?: string }>).flatMap((used) => (used.targetTableName ? [used.targetTableName] : [])),
  );
}

/**
 * What Cube's refresh worker does (RefreshScheduler): plan each roll-up, expand it into
 * partitions, then build each missing partition and rebuild each one whose refresh key changed,
 * waiting for the builds; then prune the dirty marks every table has seen.
 */
export async function warmRollups(deps: WarmingDeps): Promise<{ built: string[]; prunedDirtyMarks: number }> {
  const { model, orchestrator, driver, preAggregationsSchema, rollupTimezones } = deps;
  await deps.ensureSchema();
  await forgetRefreshKeys(orchestrator);
  const requestId = `warm-${randomUUID()}`;
  const built: string[] = [];
  const loadCache = {};
  const rollups = model.compilers.cubeEvaluator.preAggregations().filter((info) => info.preAggregation.type === 'rollup');
  for (const timezone of rollupTimezones) {
    for (const info of rollups) built.push(...(await warmRollup(deps, info, timezone, requestId, loadCache)));
  }
  const prefixes = model.compilers.cubeEvaluator
    .preAggregations()
    .map((info) => ({ prefix: `${info.cube}_${info.preAggregationName}`.toLowerCase(), cube: info.cube }));
  const pruned = await pruneDirtyMarks(driver, prefixes);
  return { built: [...new Set(built)].sort(), prunedDirtyMarks: pruned };
}
