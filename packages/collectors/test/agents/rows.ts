// The shape every agent's truth takes: token totals per UTC day × model and per session, in disjoint
// partitions (input without cache reads or writes, output without reasoning). Shared by the truth
// scripts and the test; it only adds numbers.
export interface Tokens { calls: number; input: number; output: number; cache_read: number; cache_write: number; reasoning: number }
export interface Truth { days: Record<string, Tokens>; sessions: Record<string, Tokens> }

const zero = (): Tokens => ({ calls: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 });

function add(into: Record<string, Tokens>, key: string, t: Omit<Tokens, 'calls'>) {
  const row = (into[key] ??= zero());
  row.calls++;
  for (const k of ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const) row[k] += t[k];
}

/** Adds one call to the day × model and session tables (`day|model` keys, sorted on output). */
export function tally(truth: Truth, call: { day: string; model: string; session: string } & Omit<Tokens, 'calls'>) {
  add(truth.days, `${call.day}|${call.model}`, call);
  add(truth.sessions, call.session, call);
}

export function sorted(truth: Truth): Truth {
  const sort = (o: Record<string, Tokens>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { days: sort(truth.days), sessions: sort(truth.sessions) };
}
