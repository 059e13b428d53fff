// A query's arguments (GraphQL's, or the REST parameters of exports) -> the parts of a Cube query,
// each member remembered with the argument it came from.
import { type CubeQuery, type MemberMeta, type SemanticLayer, USAGE_VIEW, usageMember } from '@spendgraph/semantic';
import { type Period, PeriodError, absolutePeriod, cubeDateRange, isIsoTime, previousPeriod, resolvePeriod } from '@spendgraph/periods';
import { MemberOrigins, argumentError } from './errors.ts';
import { LIMITS, checkCount, checkDateRange, checkFilters, checkText } from '../query-limits.ts';

export const TIME_DIMENSION = usageMember('occurred_at');
/** Cube refuses larger result sets; a breakdown level or series set beyond it must be narrowed. */
export const MAX_ROWS = 50_000;

export interface FilterArg { member: string; operator: string; values?: string[] | null }
export interface TimeRangeArg { relative?: string | null; previous?: boolean | null; from?: string | null; to?: string | null }
type CubeFilter = NonNullable<CubeQuery['filters']>[number];

/** What a transport calls the parts of a time range, for errors that blame one. */
export interface TimeRangeNames { range: string; relative: string; previous: string; from: string; to: string }
/** The names of the arguments an error can blame that differ between transports. */
export interface ArgumentNames { timeRange: TimeRangeNames; sortMeasure: string }

/** A time range argument with its parts under it (GraphQL's `timeRange.from`). */
export function timeRangeNames(prefix: string): TimeRangeNames {
  return { range: prefix, relative: `${prefix}.relative`, previous: `${prefix}.previous`, from: `${prefix}.from`, to: `${prefix}.to` };
}

/** GraphQL's argument paths: the default. */
export const GRAPHQL_ARGUMENTS: ArgumentNames = { timeRange: timeRangeNames('timeRange'), sortMeasure: 'sort.measure' };

const namesOf = (field: string | TimeRangeNames) => (typeof field === 'string' ? timeRangeNames(field) : field);

export function qualify(name: string, view: string = USAGE_VIEW) {
  return name.includes('.') ? name : `${view}.${name}`;
}

export function shortName(member: string, view: string = USAGE_VIEW) {
  return member.startsWith(`${view}.`) ? member.slice(view.length + 1) : member;
}

/** Builds the members of one request; the semantic layer checks they exist and are public. */
export class QueryArgs {
  readonly origins = new MemberOrigins();
  private readonly measures: Map<string, MemberMeta>;
  private readonly dimensions: Map<string, MemberMeta>;
  readonly viewName: string;
  readonly timeDimension: string;

  /** Members of `view` (the raw-event view unless said otherwise). */
  constructor(semantic: SemanticLayer, viewName: string = USAGE_VIEW) {
    this.viewName = viewName;
    this.timeDimension = `${viewName}.occurred_at`;
    const view = semantic.meta().views.find((v) => v.name === viewName)!;
    this.measures = new Map(view.measures.map((m) => [m.name, m]));
    this.dimensions = new Map(view.dimensions.map((m) => [m.name, m]));
  }

  measure(name: string, field: string): MemberMeta {
    const member = this.member(name, field);
    const meta = this.measures.get(member);
    if (meta) return meta;
    if (this.dimensions.has(member)) throw argumentError('NOT_A_MEASURE', field, `'${name}' is a dimension, not a measure`);
    return { name: member, title: name, shortTitle: name, type: 'number', kind: 'measure' }; // the layer will refuse it
  }

  /** Whether one call can fall in several of the dimension's groups (a call for several work items). */
  fansOut(member: string): boolean {
    return this.dimensions.get(member)?.fansOut === true;
  }

  dimension(name: string, field: string): string {
    const member = this.member(name, field);
    if (this.measures.has(member)) throw argumentError('NOT_A_DIMENSION', field, `'${name}' is a measure, not a dimension`);
    if (member === this.timeDimension) {
      throw argumentError('NOT_A_DIMENSION', field, `group by time with timeseries(granularity: ...), not as a dimension`);
    }
    return member;
  }

