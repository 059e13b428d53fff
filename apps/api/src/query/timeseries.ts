// Measures per time bucket, one series per combination of the `by` dimensions.
import { type Unit, bucketPartial, periodJson } from '@spendgraph/periods';
import { type SemanticContext, type SemanticLayer, USAGE_VIEW, type ViewName } from '@spendgraph/semantic';
import { DateTime } from 'luxon';
import { argumentError, semanticCall } from './errors.ts';
import { type ArgumentNames, type FilterArg, MAX_ROWS, QueryArgs, type TimeRangeArg, checkTimezone, shortName } from './query-args.ts';

export interface TimeseriesArgs {
  measures: string[];
  granularity: string;
  by?: string[] | null;
  filters?: FilterArg[] | null;
  timeRange?: TimeRangeArg | null;
  timezone?: string | null;
  /** What the caller's transport calls its arguments (GraphQL's paths when absent). */
  names?: ArgumentNames;
}

/** Over the raw-event view, or another view with the same shape (usage_history). */
export async function timeseries(semantic: SemanticLayer, ctx: SemanticContext, args: TimeseriesArgs, view: ViewName = USAGE_VIEW) {
  const q = new QueryArgs(semantic, view);
  const short = (member: string) => shortName(member, view);
  if (!args.measures.length) throw argumentError('INVALID_ARGUMENT', 'measures', 'name at least one measure');
  const members = q.members(args.measures, args.by);
  const measures = members.measures.map((m) => m.name);
  const dims = members.dimensions;
  const timezone = args.timezone ?? 'UTC';
  checkTimezone(timezone);
  const [range] = q.timeRange(args.timeRange, args.names?.timeRange ?? 'timeRange', timezone) ?? [];
  const bucket = `${q.timeDimension}.${args.granularity}`;
  const period = q.period;
  // A bucket still filling (it holds now) or cut by the range is marked partial, so charts can say so.
  const partial = (time: string) => period !== null
    && bucketPartial(DateTime.fromISO(time, { zone: timezone }).toJSDate(), args.granularity as Unit, period);

  const { data } = await semanticCall(q.origins, () => semantic.load({
    measures,
    dimensions: dims,
    timeDimensions: [{ dimension: q.timeDimension, granularity: args.granularity, ...(range ? { dateRange: range.dateRange } : {}) }],
    filters: q.filters(args.filters),
    order: [[bucket, 'asc']],
    timezone,
    limit: MAX_ROWS,
  }, ctx));
  if (data.length >= MAX_ROWS) throw argumentError('TOO_MANY_GROUPS', 'by', `more than ${MAX_ROWS} points; add filters, a coarser granularity or a shorter range`);

  const series = new Map<string, { key: Array<{ dimension: string; value: string | null }>; points: unknown[] }>();
  for (const row of data) {
    const key = dims.map((d) => ({ dimension: short(d), value: row[d] === null ? null : String(row[d]) }));
    const id = JSON.stringify(key);
    if (!series.has(id)) series.set(id, { key, points: [] });
    const time = String(row[bucket]);
    series.get(id)!.points.push({
      time,
      partial: partial(time),
      measures: measures.map((m) => ({ measure: short(m), value: row[m] === null ? null : String(row[m]), share: null })),
    });
  }
  return {
    granularity: args.granularity,
    period: q.period && periodJson(q.period),
    series: [...series.values()].map((s) => ({ ...s, label: s.key.map((k) => k.value ?? '(none)').join(' / ') || 'Total' })),
  };
}
