// The tenant boundary of every query: only public members, and always the caller's workspace.
// Cube's own row-level security and queryRewrite live in server-core / the API
// gateway, which we do not run, so this wrapper owns both checks.
import { SemanticError } from './errors.ts';
import { QUERY_POLICY } from './policy.ts';
import type { CubeQuery, SemanticContext } from './types.ts';

export type MemberKind = 'measure' | 'dimension' | 'segment';

export interface PublicMember {
  name: string;
  kind: MemberKind;
  type: string;
  granularities: Set<string>;
}

export interface MemberCatalog {
  /** Members of public views that are visible (the only ones a query may name). */
  public: Map<string, PublicMember>;
  /** Every member of every cube and view, visible or not. */
  all: Set<string>;
  /** Per public view, the hidden member the workspace filter is applied to. */
  workspaceMembers: Map<string, string>;
}

export const STANDARD_GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

// Query keys, filter keys and Cube's filter operators: the list cube/cube.js enforces too (policy.ts).
const { queryKeys: QUERY_KEYS, filterKeys: FILTER_KEYS, operators: OPERATORS, timeDimensionKeys: TIME_DIMENSION_KEYS } = QUERY_POLICY;
const NO_VALUE_OPERATORS = new Set(['set', 'notSet', 'measureFilter']);
/** Operators whose values are compared with the member's own type. */
const VALUE_OPERATORS = new Set(['equals', 'notEquals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte']);
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(message: string, member?: string): never {
  throw new SemanticError('INVALID_QUERY', message, member);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves a member name to a public member, or throws naming it. */
function publicMember(catalog: MemberCatalog, name: unknown, where: string, views?: Set<string>): PublicMember {
  if (typeof name !== 'string') invalid(`${where}: expected a member name, got ${JSON.stringify(name)}`);
  const m = catalog.public.get(name);
  if (m) {
    views?.add(name.slice(0, name.indexOf('.')));
    return m;
  }
  if (catalog.all.has(name)) throw new SemanticError('NOT_PUBLIC', `Member '${name}' is not public`, name);
  throw new SemanticError('UNKNOWN_MEMBER', `Unknown member '${name}'`, name);
}

function checkGranularity(m: PublicMember, granularity: unknown, where: string) {
  if (typeof granularity !== 'string' || !m.granularities.has(granularity)) {
    invalid(`${where}: unknown granularity ${JSON.stringify(granularity)} for '${m.name}' (one of ${[...m.granularities].join(', ')})`, m.name);
  }
}

function checkFilters(catalog: MemberCatalog, filters: unknown, path: string, views: Set<string>): void {
  if (!Array.isArray(filters)) invalid(`${path} must be an array`);
  filters.forEach((f, i) => {
    const where = `${path}[${i}]`;
    if (!isRecord(f)) invalid(`${where} must be an object`);
    if ('or' in f || 'and' in f) {
      const keys = Object.keys(f);
      if (keys.length !== 1) invalid(`${where} must have exactly one of 'or' / 'and'`);
      const key = keys[0] as 'or' | 'and';
      checkFilters(catalog, f[key], `${where}.${key}`, views);
      return;
    }
    for (const k of Object.keys(f)) if (!FILTER_KEYS.has(k)) invalid(`${where}: unknown key '${k}'`);
    if ('member' in f === 'dimension' in f) invalid(`${where} must name exactly one 'member'`);
    const m = publicMember(catalog, f.member ?? f.dimension, where, views);
    if (m.kind === 'segment') invalid(`${where}: '${m.name}' is a segment; list it in segments`, m.name);
    if (typeof f.operator !== 'string' || !OPERATORS.has(f.operator)) {
      invalid(`${where}: unknown operator ${JSON.stringify(f.operator)} for '${m.name}'`, m.name);
    }
    if (f.values !== undefined) {
      if (!Array.isArray(f.values) || !f.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        invalid(`${where}: values of '${m.name}' must be an array of strings`, m.name);
      }
    }
    if (!NO_VALUE_OPERATORS.has(f.operator) && !(Array.isArray(f.values) && f.values.length > 0)) {
      invalid(`${where}: operator '${f.operator}' on '${m.name}' needs values`, m.name);
    }
    // Values reach Postgres as parameters: reject the ones it would refuse, with the member at fault.
    const values = (f.values ?? []) as unknown[];
    if (m.type === 'number' && VALUE_OPERATORS.has(f.operator) && !values.every((v) => v === null || NUMBER.test(String(v)))) {
      invalid(`${where}: '${m.name}' is a number; got ${JSON.stringify(values)}`, m.name);
    }
    if (m.type === 'boolean' && !values.every((v) => v === null || v === true || v === false || v === 'true' || v === 'false')) {
      invalid(`${where}: '${m.name}' is a boolean; use 'true' or 'false'`, m.name);
    }
  });
}

/**
 * The conditions every query of `ctx` carries, per view it names: the workspace, then each
 * value a restricted key is confined to (ApiKeyIdentity.restriction). A view without one of the
 * restricted dimensions cannot honour the restriction: the query is refused, never widened.
 */
function scopeFilters(views: Set<string>, ctx: SemanticContext, catalog: MemberCatalog) {
  return [...views].sort().flatMap((view) => {
    const member = catalog.workspaceMembers.get(view);
    if (!member) throw new Error(`view '${view}' has no workspace dimension`); // excluded when the model is compiled
    const restricted = Object.entries(ctx.restriction ?? {}).map(([dimension, value]) => {
      const name = `${view}.${dimension}`;
      if (!catalog.all.has(name)) throw new SemanticError('RESTRICTED', `this key is restricted to ${dimension} = ${value}, which '${view}' cannot filter on`, name);
      return { member: name, operator: 'equals', values: [value] };
    });
    return [{ member, operator: 'equals', values: [ctx.workspaceId] }, ...restricted];
  });
}

/**
 * Validates a query against the public members and returns a copy for Cube
 * with the workspace filter (and a restricted key's values) added. Throws SemanticError naming
 * the member at fault. The scope conditions are separate top-level filters (filters are
 * ANDed), so no `or` written by the caller can widen them. Every view named by
 * the query gets its own conditions.
 */
export function scopeToWorkspace(query: CubeQuery, ctx: SemanticContext, catalog: MemberCatalog): Record<string, unknown> {
  const workspaceId = ctx?.workspaceId;
  if (typeof workspaceId !== 'string' || !UUID.test(workspaceId)) {
    invalid('the workspace id of the request context must be a UUID');
  }
  if (!isRecord(query)) invalid('the query must be an object');
  for (const k of Object.keys(query)) if (!QUERY_KEYS.has(k)) invalid(`unknown query key '${k}'`);

  const q = structuredClone(query) as Record<string, unknown>;

  const list = (key: string): unknown[] => {
    const v = q[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) invalid(`${key} must be an array`);
    return v;
  };

  const selected = new Set<string>();
  const views = new Set<string>();
  for (const [i, name] of list('measures').entries()) {
    const m = publicMember(catalog, name, `measures[${i}]`, views);
    if (m.kind !== 'measure') invalid(`measures[${i}]: '${m.name}' is a ${m.kind}, not a measure`, m.name);
    selected.add(m.name);
  }
  for (const [i, raw] of list('dimensions').entries()) {
    if (typeof raw !== 'string') invalid(`dimensions[${i}]: expected a member name, got ${JSON.stringify(raw)}`);
    const parts = raw.split('.');
    // `view.time_dimension.granularity` is a time dimension with a granularity (as in Cube's REST API)
    const name = parts.length === 3 ? parts.slice(0, 2).join('.') : raw;
    const m = publicMember(catalog, name, `dimensions[${i}]`, views);
    if (m.kind !== 'dimension') invalid(`dimensions[${i}]: '${m.name}' is a ${m.kind}, not a dimension`, m.name);
    if (parts.length === 3) {
      if (m.type !== 'time') invalid(`dimensions[${i}]: '${m.name}' is not a time dimension`, m.name);
      checkGranularity(m, parts[2], `dimensions[${i}]`);
      selected.add(raw);
    }
    selected.add(m.name);
  }
  for (const [i, td] of list('timeDimensions').entries()) {
    const where = `timeDimensions[${i}]`;
    if (!isRecord(td)) invalid(`${where} must be an object`);
    for (const k of Object.keys(td)) if (!TIME_DIMENSION_KEYS.has(k)) invalid(`${where}: unknown key '${k}'`);
    const m = publicMember(catalog, td.dimension, where, views);
    if (m.kind !== 'dimension' || m.type !== 'time') invalid(`${where}: '${m.name}' is not a time dimension`, m.name);
    if (td.granularity !== undefined) {
      checkGranularity(m, td.granularity, where);
      selected.add(m.name);
      selected.add(`${m.name}.${td.granularity as string}`);
    }
  }
  for (const [i, name] of list('segments').entries()) {
    const m = publicMember(catalog, name, `segments[${i}]`, views);
    if (m.kind !== 'segment') invalid(`segments[${i}]: '${m.name}' is not a segment`, m.name);
  }
  if (q.filters !== undefined) checkFilters(catalog, q.filters, 'filters', views);

  // Cube silently drops an order key it cannot resolve; here it is an error.
  if (q.order !== undefined) {
    let keys: unknown[];
    if (Array.isArray(q.order)) {
      keys = q.order.map((item, i) => {
        if (!Array.isArray(item) || item.length !== 2) invalid(`order[${i}] must be [member, 'asc' | 'desc']`);
        if (item[1] !== 'asc' && item[1] !== 'desc') invalid(`order[${i}]: direction must be 'asc' or 'desc'`, String(item[0]));
        return item[0];
      });
    } else if (isRecord(q.order)) {
      keys = Object.entries(q.order).map(([k, dir]) => {
        if (dir !== 'asc' && dir !== 'desc') invalid(`order['${k}']: direction must be 'asc' or 'desc'`, k);
        return k;
      });
    } else {
      invalid('order must be an object or an array of [member, direction]');
    }
    keys.forEach((key, i) => {
      if (typeof key !== 'string') invalid(`order[${i}]: expected a member name`);
      const parts = key.split('.');
      const base = parts.length === 3 ? parts.slice(0, 2).join('.') : key;
      publicMember(catalog, base, `order[${i}]`);
      if (!selected.has(key)) {
        invalid(`order: '${key}' is not in the query's measures, dimensions or time dimensions with a granularity`, key);
      }
    });
  }

  if (views.size === 0) invalid('the query names no member');
  // Appended, so the caller's filters keep their indices in Cube's error messages.
  q.filters = [...((q.filters as unknown[] | undefined) ?? []), ...scopeFilters(views, ctx, catalog)];
  return q;
}
