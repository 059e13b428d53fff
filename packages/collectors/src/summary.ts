// The dry-run report: calls and tokens per day, model and session.
import type { Call } from './call.ts';
import { type TokenCounts, toTokenCounts } from '@spendgraph/schema';

export interface SummaryRow extends TokenCounts {
  day: string;
  tool: string;
  model: string;
  session: string;
  calls: number;
}

const TOKEN_COLUMNS = ['input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning'] as const;

export function summarize(calls: Call[]): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const c of calls) {
    const day = c.occurredAt.slice(0, 10);
    const session = c.sessionId ?? '-';
    const k = `${day}\u0000${c.tool}\u0000${c.model}\u0000${session}`;
    let row = rows.get(k);
    if (!row) rows.set(k, (row = { day, tool: c.tool, model: c.model, session, calls: 0, input: 0, output: 0, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, reasoning: 0 }));
    row.calls++;
    const t = toTokenCounts(c.usage, c.provider);
    for (const col of TOKEN_COLUMNS) row[col] += Math.max(0, t[col]);
  }
  return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model) || a.session.localeCompare(b.session));
}

/** Rows as an aligned text table with a total line. */
export function formatSummary(rows: SummaryRow[]): string {
  const total = rows.reduce<Record<string, number>>((t, r) => {
    t.calls = (t.calls ?? 0) + r.calls;
    for (const c of TOKEN_COLUMNS) t[c] = (t[c] ?? 0) + r[c];
    return t;
  }, {});
  const head = ['day', 'tool', 'model', 'session', 'calls', ...TOKEN_COLUMNS];
  const body = rows.map((r) => [r.day, r.tool, r.model, r.session.slice(0, 36), ...[r.calls, ...TOKEN_COLUMNS.map((c) => r[c])].map((n) => n.toLocaleString('en-US'))]);
  body.push(['total', '', '', '', ...[total.calls ?? 0, ...TOKEN_COLUMNS.map((c) => total[c] ?? 0)].map((n) => n.toLocaleString('en-US'))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
