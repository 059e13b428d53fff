// The semantic layer's settings as environment variables, for the apps' config modules to parse
// with their own (the layer itself reads no environment: it takes SemanticLayerOptions).
import { z } from 'zod';
import { DEFAULT_PRE_AGGREGATIONS_SCHEMA } from './constants.ts';
import type { SemanticLayerOptions } from './types.ts';

/** Fields to add to an app's environment schema (z.object({...}).extend(semanticEnv)). */
export const semanticEnv = {
  /** Time zones the roll-ups are warmed for (comma-separated IANA names); other zones read raw events. */
  SPENDGRAPH_ROLLUP_TIMEZONES: z.string().default('UTC').transform((s) => s.split(',').map((zone) => zone.trim()).filter(Boolean)),
  /** Postgres schema of the roll-up tables. */
  SPENDGRAPH_ROLLUP_SCHEMA: z.string().default(DEFAULT_PRE_AGGREGATIONS_SCHEMA),
  /** Bound on each statement the layer runs (queries and roll-up builds). */
  SPENDGRAPH_QUERY_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** Byte budget of Cube's in-process result cache. */
  SPENDGRAPH_RESULT_CACHE_BYTES: z.coerce.number().int().positive().default(128 * 1024 * 1024),
  /** `1` prints Cube's orchestrator log to stderr. */
  SPENDGRAPH_SEMANTIC_DEBUG: z.string().optional().transform((v) => v === '1'),
};

type SemanticEnv = { [K in keyof typeof semanticEnv]: z.output<(typeof semanticEnv)[K]> };

/** The layer's options from an app's parsed configuration. */
export function semanticOptions(databaseUrl: string, env: SemanticEnv): SemanticLayerOptions {
  return {
    databaseUrl,
    rollupTimezones: env.SPENDGRAPH_ROLLUP_TIMEZONES,
    preAggregationsSchema: env.SPENDGRAPH_ROLLUP_SCHEMA,
    queryTimeoutMs: env.SPENDGRAPH_QUERY_TIMEOUT_MS,
    resultCacheBytes: env.SPENDGRAPH_RESULT_CACHE_BYTES,
    ...(env.SPENDGRAPH_SEMANTIC_DEBUG ? { logger: (msg, params) => process.stderr.write(`[cube] ${msg} ${JSON.stringify(params)}\n`) } : {}),
  };
}
