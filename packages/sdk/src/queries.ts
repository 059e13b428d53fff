// Typed reads of the GraphQL API: breakdown, timeseries and the guard check. Each query is a
// document in ./queries/*.graphql; code generation checks it against the API's schema and types
// its variables and answer (./generated/graphql.ts), so a query the API cannot answer fails the
// build, not a user. The key needs the `read` scope (recording needs `ingest`).
import {
  BreakdownDocument, type BreakdownQuery, type BreakdownQueryVariables, type ContextValue, GuardCheckDocument, type GuardCheckQuery,
  TimeseriesDocument, type TimeseriesQuery, type TimeseriesQueryVariables, type TypedDocumentString,
} from './generated/graphql.ts';

export type * from './generated/graphql.ts';

export interface QueryOptions {
  /** Base URL of the Spendgraph API, e.g. http://127.0.0.1:4000 */
  baseUrl: string;
  /** A key with the read scope. */
  apiKey: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
}

export interface GraphqlErrorDetail { message: string; code?: string; field?: string }

/** The API refused the query: its errors (with their code and field), or the HTTP status. */
export class QueryError extends Error {
  readonly status: number;
  readonly errors: GraphqlErrorDetail[];
  constructor(status: number, errors: GraphqlErrorDetail[]) {
    super(errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ') || `the API answered ${status}`);
    this.name = 'QueryError';
    this.status = status;
    this.errors = errors;
  }
}

type GraphqlAnswer<R> = {
  data?: R;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
  /** Refusals before GraphQL (a key without the read scope: 403): the API's REST error shape. */
  error?: string; message?: string; field?: string;
};

function errorsOf(body: GraphqlAnswer<unknown>, status: number): GraphqlErrorDetail[] {
  if (body.errors?.length) return body.errors.map((e) => ({ message: e.message, code: e.extensions?.code, field: e.extensions?.field }));
  return [{ message: body.message ?? `the API answered ${status}`, code: body.error?.toUpperCase(), field: body.field }];
}

/** Runs a generated document: its variables and answer are typed from the schema. */
export async function query<R, V>(o: QueryOptions, document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const res = await fetch(`${o.baseUrl.replace(/\/+$/, '')}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
  });
  const body = (await res.json().catch(() => ({}))) as GraphqlAnswer<R>;
  if (body.errors?.length || !body.data) throw new QueryError(res.status, errorsOf(body, res.status));
  return body.data;
}

/** A tree of measures by up to three dimensions (`by`), totals at the root. */
export const breakdown = async (o: QueryOptions, v: BreakdownQueryVariables): Promise<BreakdownQuery['breakdown']> =>
  (await query(o, BreakdownDocument, v)).breakdown;

/** Measures per time bucket, one series per combination of the `by` dimensions. */
export const timeseries = async (o: QueryOptions, v: TimeseriesQueryVariables): Promise<TimeseriesQuery['timeseries']> =>
  (await query(o, TimeseriesDocument, v)).timeseries;

/**
 * Whether work in this context may go on under its budgets (`allow`, with the reason and what
 * remains), before spending: the context as `{ feature: 'chat', customer_id: 'acme' }` or as
 * dimension/value pairs.
 */
export async function guardCheck(o: QueryOptions, context: Record<string, string> | ContextValue[], limit?: number): Promise<GuardCheckQuery['guardCheck']> {
  const pairs = Array.isArray(context) ? context : Object.entries(context).map(([dimension, value]) => ({ dimension, value }));
  return (await query(o, GuardCheckDocument, { context: pairs, limit })).guardCheck;
}
