// The query shapes as tables: a breakdown tree flattened to one row per node (its
// path in one column per `by` dimension), a timeseries as one row per point, and
// single events streamed from Postgres. Every figure comes from the semantic layer
// (the same breakdown()/timeseries() the GraphQL API answers with); money and
// token counts stay exact decimal strings.
import { DateTime } from 'luxon';
import type { Pool } from '@spendgraph/db';
import { type SemanticContext, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { type BreakdownNode, breakdown } from '../query/breakdown.ts';
import { argumentError, semanticCall } from '../query/errors.ts';
import { EVENT_DIMENSIONS, EVENT_MEASURES, NEWEST_FIRST } from '../query/events.ts';
import { QueryArgs, checkTimezone, shortName } from '../query/query-args.ts';
import { timeseries } from '../query/timeseries.ts';
import type { ExportRequest } from './request.ts';
import { type Row, streamQuery } from './stream-query.ts';
import { copyOut, copyStatement } from './copy-export.ts';

export type Cell = string | number | boolean | null;
export type ExportRow = Record<string, Cell>;

/** A table to write: its columns in order and its rows in batches (lazily for large tables). */
export interface Table {
  columns: string[];
  rows: AsyncIterable<ExportRow[]> | Iterable<ExportRow[]>;
  /** Facts about the export sent as response headers (e.g. unpriced events left out). */
  headers?: Record<string, string>;
  /** The table already encoded in the export's format (Postgres wrote it); `rows` is then empty. */
  bytes?: AsyncIterable<Buffer>;
  /** Releases what the rows hold (a database cursor) when they will not be read to the end. */
  close?: () => Promise<void>;
}

export interface TableDeps {
  semantic: SemanticLayer;
  pool: Pool;
}

/** Keeps the columns asked for, in the order asked; an unknown one is an error naming it. */
export function selectColumns(available: readonly string[], asked: readonly string[] | null | undefined): string[] {
  if (!asked?.length) return [...available];
  asked.forEach((c, i) => {
    if (!available.includes(c)) throw argumentError('UNKNOWN_COLUMN', `columns[${i}]`, `'${c}' is not a column of this export; columns: ${available.join(', ')}`);
  });
  if (new Set(asked).size !== asked.length) throw argumentError('INVALID_ARGUMENT', 'columns', 'a column appears twice');
  return [...asked];
}

/** Arguments another shape takes are an error here, not silently ignored. */
export function refuse(req: ExportRequest, fields: Array<keyof ExportRequest>, shape: string) {
  for (const f of fields) {
    const v = req[f];
    if (v !== undefined && v !== null && !(Array.isArray(v) && !v.length)) {
      throw argumentError('INVALID_ARGUMENT', f, `does not apply to a ${shape} export`);
    }
  }
}

// ---------------------------------------------------------------------------

export async function breakdownTable(deps: TableDeps, ctx: SemanticContext, req: ExportRequest): Promise<Table> {
  refuse(req, ['granularity'], 'breakdown');
  const root = await breakdown(deps.semantic, ctx, {
    measures: req.measures ?? [], by: req.by ?? [], filters: req.filters, timeRange: req.timeRange,
    timezone: req.timezone, sort: req.sort, limit: req.limit, ...(req.names ? { names: req.names } : {}),
  });
  const by = (req.by ?? []).map((m) => shortName(m));
  const measures = root.measures.map((m) => m.measure);
  const available = ['depth', ...by, 'label', 'other', 'other_count', ...measures, ...measures.map((m) => `${m}_share`)];
  const rows: ExportRow[] = [];
  const visit = (node: BreakdownNode) => {
    const row: ExportRow = { depth: node.path.length, label: node.label, other: node.other, other_count: node.otherCount };
    for (const d of by) row[d] = null;
    for (const p of node.path) row[p.dimension] = p.value; // null in an `other` bucket and for events without it
    for (const m of node.measures) {
      row[m.measure] = m.value;
      row[`${m.measure}_share`] = m.share;
    }
    rows.push(row);
    node.children.forEach(visit);
  };
  visit(root);
  return { columns: selectColumns(available, req.columns), rows: [rows] };
}

export async function timeseriesTable(deps: TableDeps, ctx: SemanticContext, req: ExportRequest): Promise<Table> {
  refuse(req, ['sort', 'limit'], 'timeseries');
  if (!req.granularity) throw argumentError('INVALID_ARGUMENT', 'granularity', 'is required (hour, day, week, month, quarter or year)');
  const result = await timeseries(deps.semantic, ctx, {
    measures: req.measures ?? [], granularity: req.granularity, by: req.by, filters: req.filters, timeRange: req.timeRange, timezone: req.timezone,
    ...(req.names ? { names: req.names } : {}),
  });
  const by = (req.by ?? []).map((m) => shortName(m));
  const measures = (req.measures ?? []).map((m) => shortName(m));
  const rows: ExportRow[] = [];
  for (const s of result.series) {
    for (const point of s.points as Array<{ time: string; measures: Array<{ measure: string; value: string | null }> }>) {
      const row: ExportRow = { time: point.time };
      for (const k of s.key) row[k.dimension] = k.value;
      for (const m of point.measures) row[m.measure] = m.value;
      rows.push(row);
    }
  }
  rows.sort((a, b) => String(a.time).localeCompare(String(b.time))); // all series together, in time order
  return { columns: selectColumns(['time', ...by, ...measures], req.columns), rows: [rows] };
}

// ---------------------------------------------------------------------------

/** Columns of an events export: the GraphQL event's fields, as the model names them, plus its free tags. */
export const EVENT_COLUMNS = [...EVENT_DIMENSIONS, 'tags', ...EVENT_MEASURES] as const;

/** Every event of the range and filters, newest first, streamed from Postgres (no row limit). */
export async function eventsTable(deps: TableDeps, ctx: SemanticContext, req: ExportRequest): Promise<Table> {
  refuse(req, ['measures', 'by', 'granularity', 'sort', 'limit'], 'events');
  const q = new QueryArgs(deps.semantic);
  const timezone = req.timezone ?? 'UTC';
  checkTimezone(timezone);
  const columns = selectColumns(EVENT_COLUMNS, req.columns);
  const isMeasure = new Set<string>(EVENT_MEASURES);
  // The order's members must be in the query; they are dropped from the rows unless asked for.
  const dimensions = [...new Set(['event_id', 'occurred_at', ...columns.filter((c) => !isMeasure.has(c))])];
  const query = {
    dimensions: dimensions.map(usageMember),
    measures: columns.filter((c) => isMeasure.has(c)).map(usageMember),
    ungrouped: true,
    filters: q.filters(req.filters),
    timeDimensions: q.timeRange(req.timeRange, req.names?.timeRange ?? 'timeRange', timezone),
    order: NEWEST_FIRST,
    timezone,
  };
  if ((req.format === 'csv' || req.format === 'ndjson') && timezone === 'UTC') {
    // Postgres writes the file (copy-export.ts); other zones' offsets are formatted below, as JSON's are.
    const cells = columns.map((c) => ({ name: c, member: usageMember(c), utcInstant: c === 'occurred_at' }));
    const statement = await semanticCall(q.origins, () => copyStatement(deps.pool, deps.semantic, query, ctx, cells, req.format as 'csv' | 'ndjson'));
    return { columns, rows: [], bytes: copyOut(deps.pool, statement) };
  }
  const rows = await semanticCall(q.origins, () => streamQuery(deps.pool, deps.semantic, query, ctx));
  return { columns, rows: eventRows(rows, columns, timezone) };
}

async function* eventRows(batches: AsyncIterable<Row[]>, columns: string[], timezone: string): AsyncGenerator<ExportRow[]> {
  for await (const batch of batches) {
    yield batch.map((row) => {
      const out: ExportRow = {};
      for (const c of columns) {
        const v = row[usageMember(c)] ?? null;
        out[c] = c === 'occurred_at' && v !== null ? withOffset(String(v), timezone) : v;
      }
      return out;
    });
  }
}

const UTC_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?\+00$/;

/** An event's time (timestamptz text from Postgres) in the export's time zone, with its offset. */
function withOffset(instant: string, timezone: string) {
  // UTC, the common case, without a date library: a million rows pay for every microsecond.
  const utc = timezone === 'UTC' ? UTC_TEXT.exec(instant) : null;
  if (utc) return `${utc[1]}T${utc[2]}${(utc[3] ?? '.000').padEnd(4, '0')}Z`;
  return DateTime.fromSQL(instant, { zone: 'utc' }).setZone(timezone).toISO()!;
}
