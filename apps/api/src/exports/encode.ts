// A table as bytes: CSV (RFC 4180 quoting by csv-stringify, a header row), a JSON
// array, or NDJSON (one object a line). The result is a Readable that pulls rows
// only as fast as the client reads (backpressure), so a large export never
// accumulates in memory. UTF-8 throughout; money stays the exact decimal text.
// CSV cells are neutralised against spreadsheet formulas (OWASP "CSV injection"):
// a text cell starting with = + - @ tab or CR gets a leading ', numbers stay numbers.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Format } from './request.ts';
import type { ExportRow, Table } from './tables.ts';

export const CONTENT_TYPES: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Each batch as the columns asked for, in order (a row lacking one gets null). */
async function* project(batches: Table['rows'], columns: string[]): AsyncGenerator<ExportRow[]> {
  for await (const batch of batches) {
    yield batch.map((row) => {
      const out: ExportRow = {};
      for (const c of columns) out[c] = row[c] ?? null;
      return out;
    });
  }
}

// A batch (thousands of rows) becomes one chunk: per-row async steps would cost more than the encoding.

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A text cell a spreadsheet would run as a formula, made inert; a number (-0.25, +1e3) is left as it is. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

/** Rows as CSV text (with the header line or not): booleans as words, null as an empty field; decimals are already text. */
export function csvText(rows: ExportRow[], columns: string[], header: boolean): string {
  return stringify(rows, { columns, header, cast: { boolean: (b: boolean) => (b ? 'true' : 'false'), string: neutraliseFormula } });
}

async function* csv(batches: AsyncIterable<ExportRow[]>, columns: string[]): AsyncGenerator<string> {
  let header = true;
  for await (const batch of batches) {
    if (!batch.length) continue;
    yield csvText(batch, columns, header);
    header = false;
  }
  if (header) yield csvText([], columns, header); // no rows: the header alone
}

async function* jsonArray(batches: AsyncIterable<ExportRow[]>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const batch of batches) {
    if (!batch.length) continue;
    yield `${first ? '\n' : ',\n'}${batch.map((row) => JSON.stringify(row)).join(',\n')}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* ndjson(batches: AsyncIterable<ExportRow[]>): AsyncGenerator<string> {
  for await (const batch of batches) if (batch.length) yield `${batch.map((row) => JSON.stringify(row)).join('\n')}\n`;
}

const ENCODERS = { csv, json: jsonArray, ndjson } as const;

/** The table as a byte stream; read it and it reads the rows, stop and they stop (a database cursor closes). */
export function encode(table: Table, format: Format): Readable {
  if (table.bytes) return Readable.from(table.bytes, { objectMode: false });
  return Readable.from(ENCODERS[format](project(table.rows, table.columns), table.columns), { objectMode: false });
}
