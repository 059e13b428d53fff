// Query planning: a caller's query is scoped to its workspace (access.ts), normalized exactly as
// Cube's REST API does and planned by Cube's JS SQL planner, from roll-ups where they serve
// (read only while sealed, lambda.ts) or from raw events.
import { LRUCache } from 'lru-cache';
import { gatewayQuery, schemaCompiler, type CubeDriver } from './cube.ts';
import { fromCubeError, SemanticError } from './errors.ts';
import { rollupFloor } from './lambda.ts';
import { readingOf, utcReading, withFirstPasses } from './local-time.ts';
import { scopeToWorkspace } from './access.ts';
import { asCalls, wholeCallsPerWorkItem } from './whole-calls.ts';
import { completedTasksRewrite } from './completed-tasks.ts';
import { keepsOneValue } from './filter-members.ts';
import type { CompiledModel } from './model.ts';
import type { CubeQuery, LoadOptions, SemanticContext } from './types.ts';

export interface Plan {
  sql: [string, unknown[]];
  aliasNameToMember: Record<string, string>;
  preAggregations: any[];
  cacheKeyQueries: unknown;
  dataSource: string;
  external: boolean;
  /** Raw events only, and no cached result. */
  fresh: boolean;
}

/** A planned query: Cube's normalized form and its plan. */
export interface PreparedQuery {
  normalized: any;
  main: Plan;
  /** Readings the query meant as a repeated hour's first pass (pinFirstPasses). */
  pins: Pin[];
}

type Pin = [timezone: string, reading: string, utc: string];

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Cube's date ranges are local readings of the query's zone, and one hour a year has none of its
 * own (the first pass of a repeated hour reads as the second). A caller that means such an instant
 * gives it with its offset (@spendgraph/periods cubeDateRange does); it becomes its reading here,
 * pinned to the instant while Cube plans the query (for the whole query: one that also named the
 * second pass by the same reading would get the first for both).
 */
function pinFirstPasses(query: Record<string, unknown>): { query: Record<string, unknown>; pins: Pin[] } {
  const zone = typeof query.timezone === 'string' ? query.timezone : 'UTC';
  const pins: Pin[] = [];
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (typeof v === 'string' && (key === 'dateRange' || key === 'values') && WITH_OFFSET.test(v)) {
      const read = readingOf(zone, v);
      if (!read) return v;
      if (read.firstPass) pins.push([zone, read.reading, read.firstPass]);
      return read.reading;
    }
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return { query: walk(query) as Record<string, unknown>, pins };
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

/** Plans a normalized query (or a roll-up's own references, for the warming job). */
export function plan(model: CompiledModel, normalized: any, preAggregationsSchema: string, fresh = false): Plan {
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
    throw fromCubeError(e) ?? e;
  }
}

export interface PlannerOptions {
  model: CompiledModel;
  preAggregationsSchema: string;
  /** Zones the warming job builds roll-ups for. */
  rollupTimezones: string[];
  /** For the one question planning asks the database: does the workspace hold events older than the roll-ups? */
  driver: CubeDriver;
}

