'use client';
// The breakdown tree as an expandable pivot table (TanStack Table): sortable by any column
// (siblings are sorted within their parent), every cell drills to the events behind it,
// and the export buttons write exactly the rows in the order shown.
import Link from 'next/link';
import { useMemo, useState } from 'react';
import {
  type ColumnDef, type ExpandedState, type Row, type SortingState, flexRender, getCoreRowModel, getExpandedRowModel,
  getSortedRowModel, useReactTable,
} from '@tanstack/react-table';
import type { Node } from '@/lib/breakdown';
import { WORKSPACE_SEGMENT } from '@/lib/query-state';
import { flatten, toCsv } from '@/lib/flatten';
import { formatChange, formatMeasure, formatPercent, formatTags } from '@/lib/format';
import { type Filter, type TimeRange, eventsHref, otherEventsHref } from '@/lib/query-state';

interface Props {
  root: Node; by: string[]; measures: Array<{ name: string; title: string }>;
  filters: Filter[]; range: TimeRange; initialSort: { column: string; desc: boolean } | null;
  /** The same breakdown over the previous period: adds a previous and a change column per measure. */
  previous?: Node | null;
  /** The workspace's reporting currency: money measures are in it. */
  currency: string;
}

/**
 * A node under a workspace of the organization (the explorer segmented by workspace): the event
 * log is one workspace's, so its cells link to no events.
 */
const acrossWorkspaces = (n: Node) => n.path.some((p) => p.dimension === WORKSPACE_SEGMENT);

/** Sort key of a value: numbers, and time measures (`last_event_at`) by their instant. */
const num = (v: string | null) => (v === null ? Number.NEGATIVE_INFINITY : /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number(v));
/** A node as people read it: the tags dimension's JSON as `key=value` pairs. */
export const nodeLabel = (n: Node) => (n.dimension === 'tags' && !n.other && n.value !== null ? formatTags(n.value) : n.label);
const pathKey = (n: Node) => JSON.stringify(n.path.map((p) => p.value));
const measureOf = (n: Node | undefined, m: string) => n?.measures.find((x) => x.measure === m)?.value ?? null;

