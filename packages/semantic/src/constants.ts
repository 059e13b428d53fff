// The layer's fixed names, apart from the modules that load Cube (so that reading them costs nothing).
import { fileURLToPath } from 'node:url';
import { QUERY_POLICY } from './policy.ts';

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../../cube/model', import.meta.url));
/** The hidden dimension every public view must declare; the caller's workspace is injected on it. */
export const WORKSPACE_DIMENSION = QUERY_POLICY.workspaceDimension;
export const DEFAULT_PRE_AGGREGATIONS_SCHEMA = 'cube_rollups';
