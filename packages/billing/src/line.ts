// What every bill format becomes (the line type is shared with storage: @spendgraph/schema), parse errors and decimals.
import { Decimal } from 'decimal.js';

export type { BillLine, BillSource } from '@spendgraph/schema';
export { BILL_SOURCES } from '@spendgraph/schema';
import type { BillLine } from '@spendgraph/schema';

/** A parsed bill: its lines and every day it speaks for (a day without lines billed nothing). */
export interface ParsedBill {
  lines: BillLine[];
  days: string[];
}

/** A bill that cannot be read: where (line of a CSV file, or JSON path) and which field. */
export class BillParseError extends Error {
  readonly field: string;
  readonly line: number | undefined;
  constructor(field: string, message: string, line?: number) {
    super(`${line === undefined ? '' : `line ${line}: `}${field}: ${message}`);
    this.field = field;
    this.line = line;
  }
}

export const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal string written the plain way (no exponent), or undefined when it is not a number. */
export function decimal(text: string): string | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  return new Decimal(t).toFixed();
}

/** Exact sum of decimal strings. */
export const sum = (values: string[]): string => values.reduce((a, v) => a.plus(v), new Decimal(0)).toFixed();

/** The days of the lines and of the periods given, sorted and unique. */
export function billOf(lines: BillLine[], periodDays: string[] = []): ParsedBill {
  return { lines, days: [...new Set([...periodDays, ...lines.map((l) => l.day)])].sort() };
}

/** The UTC date of an instant given as text, or undefined when it is no instant. */
export function utcDay(text: string): string | undefined {
  // BigQuery's CSV writes `2026-11-30 08:00:00 UTC`; everything else is RFC 3339.
  const normal = text.trim().replace(/ UTC$/, 'Z').replace(' ', 'T');
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(normal)) return undefined;
  const withZone = /T/.test(normal) && !/(Z|[+-]\d{2}:?\d{2})$/.test(normal) ? `${normal}Z` : normal;
  const ms = Date.parse(withZone.length === 10 ? `${withZone}T00:00:00Z` : withZone);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}

/** Provider names as events spell them (`Google Cloud` → google, `OpenAI` → openai). */
export function providerOf(name: string): string {
  const n = name.trim().toLowerCase();
  if (n.startsWith('google') || n === 'gcp' || n === 'vertex ai') return 'google';
  if (n.startsWith('microsoft') || n === 'azure') return 'azure';
  if (n.startsWith('amazon') || n === 'aws') return 'aws';
  return n.replace(/\s+/g, '-');
}
