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
import { flatten, toCsv } from '@/lib/flatten';
import { formatMeasure, formatPercent } from '@/lib/format';
import { type Filter, type TimeRange, eventsHref } from '@/lib/query-state';

interface Props {
  root: Node; by: string[]; measures: Array<{ name: string; title: string }>;
  filters: Filter[]; range: TimeRange; initialSort: { column: string; desc: boolean } | null;
}

const num = (v: string | null) => (v === null ? Number.NEGATIVE_INFINITY : Number(v));

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

export function PivotTable({ root, by, measures, filters, range, initialSort }: Props) {
  const [sorting, setSorting] = useState<SortingState>(initialSort ? [{ id: initialSort.column, desc: initialSort.desc }] : []);
  const [expanded, setExpanded] = useState<ExpandedState>(true);
  const columns = useMemo<ColumnDef<Node>[]>(() => [
    {
      id: 'label', header: by.length ? by.join(' › ') : 'Segment', accessorFn: (n) => n.label, sortingFn: 'alphanumeric',
      cell: ({ row }) => (
        <span style={{ paddingLeft: row.depth * 18, display: 'inline-flex', gap: 6 }}>
          {row.getCanExpand()
            ? <button type="button" className="expander" aria-expanded={row.getIsExpanded()} aria-label={`${row.getIsExpanded() ? 'Collapse' : 'Expand'} ${row.original.label}`} onClick={row.getToggleExpandedHandler()} style={{ padding: '0 5px' }}>{row.getIsExpanded() ? '−' : '+'}</button>
            : <span style={{ width: 22 }} />}
          {row.original.other ? row.original.label : <Link href={eventsHref(filters, range, row.original.path)} title="Events behind this segment">{row.original.label}</Link>}
        </span>
      ),
    },
    ...measures.flatMap((m): ColumnDef<Node>[] => [
      {
        id: m.name, header: m.title, accessorFn: (n) => n.measures.find((x) => x.measure === m.name)?.value ?? null,
        sortingFn: (a, b) => num(a.getValue(m.name)) - num(b.getValue(m.name)),
        cell: ({ row, getValue }) => {
          const v = getValue() as string | null;
          const text = formatMeasure(m.name, v);
          return row.original.other ? <span data-value={v ?? ''}>{text}</span> : <Link href={eventsHref(filters, range, row.original.path)} data-value={v ?? ''}>{text}</Link>;
        },
      },
      {
        id: `${m.name}__share`, header: `${m.title} share`, accessorFn: (n) => n.measures.find((x) => x.measure === m.name)?.share ?? null,
        sortingFn: (a, b) => ((a.getValue(`${m.name}__share`) as number | null) ?? -1) - ((b.getValue(`${m.name}__share`) as number | null) ?? -1),
        cell: ({ getValue }) => formatPercent(getValue() as number | null),
      },
    ]),
  ], [by, measures, filters, range]);

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
                <td key={m} className="num" data-value={root.measures.find((x) => x.measure === m)?.value ?? ''}><strong>{formatMeasure(m, root.measures.find((x) => x.measure === m)?.value)}</strong></td>,
                <td key={`${m}s`} />,
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
