// How much one query may ask for: the one place that bounds the work of a request, whichever
// way it came (GraphQL, REST exports, embeds, Cube's GraphQL). Every refusal is an argument
// error naming the argument, before anything reaches Cube or Postgres.
import { createRequire } from 'node:module';
import { argumentError } from './query/errors.ts';

export const LIMITS = {
  /** Measures of one query. */
  measures: 30,
  /** Group-by dimensions (breakdown levels, series keys). */
  by: 6,
  /** Filters of one query, nested and/or groups counted by their leaves. */
  filters: 50,
  /** Values of one filter. */
  values: 500,
  /** Values of all filters of one query together (each is a bound parameter Cube plans and Postgres parses). */
  totalValues: 1_000,
  /** Characters of one filter value. */
  valueLength: 1_000,
  /** Children per breakdown node. */
  limit: 1_000,
  /** Rows of one page (Cube's GraphQL `limit`, `offset`). */
  rows: 50_000,
  offset: 1_000_000,
  /** Characters of a time-range or time-zone argument. */
  textLength: 100,
} as const;

/** No event is older (the ingest window) and none is stored further ahead than a day: a range beyond is a mistake. */
export const EARLIEST_QUERY_DATE = '2000-01-01';
const LATEST_YEARS_AHEAD = 10;

export function checkCount(field: string, list: readonly unknown[] | null | undefined, max: number) {
  if (list && list.length > max) throw argumentError('TOO_LARGE', field, `at most ${max} (got ${list.length})`);
}

export function checkNumber(field: string, value: number | null | undefined, min: number, max: number) {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) throw argumentError('INVALID_ARGUMENT', field, `must be an integer from ${min} to ${max}`);
}

export function checkText(field: string, value: string | null | undefined, max: number = LIMITS.textLength) {
  if (typeof value !== 'string') return;
  if (value.length > max) throw argumentError('TOO_LARGE', field, `at most ${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(value)) throw argumentError('INVALID_ARGUMENT', field, 'contains a NUL character');
}

interface FilterLike { member?: unknown; values?: readonly unknown[] | null; or?: unknown; and?: unknown }

/** Counts filter leaves and checks each one's values; `field` is the argument (`filters`). */
export function checkFilters(filters: readonly unknown[] | null | undefined, field = 'filters') {
  let leaves = 0;
  let values = 0;
  const visit = (list: readonly unknown[], at: string, depth: number) => {
    if (depth > 5) throw argumentError('TOO_LARGE', at, 'and/or groups nest at most 5 deep');
    list.forEach((f, i) => {
      const here = `${at}[${i}]`;
      const node = (f ?? {}) as FilterLike;
      const group = Array.isArray(node.or) ? node.or : Array.isArray(node.and) ? node.and : undefined;
      if (group) return visit(group, `${here}.${Array.isArray(node.or) ? 'or' : 'and'}`, depth + 1);
      if (++leaves > LIMITS.filters) throw argumentError('TOO_LARGE', field, `at most ${LIMITS.filters} filters`);
      checkCount(`${here}.values`, node.values, LIMITS.values);
      values += node.values?.length ?? 0;
      if (values > LIMITS.totalValues) throw argumentError('TOO_LARGE', field, `at most ${LIMITS.totalValues} values in all filters together`);
      node.values?.forEach((v, j) => checkFilterValue(`${here}.values[${j}]`, v));
    });
  };
  visit(filters ?? [], field, 0);
}

function checkFilterValue(field: string, v: unknown) {
  if (typeof v === 'number' && !Number.isFinite(v)) throw argumentError('INVALID_ARGUMENT', field, 'must be a finite number');
  if (typeof v !== 'string') return;
  checkText(field, v, LIMITS.valueLength);
  // A number-looking value beyond a double (1e309) overflows the database's comparison.
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) && !Number.isFinite(Number(v))) {
    throw argumentError('INVALID_ARGUMENT', field, `'${v.slice(0, 40)}' is out of range`);
  }
}

// Cube's own reading of relative ranges ("last 7 days"), so the bound checks what Cube will run. Loaded
// by the first range to read (it brings moment-timezone and chrono-node): an API that only ingests never holds it.
type DateParser = (range: string, timezone: string, now?: Date) => [string, string];
let cubeDateParser: DateParser | undefined;
const dateParser: DateParser = (range, timezone) => {
  cubeDateParser ??= (createRequire(import.meta.url)('@cubejs-backend/api-gateway/dist/src/date-parser.js') as { dateParser: DateParser }).dateParser;
  return cubeDateParser(range, timezone);
};

/** A time range reaching before 2000 or more than 10 years ahead is refused, naming the argument. */
export function checkDateRange(names: string | { range: string; from: string; to: string }, range: string | readonly [string, string], timezone = 'UTC') {
  const { range: field, from, to } = typeof names === 'string' ? { range: names, from: `${names}.from`, to: `${names}.to` } : names;
  const at = (i: number) => (typeof range === 'string' ? field : i ? to : from);
  if (typeof range === 'string') checkText(field, range);
  else range.forEach((d, i) => checkText(at(i), d));
  let resolved: readonly [string, string];
  try {
    resolved = typeof range === 'string' ? dateParser(range, timezone) : range;
  } catch {
    throw argumentError('INVALID_ARGUMENT', field, `'${String(range).slice(0, 60)}' is not a time range ('last 7 days', 'this month', ...)`);
  }
  const latest = new Date().getUTCFullYear() + LATEST_YEARS_AHEAD;
  resolved.forEach((d, i) => {
    const year = yearOf(d);
    if (year === undefined || year < EARLIEST_YEAR) throw argumentError('INVALID_ARGUMENT', at(i), `reaches before ${EARLIEST_QUERY_DATE}, before any event can be`);
    if (year > latest) throw argumentError('INVALID_ARGUMENT', at(i), `reaches past ${latest}`);
  });
}

const EARLIEST_YEAR = Number(EARLIEST_QUERY_DATE.slice(0, 4));

/** The year of an ISO date or time (Cube's `-97974-01-01T…` included); undefined when it is none. */
function yearOf(d: string): number | undefined {
  const m = /^([+-]?\d{4,6})-\d\d/.exec(d.trim());
  return m ? Number(m[1]) : undefined;
}

interface CubeQueryLike {
  measures?: readonly string[]; dimensions?: readonly string[]; filters?: readonly unknown[]; limit?: number; offset?: number;
  timeDimensions?: ReadonlyArray<{ dateRange?: string | readonly [string, string] }>; timezone?: string;
}

/** The same limits on a query in Cube's own format (Cube's generated GraphQL schema). */
export function checkCubeQuery(query: CubeQueryLike) {
  checkCount('measures', query.measures, LIMITS.measures);
  checkCount('dimensions', query.dimensions, LIMITS.by);
  checkFilters(query.filters, 'where');
  checkNumber('limit', query.limit, 0, LIMITS.rows);
  checkNumber('offset', query.offset, 0, LIMITS.offset);
  checkText('timezone', query.timezone);
  for (const td of query.timeDimensions ?? []) if (td.dateRange) checkDateRange('dateRange', td.dateRange, query.timezone);
}
