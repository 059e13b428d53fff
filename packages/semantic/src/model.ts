// The compiled model and its catalog: the YAML model is compiled once per model directory per
// process; the catalog lists the members a query may name (access.ts) and the public views.
import { DEFAULT_MODEL_DIR, WORKSPACE_DIMENSION } from './constants.ts';
import { QUERY_POLICY } from './policy.ts';
import { modelRepository, nativeStandIn, schemaCompiler, type CubeCompilers, type CubeMetaConfig, type CubeMetaMember } from './cube.ts';
import { STANDARD_GRANULARITIES, type MemberCatalog, type MemberKind, type PublicMember } from './access.ts';
import type { MemberMeta, ViewMeta } from './types.ts';

export { DEFAULT_MODEL_DIR, WORKSPACE_DIMENSION };

export interface CompiledModel {
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

function memberGroups(config: CubeMetaConfig): Array<[CubeMetaMember[], MemberKind]> {
  return [
    [config.measures ?? [], 'measure'],
    [config.dimensions ?? [], 'dimension'],
    [config.segments ?? [], 'segment'],
  ];
}

/** The hidden workspace member of a public view, which every query on it is scoped by. */
function workspaceMemberOf(config: CubeMetaConfig): string {
  const workspaceMember = `${config.name}.${WORKSPACE_DIMENSION}`;
  const ws = config.dimensions.find((d) => d.name === workspaceMember);
  if (!ws || ws.isVisible) {
    throw new Error(
      `View '${config.name}' must declare a dimension '${WORKSPACE_DIMENSION}' with public: false: the semantic layer scopes every query with it`,
    );
  }
  return workspaceMember;
}

/** Adds a public view's visible members to the catalog and returns its description. */
function catalogView(config: CubeMetaConfig, catalog: MemberCatalog, counts: Set<string>): ViewMeta {
  catalog.workspaceMembers.set(config.name, workspaceMemberOf(config));
  const view: ViewMeta = { name: config.name, title: config.title, measures: [], dimensions: [] };
  for (const [members, kind] of memberGroups(config)) {
    for (const m of members) {
      // meta internal: in a view for the semantic layer's own use (whole-calls.ts), never named by a query.
      if (!m.isVisible || m.meta?.internal === true) continue;
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
  return view;
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
    for (const [members] of memberGroups(config)) for (const m of members) catalog.all.add(m.name);
    if (config.type !== 'view' || !config.isVisible) continue;
    views.push(catalogView(config, catalog, counts));
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

/** Timing of the model compilation (for logs and benchmarks). */
export async function modelCompileMs(modelDir: string = DEFAULT_MODEL_DIR): Promise<number> {
  return (await loadModel(modelDir)).compileMs;
}
