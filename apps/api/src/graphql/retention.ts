// Retention settings, long-term reports (history), and the check that tells a
// caller when a raw-event query reaches before the workspace's raw-data horizon.
import { type Pool, type PoolClient, setRawRetention, workspaceRetention } from '@spendgraph/db';
import { HISTORY_VIEW, type SemanticLayer } from '@spendgraph/semantic';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { type FilterArg, type TimeRangeArg, resolveRange } from '../query/query-args.ts';
import { timeseries } from '../query/timeseries.ts';

interface Ctx {
  workspaceId: string;
  /** The audited change's transaction (graphql/authorize.ts). */
  db?: PoolClient;
}

/** Start of a GraphQL time range (-Infinity without one: all time). */
function rangeStart(range: TimeRangeArg | null | undefined, timezone: string): number {
  if (!range) return Number.NEGATIVE_INFINITY;
  try {
    return resolveRange(range, 'timeRange', timezone).from.getTime();
  } catch {
    return Number.NaN; // the query itself reports the bad range
  }
}

export function retentionResolvers(deps: { pool: Pool; semantic: SemanticLayer }) {
  /** Refuses a raw-event query whose range starts before the raw-data horizon (or has no start). */
  async function requireRawData(c: Ctx, range: TimeRangeArg | null | undefined, timezone = 'UTC') {
    const r = await workspaceRetention(deps.pool, c.workspaceId);
    if (!r.rawDataHorizon) return;
    const start = rangeStart(range, timezone);
    if (!(start < Date.parse(r.rawDataHorizon))) return;
    const horizon = r.rawDataHorizon;
    throw argumentError('RAW_DATA_EXPIRED', 'timeRange',
      `raw events before ${horizon} are gone (retention: ${r.rawRetentionDays ?? 'none now'} days); start the range at or after it, or query history (daily aggregates)`,
      { rawDataHorizon: horizon });
  }

  return {
    requireRawData,
    Query: {
      retention: async (_: unknown, _a: unknown, c: Ctx) => workspaceRetention(deps.pool, c.workspaceId),
      history: (_: unknown, args: { measures: string[]; granularity: string; by?: string[]; filters?: FilterArg[]; timeRange?: TimeRangeArg }, c: Ctx) =>
        timeseries(deps.semantic, { workspaceId: c.workspaceId }, { ...args, timezone: 'UTC' }, HISTORY_VIEW),
    },
    Mutation: {
      setRawRetention: async (_: unknown, { days }: { days?: number | null }, c: Ctx) => {
        if (days != null && (days < 1 || days > 36_500)) throw argumentError('INVALID_ARGUMENT', 'days', 'must be between 1 and 36500, or null to keep raw events forever');
        return setRawRetention(changeDb(deps.pool, c), c.workspaceId, days ?? null);
      },
    },
  };
}
