export type {
  CubeQuery, LoadOptions, MemberMeta, QueryReader, QueryResult, SemanticContext, SemanticLayer, SemanticLayerOptions, SemanticLogger, ViewMeta,
} from './types.ts';
export { SemanticError, type SemanticErrorCode } from './errors.ts';
export { createSemanticLayer, DEFAULT_PRE_AGGREGATIONS_SCHEMA } from './layer.ts';
export { loadModel, modelCompileMs, DEFAULT_MODEL_DIR, WORKSPACE_DIMENSION } from './model.ts';
export { QUERY_POLICY, secretProblem } from './policy.ts';
export { rollupFloor } from './lambda.ts';
export {
  BILLS_VIEW, HISTORY_VIEW, RECONCILIATION_VIEW, USAGE_VIEW, type ViewName, billsMember, member, reconciliationMember, usageMember,
} from './members.ts';
export { semanticEnv, semanticOptions } from './settings.ts';
