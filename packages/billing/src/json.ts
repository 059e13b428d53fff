// JSON whose numbers stay exact: a cost of 0.1234567890123456789 must not become a float.
import type { z } from 'zod';
import { type BillLine, BillParseError, type ParsedBill, billOf } from './line.ts';

/** Parses JSON with every number replaced by its source text (a decimal string). */
export function parseExactJson(text: string): unknown {
  try {
    return JSON.parse(text, (_key, value, context?: { source?: string }) => (typeof value === 'number' ? context!.source : value));
  } catch (e) {
    throw new BillParseError('body', `is not JSON (${(e as Error).message})`);
  }
}

/** The value as the schema reads it, or a BillParseError naming the first field at fault. */
export function readJson<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new BillParseError(`${prefix}${issue.path.join('.')}` || 'body', issue.message);
}

/** A body holding one page of a paged report, or an array of pages (a period fetched page by page). */
export const pagesOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** A paged report's reader: each page checked by the schema (errors name the page when there are several). */
export function pagedBill<P>(schema: z.ZodType<P>, linesOf: (page: P) => { lines: BillLine[]; days: string[] }) {
  return (pages: unknown[]): ParsedBill => {
    const read = pages.map((p, i) => linesOf(readJson(schema, p, pages.length > 1 ? `${i}.` : '')));
    return billOf(read.flatMap((r) => r.lines), read.flatMap((r) => r.days));
  };
}