/** A raw plan and the UTC readings of the local times it was planned with, as its parameters hold them. */
interface RawShape {
  plan: Plan;
  readings: string[];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

/** The query with its local times (date ranges, date filters) replaced by '?', and those times in order. */
function timesOf(normalized: any): { shape: unknown; times: string[] } {
  const times: string[] = [];
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (typeof v === 'string' && (key === 'dateRange' || key === 'values') && INSTANT.test(v)) return times.push(v), '?';
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return { shape: walk(normalized), times };
}

/** How Cube writes a local time of the zone as a parameter (its UTC reading, 'Z'), or undefined. */
function paramReading(zone: string, time: string): string | undefined {
  const utc = utcReading(zone, time);
  return utc && `${utc}Z`;
}

/** Equal readings at the same places (a reading standing for two times must stand for both again). */
function samePattern(a: string[], b: Array<string | undefined>): boolean {
  return a.length === b.length && b.every((r, i) => r !== undefined && a.every((x, j) => (x === a[i]) === (b[j] === r)));
}

/** The plan names every reading among its parameters, and no other instant. */
function reusable(p: Plan, readings: Array<string | undefined>): boolean {
  if (readings.some((r) => r === undefined)) return false;
  const params = p.sql[1];
  return readings.every((r) => params.includes(r)) && params.every((v) => typeof v !== 'string' || !INSTANT.test(v) || readings.includes(v));
}

/**
 * A query kept to one session reads raw events: a session's calls are a few dozen rows of
 * usage_events_session_idx, cheaper to read than planning and checking the partitions of
 * daily_by_session, which answers the questions across sessions.
 */
const oneSession = (normalized: any) => keepsOneValue(normalized.filters ?? [], 'usage.session_id');

/** Plans kept per process: a budget evaluation repeats the same few dozen shapes every run. */
const PLAN_CACHE_ENTRIES = 500;

export function createPlanner({ model, preAggregationsSchema, rollupTimezones, driver }: PlannerOptions) {
  // Planning is Cube's synchronous JS (tens of ms a query, mostly describing roll-ups): a query
  // asked again — same members, filters and absolute ranges — gets the same plan. Its SQL is
  // evaluated when it runs (partitions, build ranges, refresh keys), so a plan never ages; only
  // relative ranges ('last 7 days') depend on the clock and are not kept.
  const plans = new LRUCache<string, Plan>({ max: PLAN_CACHE_ENTRIES });
  const rawPlans = new LRUCache<string, RawShape>({ max: PLAN_CACHE_ENTRIES });
  function cachedPlan(normalized: any, fresh: boolean, pins: Pin[]): Plan {
    // Pinned readings are one hour a year: planned afresh, never kept.
    if (pins.length) return withFirstPasses(pins, () => plan(model, normalized, preAggregationsSchema, fresh));
    const absolute = (normalized.timeDimensions ?? []).every((td: any) => td.dateRange === undefined || Array.isArray(td.dateRange));
    if (!absolute) return plan(model, normalized, preAggregationsSchema, fresh);
    if (fresh) return rawPlan(normalized);
    const key = JSON.stringify([normalized, fresh]);
    let p = plans.get(key);
    if (!p) plans.set(key, (p = plan(model, normalized, preAggregationsSchema, fresh)));
    return structuredClone(p); // Cube's orchestrator may annotate what it is given
  }

  /**
   * A raw plan's SQL does not depend on its instants, only its parameters do: a query that differs
   * from a planned one only in its local times (a budget's 'today so far', up to now) reuses that
   * plan with those parameters replaced. Kept only when each local time's UTC reading was found
   * among the plan's parameters exactly as Cube wrote it, and every instant parameter is one of them.
   */
  function rawPlan(normalized: any): Plan {
    const zone = normalized.timezone ?? 'UTC';
    const { shape, times } = timesOf(normalized);
    const readings = times.map((t) => paramReading(zone, t));
    const key = JSON.stringify(shape);
    const cached = rawPlans.get(key);
    if (cached && samePattern(cached.readings, readings)) {
      const p = structuredClone(cached.plan);
      p.sql = [p.sql[0], p.sql[1].map((v) => (cached.readings.includes(v as string) ? readings[cached.readings.indexOf(v as string)] : v))];
      return p;
    }
    const p = plan(model, normalized, preAggregationsSchema, true);
    if (reusable(p, readings)) rawPlans.set(key, { plan: structuredClone(p), readings: readings as string[] });
    return p;
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

  /** Task measures over roll-up (group, task) pairs joined to tasks (completed-tasks.ts), where the pairs read roll-ups. */
  async function pairsPlan(normalized: any, workspaceId: string, pins: Pin[]): Promise<Plan | undefined> {
    const rewrite = completedTasksRewrite(model, normalized);
    if (!rewrite) return undefined;
    const pairs = cachedPlan(rewrite.pairs, false, pins);
    if (pairs.fresh || !pairs.preAggregations.length || (await beyondRollups(rewrite.pairs, workspaceId))) return undefined;
    return rewrite.build(pairs);
  }

  return {
    async prepare(query: CubeQuery, ctx: SemanticContext, options: LoadOptions = {}): Promise<PreparedQuery> {
      const scoped = scopeToWorkspace(query, ctx, model.catalog);
      const { query: local, pins } = pinFirstPasses(scoped);
      const { query: normalized, rewritten } = wholeCallsPerWorkItem(normalize(local, options.unlimited));
      // Roll-ups are built by the warming job (off every request) for the configured zones only: a
      // query in another zone reads raw events rather than building a zone's roll-ups inside a request.
      const warmedZone = rollupTimezones.includes(normalized.timezone ?? 'UTC');
      const raw = Boolean(options.fresh) || !warmedZone || oneSession(normalized);
      if (!raw && !rewritten) {
        const fromPairs = await pairsPlan(normalized, ctx.workspaceId, pins);
        if (fromPairs) return { normalized, main: fromPairs, pins };
      }
      let main = cachedPlan(normalized, raw, pins);
      const fresh = main.fresh || (main.preAggregations.length > 0 && (await beyondRollups(normalized, ctx.workspaceId)));
      if (fresh && !main.fresh) main = cachedPlan(normalized, true, pins);
      return { normalized, main: rewritten ? asCalls(main) : main, pins };
    },

    /** The plan of the row count of a query that asked for `total` (read from where the query reads). */
    planTotal({ normalized, main, pins }: PreparedQuery): Plan | undefined {
      return normalized.total ? cachedPlan(totalQueryOf(normalized), main.fresh, pins) : undefined;
    },
  };
}

export type Planner = ReturnType<typeof createPlanner>;