/** Nodes of a tree by their path (not `Other` buckets: which groups they hold differs between periods). */
function byPath(root: Node | null | undefined): Map<string, Node> {
  const map = new Map<string, Node>();
  const walk = (n: Node) => { if (!n.other) map.set(pathKey(n), n); n.children.forEach(walk); };
  if (root) walk(root);
  return map;
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

export function PivotTable({ root, by, measures, filters, range, initialSort, previous, currency }: Props) {
  const [sorting, setSorting] = useState<SortingState>(initialSort ? [{ id: initialSort.column, desc: initialSort.desc }] : []);
  const [expanded, setExpanded] = useState<ExpandedState>(true);
  const before = useMemo(() => byPath(previous), [previous]);
  /** Where a row drills to: its events; an `Other (N)` bucket's are its parent's minus the values shown beside it. */
  const href = (row: Row<Node>) => {
    const n = row.original;
    if (!n.other) return eventsHref(filters, range, n.path);
    const parent = row.getParentRow()?.original ?? root;
    return otherEventsHref(filters, range, parent.path, n.dimension!, parent.children.filter((c) => !c.other).map((c) => c.value));
  };
  const columns = useMemo<ColumnDef<Node>[]>(() => [
    {
      id: 'label', header: by.length ? by.join(' › ') : 'Segment', accessorFn: nodeLabel, sortingFn: 'alphanumeric',
      cell: ({ row }) => (
        <span style={{ paddingLeft: row.depth * 18, display: 'inline-flex', gap: 6 }}>
          {row.getCanExpand()
            ? <button type="button" className="expander" aria-expanded={row.getIsExpanded()} aria-label={`${row.getIsExpanded() ? 'Collapse' : 'Expand'} ${row.original.label}`} onClick={row.getToggleExpandedHandler()} style={{ padding: '0 5px' }}>{row.getIsExpanded() ? '−' : '+'}</button>
            : <span style={{ width: 22 }} />}
          {acrossWorkspaces(row.original)
            ? <span data-segment="">{nodeLabel(row.original)}</span>
            : <Link href={href(row)} data-segment="" title={row.original.other ? 'Events of the groups in this bucket' : 'Events behind this segment'}>{nodeLabel(row.original)}</Link>}
        </span>
      ),
    },
    ...measures.flatMap((m): ColumnDef<Node>[] => [
      {
        id: m.name, header: m.title, accessorFn: (n) => n.measures.find((x) => x.measure === m.name)?.value ?? null,
        sortingFn: (a, b) => num(a.getValue(m.name)) - num(b.getValue(m.name)),
        cell: ({ row, getValue }) => {
          const v = getValue() as string | null;
          const text = formatMeasure(m.name, v, currency);
          return acrossWorkspaces(row.original) ? <span data-value={v ?? ''}>{text}</span> : <Link href={href(row)} data-value={v ?? ''}>{text}</Link>;
        },
      },
      {
        id: `${m.name}__share`, header: `${m.title} share`, accessorFn: (n) => n.measures.find((x) => x.measure === m.name)?.share ?? null,
        sortingFn: (a, b) => ((a.getValue(`${m.name}__share`) as number | null) ?? -1) - ((b.getValue(`${m.name}__share`) as number | null) ?? -1),
        cell: ({ getValue }) => formatPercent(getValue() as number | null),
      },
      ...(previous ? comparisonColumns(m, before, currency) : []),
    ]),
  ], [by, measures, filters, range, previous, before, root, currency]);

  const table = useReactTable({
    data: root.children, columns, state: { sorting, expanded },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      setSorting(next);
      const url = new URL(window.location.href);
      if (next[0]) url.searchParams.set('sort', `${next[0].id}:${next[0].desc ? 'desc' : 'asc'}`);
      else url.searchParams.delete('sort');
      window.history.replaceState(null, '', url); // shareable, without reloading the data
    },
    onExpandedChange: setExpanded,
    getSubRows: (n) => (n.children.length ? n.children : undefined),
    getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel(), getExpandedRowModel: getExpandedRowModel(),
    enableSortingRemoval: true,
  });

  /** The tree in the table's order, for the exports. */
  const shownRows = () => {
    const order = new Map<Node, number>();
    const visit = (rows: Array<Row<Node>>) => rows.forEach((r, i) => { order.set(r.original, i); visit(r.subRows); });
    visit(table.getSortedRowModel().rows);
    return flatten(root, by, measures.map((m) => m.name), (nodes) => [...nodes].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
  };
  const names = measures.map((m) => m.name);

  return (
    <section className="panel">
      <div className="toolbar" style={{ justifyContent: 'space-between', marginBottom: 8 }}>
        <h3>Pivot table</h3>
        <div className="chips">
          <button type="button" onClick={() => setExpanded(true)}>Expand all</button>
          <button type="button" onClick={() => setExpanded({})}>Collapse all</button>
          <button type="button" onClick={() => download('spendgraph-breakdown.csv', 'text/csv', toCsv(shownRows(), by, names))}>Export CSV</button>
          <button type="button" onClick={() => download('spendgraph-breakdown.json', 'application/json', JSON.stringify({ by, measures: names, filters, range, rows: shownRows() }, null, 2))}>Export JSON</button>
        </div>
      </div>
      <div className="scroll">
        <table data-testid="pivot">
          <thead>{table.getHeaderGroups().map((g) => (
            <tr key={g.id}>{g.headers.map((h) => {
              const sorted = h.column.getIsSorted();
              return (
                <th key={h.id} scope="col" className={h.id === 'label' ? '' : 'num'} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                  <button type="button" onClick={h.column.getToggleSortingHandler()}>{flexRender(h.column.columnDef.header, h.getContext())}<span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span></button>
                </th>
              );
            })}</tr>
          ))}</thead>
          <tbody>
            <tr data-depth="0" data-testid="pivot-total">
              <td><strong>Total</strong></td>
              {names.flatMap((m) => [
                <td key={m} className="num" data-value={root.measures.find((x) => x.measure === m)?.value ?? ''}><strong>{formatMeasure(m, root.measures.find((x) => x.measure === m)?.value, currency)}</strong></td>,
                <td key={`${m}s`} />,
                ...(previous ? [
                  <td key={`${m}p`} className="num" data-value={measureOf(previous, m) ?? ''}>{formatMeasure(m, measureOf(previous, m), currency)}</td>,
                  <td key={`${m}c`} className="num">{formatChange(measureOf(root, m), measureOf(previous, m))}</td>,
                ] : []),
              ])}
            </tr>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-depth={row.depth + 1} data-path={JSON.stringify(row.original.path.map((p) => p.value))}>
                {row.getVisibleCells().map((c) => <td key={c.id} className={c.column.id === 'label' ? '' : 'num'}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        {root.children.length === 0 && by.length > 0 && <p className="empty">No events match this range and these filters.</p>}
      </div>
    </section>
  );
}

/** The previous period's value of a row (matched by path) and the change against it. */
function comparisonColumns(m: { name: string; title: string }, before: Map<string, Node>, currency: string): ColumnDef<Node>[] {
  const prev = (n: Node) => (n.other ? null : measureOf(before.get(pathKey(n)), m.name));
  return [
    {
      id: `${m.name}__previous`, header: `${m.title}, previous period`, accessorFn: prev,
      sortingFn: (a, b) => num(a.getValue(`${m.name}__previous`)) - num(b.getValue(`${m.name}__previous`)),
      cell: ({ row, getValue }) => <span data-value={(getValue() as string | null) ?? ''}>{row.original.other ? '—' : formatMeasure(m.name, getValue() as string | null, currency)}</span>,
    },
    {
      id: `${m.name}__change`, header: `${m.title} change`, enableSorting: false,
      cell: ({ row }) => (row.original.other ? '—' : formatChange(measureOf(row.original, m.name), prev(row.original))),
    },
  ];
}
