// What an export asks for: the same arguments as the GraphQL queries (breakdown,
// timeseries, events) plus a format and the columns wanted. REST passes them as
// query parameters, GraphQL as `ExportInput`; both end up as one ExportRequest.
import { z } from 'zod';
import { issuePath } from '@spendgraph/budgets';
import { argumentError } from '../query/errors.ts';
import type { ArgumentNames } from '../query/query-args.ts';
import type { BreakdownArgs } from '../query/breakdown.ts';

export const SHAPES = ['breakdown', 'timeseries', 'events', 'focus', 'economics'] as const;
export const FORMATS = ['csv', 'json', 'ndjson'] as const;
export type Shape = (typeof SHAPES)[number];
export type Format = (typeof FORMATS)[number];

/** A breakdown's arguments (measures and `by` optional: each shape has defaults) plus the export's own. */
export interface ExportRequest extends Omit<BreakdownArgs, 'measures' | 'by'> {
  shape: Shape;
  format: Format;
  measures?: string[] | null;
  by?: string[] | null;
  granularity?: string | null;
  columns?: string[] | null;
}

/** The REST parameters behind the arguments whose GraphQL names are paths (`timeRange.from` is `from` here). */
const REST_ARGUMENTS: ArgumentNames = {
  timeRange: { range: 'from', relative: 'relative', previous: 'previous', from: 'from', to: 'to' },
  sortMeasure: 'sort',
};

const GRANULARITIES = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
const OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith',
  'gt', 'gte', 'lt', 'lte', 'set', 'notSet',
] as const;

/** `a,b` or a repeated parameter: a list of names. */
const list = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));
const one = z.string({ error: 'give this parameter once' });

const filterSchema = z.strictObject({
  member: z.string(),
  operator: z.enum(OPERATORS),
  values: z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
});

/** `filters` is a JSON array of `{member, operator, values}`, as in GraphQL. */
const filtersParam = one.transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {member, operator, values}' });
    return z.NEVER;
  }
}).pipe(z.array(filterSchema, { error: 'must be a JSON array of {member, operator, values}' }));

export const exportQuerySchema = z.strictObject({
  format: z.enum(FORMATS).default('csv'),
  measures: list.optional(),
  by: list.optional(),
  granularity: z.enum(GRANULARITIES).optional(),
  filters: filtersParam.optional(),
  relative: one.optional(),
  from: one.optional(),
  to: one.optional(),
  timezone: one.optional(),
  sort: one.optional(),
  direction: z.enum(['ASC', 'DESC', 'asc', 'desc']).transform((d) => d.toUpperCase() as 'ASC' | 'DESC').optional(),
  limit: one.regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
  columns: list.optional(),
});

/** The REST query string of GET /v1/exports/:shape as an ExportRequest; a bad parameter is an error naming it. */
export function requestFromQuery(shape: string, query: Record<string, unknown>): ExportRequest {
  if (!(SHAPES as readonly string[]).includes(shape)) {
    throw argumentError('INVALID_ARGUMENT', 'shape', `'${shape}' is not one of ${SHAPES.join(', ')}`);
  }
  const parsed = exportQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issuePath(issue.path);
    const message = issue.code === 'unrecognized_keys' ? 'is not a parameter of exports' : issue.message;
    throw argumentError('INVALID_ARGUMENT', field, message);
  }
  const q = parsed.data;
  const timeRange = q.relative || q.from || q.to ? { relative: q.relative, from: q.from, to: q.to } : null;
  return {
    shape: shape as Shape,
    format: q.format,
    measures: q.measures,
    by: q.by,
    granularity: q.granularity,
    filters: q.filters,
    timeRange,
    timezone: q.timezone,
    sort: q.sort ? { measure: q.sort, direction: q.direction ?? 'DESC' } : null,
    limit: q.limit,
    columns: q.columns,
    names: REST_ARGUMENTS,
  };
}
