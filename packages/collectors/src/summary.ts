// The dry-run report: calls and tokens per day, model and session.
import type { Call } from './call.ts';
import { TOKEN_TYPES, type TokenCounts, type TokenType, noTokens, toTokenCounts } from '@spendgraph/schema';

/** summarize() adds these by name: a token type added to the schema fails to compile here until it is added there too. */
const SUMMED: Record<TokenType, true> = { input: true, output: true, cache_read: true, cache_write_5m: true, cache_write_1h: true, reasoning: true };
void SUMMED;

export interface SummaryRow extends TokenCounts {
  day: string;
  tool: string;
  model: string;
  session: string;
  calls: number;
}

export function summarize(calls: Call[]): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  let last: SummaryRow | undefined;
  for (const c of calls) {
    const session = c.sessionId ?? '-';
    // A file's calls mostly follow each other in one row: the previous call's, when every field is the same.
    let row = last && c.tool === last.tool && c.model === last.model && session === last.session && last.day.length === 10 && c.occurredAt.startsWith(last.day) ? last : undefined;
    if (!row) {
      const day = c.occurredAt.slice(0, 10);
      const k = `${day}\u0000${c.tool}\u0000${c.model}\u0000${session}`;
      row = rows.get(k);
      if (!row) rows.set(k, (row = { day, tool: c.tool, model: c.model, session, calls: 0, ...noTokens() }));
      last = row;
    }
    row.calls++;
    const t = toTokenCounts(c.usage, c.provider);
    // Written out: a loop over TOKEN_TYPES reads and writes a row by six names at one site (~0.1 s over 200k calls).
    row.input += Math.max(0, t.input);
    row.output += Math.max(0, t.output);
    row.cache_read += Math.max(0, t.cache_read);
    row.cache_write_5m += Math.max(0, t.cache_write_5m);
    row.cache_write_1h += Math.max(0, t.cache_write_1h);
    row.reasoning += Math.max(0, t.reasoning);
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