  /** The measures and group-by dimensions of a query, within the shared limits. */
  members(measures: readonly string[], by: readonly string[] | null | undefined, byField = 'by') {
    checkCount('measures', measures, LIMITS.measures);
    checkCount(byField, by, LIMITS.by);
    return { measures: measures.map((m, i) => this.measure(m, `measures[${i}]`)), dimensions: (by ?? []).map((d, i) => this.dimension(d, `${byField}[${i}]`)) };
  }

  filters(filters: readonly FilterArg[] | null | undefined, field = 'filters'): CubeFilter[] {
    checkFilters(filters, field);
    return (filters ?? []).map((f, i) => {
      const at = `${field}[${i}]`;
      const member = this.member(f.member, `${at}.member`);
      const needsValues = f.operator !== 'set' && f.operator !== 'notSet';
      if (needsValues && !f.values?.length) throw argumentError('INVALID_ARGUMENT', `${at}.values`, `operator ${f.operator} needs at least one value`);
      return { member, operator: f.operator, ...(needsValues ? { values: [...f.values!] } : {}) };
    });
  }

  /** The period the last timeRange() resolved to, for answers that state it (null: all time). */
  period: Period | null = null;

  /** A relative or absolute range resolved with the shared period vocabulary at the clock's now. */
  timeRange(range: TimeRangeArg | null | undefined, field: string | TimeRangeNames = 'timeRange', timezone = 'UTC'): CubeQuery['timeDimensions'] {
    const names = namesOf(field);
    if (range?.relative) checkText(names.relative, range.relative);
    this.period = range ? resolveRange(range, names, timezone) : null;
    if (!this.period) return [];
    checkDateRange(names, cubeDateRange(this.period));
    this.origins.note(this.timeDimension, range!.relative ? names.relative : names.from);
    return [{ dimension: this.timeDimension, dateRange: cubeDateRange(this.period) }];
  }

  private member(name: string, field: string) {
    const member = qualify(name, this.viewName);
    this.origins.note(member, field);
    return member;
  }
}

/** The absolute period a GraphQL/REST/embed time range names (packages/periods defines the vocabulary). */
export function resolveRange(range: TimeRangeArg, field: string | TimeRangeNames = 'timeRange', timezone = 'UTC'): Period {
  const names = namesOf(field);
  const { relative, previous, from, to } = range;
  if (relative && (from || to)) throw argumentError('INVALID_ARGUMENT', names.range, 'give either relative or from/to, not both');
  if (previous && !relative) throw argumentError('INVALID_ARGUMENT', names.previous, 'applies to a relative range only');
  if (relative) {
    try {
      return (previous ? previousPeriod : resolvePeriod)(relative, timezone);
    } catch (e) {
      if (e instanceof PeriodError) throw argumentError('INVALID_ARGUMENT', names.relative, e.message);
      throw e;
    }
  }
  if (!from) throw argumentError('INVALID_ARGUMENT', names.from, 'is required without relative');
  for (const [k, v] of [['from', from], ['to', to]] as const) {
    if (v && !isIsoTime(v)) throw argumentError('INVALID_ARGUMENT', names[k], `'${v}' is not an ISO date or time`);
  }
  const period = absolutePeriod(from, to, timezone);
  if (period.to <= period.from) throw argumentError('INVALID_ARGUMENT', names.to, 'must not be before from');
  return period;
}

/** Cube's filter for "dimension has this value", null meaning the field is absent. */
export function equalsFilter(member: string, value: string | null): CubeFilter {
  return value === null ? { member, operator: 'notSet' } : { member, operator: 'equals', values: [value] };
}

/** Cube's filter for "dimension has none of these values" (nulls count as a value). */
export function notInFilter(member: string, values: ReadonlyArray<string | null>): CubeFilter {
  const present = values.filter((v): v is string => v !== null);
  const clauses: CubeFilter[] = [];
  if (present.length) clauses.push({ member, operator: 'notEquals', values: present }); // Cube keeps NULLs here
  if (present.length < values.length) clauses.push({ member, operator: 'set' });
  return clauses.length === 1 ? clauses[0]! : { and: clauses };
}

export function checkTimezone(tz: string, field = 'timezone') {
  checkText(field, tz);
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw argumentError('INVALID_ARGUMENT', field, `'${tz}' is not an IANA time zone`);
  }
}
