// A table as bytes: CSV (RFC 4180 quoting by csv-stringify, a header row), a JSON
// array, or NDJSON (one object a line). The result is a Readable that pulls rows
// only as fast as the client reads (backpressure), so a large export never
// accumulates in memory. UTF-8 throughout; money stays the exact decimal text.
import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Format } from './request.ts';
import type { ExportRow, Table } from './tables.ts';

export const CONTENT_TYPES: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

async function* project(rows: Table['rows'], columns: string[]): AsyncGenerator<ExportRow> {
  for await (const row of rows) {
    const out: ExportRow = {};
    for (const c of columns) out[c] = row[c] ?? null;
    yield out;
  }
}

async function* jsonArray(rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const row of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* ndjson(rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
  for await (const row of rows) yield `${JSON.stringify(row)}\n`;
}

function csv(rows: AsyncIterable<ExportRow>, columns: string[]): Readable {
  const out = stringify({
    header: true,
    columns,
    // Booleans as words, null as an empty field; decimals are already text.
    cast: { boolean: (b) => (b ? 'true' : 'false') },
  });
  // A failure mid-stream (the database gone) destroys the response: the client sees a cut transfer, not a short file.
  pipeline(Readable.from(rows), out, () => {});
  return out;
}

export function encode(table: Table, format: Format): Readable {
  const rows = project(table.rows, table.columns);
  if (format === 'csv') return csv(rows, table.columns);
  return Readable.from(format === 'json' ? jsonArray(rows) : ndjson(rows), { objectMode: false });
}
