// The economics export (issue 17): Query.economics as a table — direct, allocated and true cost,
// revenue and margin per customer, feature, workflow, plan, pool, currency or month (up to three
// of them, `by`), over the UTC days the time range touches. The rows are the very rows GraphQL
// answers with (query/economics.ts asks the model's `economics` view), so they add up to its
// figures to the cent; this module only names the columns.
import type { SemanticContext } from '@spendgraph/semantic';
import { type EconomicsArgs, economics } from '../query/economics.ts';
import { argumentError } from '../query/errors.ts';
import { GRAPHQL_ARGUMENTS, resolveRange } from '../query/query-args.ts';
import type { ExportRequest } from './request.ts';
import { type ExportRow, type Table, type TableDeps, refuse, selectColumns } from './tables.ts';

export const ECONOMICS_MEASURE_COLUMNS = ['direct_cost', 'allocated_cost', 'true_cost', 'revenue', 'margin'] as const;
const FIELDS = { direct_cost: 'directCost', allocated_cost: 'allocatedCost', true_cost: 'trueCost', revenue: 'revenue', margin: 'margin' } as const;

/** The first and last UTC day the request's time range touches. */
function days(req: ExportRequest): Pick<EconomicsArgs, 'from' | 'to'> {
  const names = (req.names ?? GRAPHQL_ARGUMENTS).timeRange;
  if (!req.timeRange) throw argumentError('INVALID_ARGUMENT', names.from, 'is required (or relative): economics are asked for a range of days');
  const period = resolveRange(req.timeRange, names, 'UTC');
  return { from: period.from.toISOString().slice(0, 10), to: new Date(period.to.getTime() - 1).toISOString().slice(0, 10) };
}

export async function economicsTable(deps: TableDeps, ctx: SemanticContext, req: ExportRequest): Promise<Table> {
  refuse(req, ['measures', 'filters', 'granularity', 'sort', 'limit'], 'economics');
  if (req.timezone && req.timezone !== 'UTC') throw argumentError('INVALID_ARGUMENT', 'timezone', 'economics are per UTC day (pools per UTC month): UTC only');
  const by = req.by ?? [];
  const rows = await economics(deps.semantic, ctx, { ...days(req), by });
  const columns = selectColumns([...by, ...ECONOMICS_MEASURE_COLUMNS], req.columns);
  return {
    columns,
    rows: [rows.map((r) => {
      const row: ExportRow = {};
      by.forEach((d, i) => { row[d] = r.key[i] ?? null; });
      for (const c of ECONOMICS_MEASURE_COLUMNS) row[c] = r[FIELDS[c]];
      return row;
    })],
  };
}
