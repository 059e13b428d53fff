// Scope values the workspace has never seen: a budget on `model = claude-sonet` (a typo) would
// never count a cent nor block anything. It is accepted (work may not have started yet), with a
// warning naming the closest values the workspace has seen.
import { distance } from 'fastest-levenshtein';
import { type SemanticLayer, usageMember } from '@spendgraph/semantic';
import type { ScopeFilter } from './schema.ts';

export interface ScopeWarning {
  /** Argument path of the value: `scope[0].values[1]`. */
  path: string;
  value: string;
  message: string;
  suggestions: string[];
}

const MAX_SUGGESTIONS = 3;
/** Values read per dimension to suggest from (the most used first). */
const CANDIDATES = 10_000;

async function seen(semantic: SemanticLayer, workspaceId: string, dimension: string, values?: string[]): Promise<string[]> {
  const { data } = await semantic.load({
    measures: [usageMember('calls')],
    dimensions: [usageMember(dimension)],
    filters: values ? [{ member: usageMember(dimension), operator: 'equals', values }] : [],
    order: [[usageMember('calls'), 'desc']],
    limit: CANDIDATES,
  }, { workspaceId });
  return data.map((r) => r[usageMember(dimension)]).filter((v): v is string => typeof v === 'string');
}

/**
 * The closest seen values, best first: edit distance to the whole value or, for values that
 * extend the typed one (`claude-sonnet-4-5-20250929` for `claude-sonet`), to its beginning.
 */
export function closest(value: string, candidates: readonly string[], n = MAX_SUGGESTIONS): string[] {
  const typed = value.toLowerCase();
  const score = (c: string) => {
    const seen = c.toLowerCase();
    return Math.min(distance(typed, seen), distance(typed, seen.slice(0, typed.length + 1)) + 1);
  };
  return candidates
    .map((c) => ({ c, d: score(c) }))
    .filter(({ d }) => d <= Math.max(2, Math.ceil(typed.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map(({ c }) => c);
}

/** One warning per scope value no event of the workspace carries. */
export async function scopeWarnings(semantic: SemanticLayer, workspaceId: string, scope: readonly ScopeFilter[]): Promise<ScopeWarning[]> {
  const warnings: ScopeWarning[] = [];
  for (const [i, f] of scope.entries()) {
    const present = new Set(await seen(semantic, workspaceId, f.member, [...f.values]));
    const unseen = f.values.map((v, j) => [v, j] as const).filter(([v]) => !present.has(v));
    if (!unseen.length) continue;
    const candidates = await seen(semantic, workspaceId, f.member);
    for (const [value, j] of unseen) {
      const suggestions = closest(value, candidates);
      warnings.push({
        path: `scope[${i}].values[${j}]`, value, suggestions,
        message: `no event of this workspace has ${f.member} '${value}'${suggestions.length ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?` : ''}`,
      });
    }
  }
  return warnings;
}
