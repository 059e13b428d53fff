// CSV bills (Google Cloud's billing export, FOCUS): records by header, with their line numbers
// so an error can name the line. csv-parse handles quoting, embedded newlines and a BOM.
import { CsvError, parse } from 'csv-parse/sync';
import { isCurrencyCode } from '@spendgraph/schema';
import { BillParseError, decimal, utcDay } from './line.ts';

export interface CsvRow {
  /** Line of the file the record starts on (the header is line 1). */
  line: number;
  get(column: string): string | undefined;
}

/** The rows of a CSV file whose header has every required column. */
export function readCsv(text: string, required: string[][]): { columns: string[]; rows: CsvRow[] } {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false }) as never;
  } catch (e) {
    if (e instanceof CsvError) throw new BillParseError('csv', e.message.replace(/^Invalid Record Length: /, ''), (e as CsvError & { lines?: number }).lines);
    throw e;
  }
  if (records.length === 0) throw new BillParseError('csv', 'the file is empty', 1);
  const columns = records[0]!.record.map((c) => c.trim());
  const index = new Map(columns.map((c, i) => [c, i]));
  for (const alternatives of required) {
    if (!alternatives.some((c) => index.has(c))) throw new BillParseError(alternatives.join(' or '), 'is a required column and missing from the header', 1);
  }
  const rows = records.slice(1).map(({ record, info }) => ({
    line: info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0),
    get: (column: string) => {
      const i = index.get(column);
      const v = i === undefined ? undefined : record[i]?.trim();
      return v === '' ? undefined : v;
    },
  }));
  return { columns, rows };
}

/** The first of the columns with a value. */
export const firstOf = (row: CsvRow, columns: string[]) => columns.map((c) => row.get(c)).find((v) => v !== undefined);

/** A required value, or a BillParseError naming the row and column. */
export function required(row: CsvRow, column: string): string {
  const v = row.get(column);
  if (v === undefined) throw new BillParseError(column, 'is required', row.line);
  return v;
}

export function money(row: CsvRow, column: string): string {
  const v = decimal(required(row, column));
  if (v === undefined) throw new BillParseError(column, `'${row.get(column)}' is not a number`, row.line);
  return v;
}

export function day(row: CsvRow, column: string): string {
  const v = utcDay(required(row, column));
  if (v === undefined) throw new BillParseError(column, `'${row.get(column)}' is not a date and time`, row.line);
  return v;
}

export function currency(row: CsvRow, column: string): string {
  const v = required(row, column);
  if (!/^[A-Za-z]{3}$/.test(v) || !isCurrencyCode(v.toUpperCase())) throw new BillParseError(column, `'${v}' is not an ISO 4217 currency code`, row.line);
  return v.toUpperCase();
}
