// The dry-run report: calls and tokens per day, model and session.
import type { Call } from './call.ts';
import { TOKEN_TYPES, type TokenCounts, noTokens, toTokenCounts } from '@spendgraph/schema';

export interface SummaryRow extends TokenCounts {
  day: string;
  tool: string;
  model: string;
  session: string;
  calls: number;
}

export function summarize(calls: Call[]): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const c of calls) {
    const day = c.occurredAt.slice(0, 10);
    const session = c.sessionId ?? '-';
    const k = `${day}\u0000${c.tool}\u0000${c.model}\u0000${session}`;
    let row = rows.get(k);
    if (!row) rows.set(k, (row = { day, tool: c.tool, model: c.model, session, calls: 0, ...noTokens() }));
    row.calls++;
    const t = toTokenCounts(c.usage, c.provider);
    for (const col of TOKEN_TYPES) row[col] += Math.max(0, t[col]);
  }
  return [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model) || a.session.localeCompare(b.session));
}

/** Rows as an aligned text table with a total line. */
export function formatSummary(rows: SummaryRow[]): string {
  const total = rows.reduce<Record<string, number>>((t, r) => {
    t.calls = (t.calls ?? 0) + r.calls;
    for (const c of TOKEN_TYPES) t[c] = (t[c] ?? 0) + r[c];
    return t;
  }, {});
  const head = ['day', 'tool', 'model', 'session', 'calls', ...TOKEN_TYPES];
  const body = rows.map((r) => [r.day, r.tool, r.model, r.session.slice(0, 36), ...[r.calls, ...TOKEN_TYPES.map((c) => r[c])].map((n) => n.toLocaleString('en-US'))]);
  body.push(['total', '', '', '', ...[total.calls ?? 0, ...TOKEN_TYPES.map((c) => total[c] ?? 0)].map((n) => n.toLocaleString('en-US'))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
