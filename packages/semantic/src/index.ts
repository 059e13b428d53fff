// The package's entry: names, settings and types load nothing heavy; Cube (about 250 MB of
// RSS once a model is compiled) is imported by the first createSemanticLayer/loadModel call,
// so a process or path that never queries (an ingest worker, a config parser) never pays for it;
// lazySemanticLayer defers it further, to the first query of a process that may query.
import type { CompiledModel } from './model.ts';
import type { SemanticLayer, SemanticLayerOptions } from './types.ts';

export type {
  CubeQuery, LoadOptions, MemberMeta, QueryReader, QueryResult, SemanticContext, SemanticLayer, SemanticLayerOptions, SemanticLogger, ViewMeta,
} from './types.ts';
export { SemanticError, type SemanticErrorCode } from './errors.ts';
export { DEFAULT_MODEL_DIR, DEFAULT_PRE_AGGREGATIONS_SCHEMA, WORKSPACE_DIMENSION } from './constants.ts';
export { QUERY_POLICY, secretProblem } from './policy.ts';
export { rollupFloor } from './lambda.ts';
export { filtersName, keepsOneValue } from './filter-members.ts';
export {
  BILLS_VIEW, HISTORY_VIEW, RECONCILIATION_VIEW, USAGE_VIEW, type ViewName, billsMember, member, reconciliationMember, usageMember,
} from './members.ts';
export { semanticEnv, semanticOptions } from './settings.ts';
export { type LazySemanticLayer, lazySemanticLayer } from './lazy-layer.ts';

export async function createSemanticLayer(opts: SemanticLayerOptions): Promise<SemanticLayer> {
  return (await import('./layer.ts')).createSemanticLayer(opts);
}

/** Compiles the model in `modelDir` once per process; later calls share it. */
export async function loadModel(modelDir?: string): Promise<CompiledModel> {
  return (await import('./model.ts')).loadModel(modelDir);
}

/** Timing of the model compilation (for logs and benchmarks). */
export async function modelCompileMs(modelDir?: string): Promise<number> {
  return (await import('./model.ts')).modelCompileMs(modelDir);
}
