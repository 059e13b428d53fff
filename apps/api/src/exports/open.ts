// One export, whichever way it was asked for (REST parameters, a GraphQL link):
// the table of its shape, checked before a byte is sent, then encoded as it streams.
import type { FastifyReply } from 'fastify';
import type { SemanticContext } from '@spendgraph/semantic';
import { databaseClientError } from '../client-errors.ts';
import { argumentError } from '../query/errors.ts';
import { CONTENT_TYPES, encode } from './encode.ts';
import { economicsTable } from './economics.ts';
import { focusTable } from './focus.ts';
import { organizationFocusTable } from './organization-focus.ts';
import type { ExportRequest } from './request.ts';
import { type Table, type TableDeps, breakdownTable, eventsTable, timeseriesTable } from './tables.ts';

const OPEN = {
  breakdown: breakdownTable, timeseries: timeseriesTable, events: eventsTable, economics: economicsTable,
  focus: (deps: TableDeps, ctx: SemanticContext, req: ExportRequest) => focusTable(deps, ctx, req, { bytes: req.format === 'csv' }),
} as const;

/**
 * The export's table with its first row already read: every argument error (and a filter value
 * the database refuses) surfaces here, while an HTTP answer can still be a 400.
 */
export function openExport(deps: TableDeps, ctx: SemanticContext, req: ExportRequest): Promise<Table> {
  return opened(() => OPEN[req.shape](deps, ctx, req));
}

/** The organization's FOCUS export (organization-focus.ts), opened and checked like any export. */
export function openOrganizationFocus(deps: TableDeps, ...args: Parameters<typeof organizationFocusTable> extends [unknown, ...infer R] ? R : never): Promise<Table> {
  return opened(() => organizationFocusTable(deps, ...args));
}

async function opened(open: () => Promise<Table>): Promise<Table> {
  let table: Table;
  try {
    table = await open();
  } catch (e) {
    throw databaseArgumentError(e) ?? e; // Postgres may see a filter's value while the export is planned
  }
  if (table.bytes) {
    const { items, close } = await peeked(table.bytes);
    return { ...table, bytes: items, close };
  }
  const { items, close } = await peeked(table.rows);
  return { ...table, rows: items, close };
}

/** The items with the first one already read (its error thrown here), and how to stop early. */
async function peeked<T>(source: AsyncIterable<T> | Iterable<T>) {
  const it = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as AsyncIterator<T> | Iterator<T>;
  let first: IteratorResult<T>;
  try {
    first = await it.next();
  } catch (e) {
    throw databaseArgumentError(e) ?? e;
  }
  const close = async () => void (await it.return?.());
  async function* items() {
    try {
      if (first.done) return;
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } finally {
      await close(); // a client gone mid-export: the database cursor is closed and its connection returned
    }
  }
  return { items: items(), close };
}

/** Closes a table opened only to check it (a generator never started would not run its cleanup). */
export async function discard(table: Table) {
  await table.close?.();
}

/** Postgres refusing a value of the query (class 22: data exception, e.g. `gt` with a word) is the filter's fault. */
function databaseArgumentError(e: unknown) {
  const db = databaseClientError(e);
  if (db?.code !== 'INVALID_VALUE') return undefined;
  return argumentError('INVALID_ARGUMENT', 'filters', `the database refused a value (${db.message})`);
}

export function exportFileName(req: ExportRequest, at = new Date()) {
  const stamp = at.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `spendgraph-${req.shape}-${stamp}.${req.format}`;
}

/** Sends an opened table as the response body, streamed with backpressure. */
export function sendTable(reply: FastifyReply, req: ExportRequest, table: Table) {
  for (const [k, v] of Object.entries(table.headers ?? {})) reply.header(k, v);
  return reply
    .header('content-disposition', `attachment; filename="${exportFileName(req)}"`)
    .header('cache-control', 'no-store')
    .type(CONTENT_TYPES[req.format])
    .send(encode(table, req.format));
}
