export type { CubeQuery, LoadOptions, MemberMeta, QueryResult, SemanticContext, SemanticLayer, SemanticLayerOptions, ViewMeta } from './types.ts';
export { SemanticError, type SemanticErrorCode } from './errors.ts';
export { createSemanticLayer, loadModel, modelCompileMs, DEFAULT_MODEL_DIR, DEFAULT_PRE_AGGREGATIONS_SCHEMA, WORKSPACE_DIMENSION } from './layer.ts';
export { QUERY_POLICY, secretProblem } from './policy.ts';
export { rollupFloor } from './lambda.ts';
export { HISTORY_VIEW, USAGE_VIEW, type ViewName, member, usageMember } from './members.ts';
