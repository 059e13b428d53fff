// Savings recommendations (issue 17): the range's model calls per workflow step and model, and the
// what-ifs they suggest, ranked by estimated monthly saving. Each states its evidence; nothing is
// changed. Three kinds:
// - cheaper_model: another model already serves the same step with an error rate no worse than
//   ERROR_MARGIN above this one's, and costs less for this model's token mix;
// - cache: a prompt-heavy model whose cache hit ratio is below POOR_CACHE, repriced at the best
//   ratio the same model reaches elsewhere in the workspace (at least POOR_CACHE, at most 0.9);
// - context: the average prompt per call grew by GROWTH or more from the range's first half to its
//   second, repriced with the prompt brought back to the first half's size.
import { Decimal } from 'decimal.js';
import { type Pricer, type Scenario, repriceMix } from '@spendgraph/pricing';
import { type Period, now } from '@spendgraph/periods';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { promptTokens } from '@spendgraph/schema';
import { argumentError } from './errors.ts';
import type { TimeRangeArg } from './query-args.ts';
import { type MixRow, assumptions, monthly, observedDays, tokenMix } from './what-if.ts';

const D = Decimal.clone({ precision: 50 });
/** Fewer calls than this are no evidence. */
const MIN_CALLS = 20;
const ERROR_MARGIN = 0.02;
const POOR_CACHE = 0.5;
const GROWTH = 0.2;
/** Prompts shorter than this cannot be cached (providers' minimum cacheable prefix). */
const MIN_CACHEABLE_PROMPT = 1024;
const BY = ['workflow', 'step'] as const;

export interface RecommendationArgs { timeRange?: TimeRangeArg | null; timezone?: string | null; limit?: number | null }

interface Filter { member: string; operator: 'equals' | 'notSet'; values: string[] }
interface Evidence { label: string; value: string }

export interface Recommendation {
  kind: 'cheaper_model' | 'cache' | 'context';
  title: string;
  filters: Filter[];
  scenario: Scenario;
  saving: string;
  monthlySaving: string;
  evidence: Evidence[];
  assumptions: string[];
}

interface Found { kind: Recommendation['kind']; title: string; row: MixRow; scenario: Scenario; evidence: Evidence[] }

const errorRate = (r: MixRow) => (r.mix.calls ? r.errorCalls / r.mix.calls : 0);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sliceKey = (r: MixRow) => JSON.stringify(BY.map((d) => r.by[d]));
const rowKey = (r: MixRow) => JSON.stringify([sliceKey(r), r.mix.provider, r.mix.model, r.mix.serviceTier]);
const where = (r: MixRow) => BY.map((d) => r.by[d] ?? `(no ${d})`).join(' / ');
const cacheRatio = (r: MixRow) => { const p = promptTokens(r.mix.tokens); return p ? r.mix.tokens.cache_read / p : 0; };
const promptPerCall = (r: MixRow) => (r.mix.calls ? promptTokens(r.mix.tokens) / r.mix.calls : 0);
const eq = (member: string, value: string | null): Filter => (value === null ? { member, operator: 'notSet', values: [] } : { member, operator: 'equals', values: [value] });

/** The slice a recommendation applies to, as whatIf filters. */
function filtersOf(r: MixRow): Filter[] {
  return [...BY.map((d) => eq(d, r.by[d] ?? null)), eq('provider', r.mix.provider), eq('model', r.mix.model), eq('service_tier', r.mix.serviceTier)];
}

function cheaperModels(rows: MixRow[], pricer: Pricer, at: Date): Found[] {
  const bySlice = Map.groupBy(rows.filter((r) => r.mix.calls >= MIN_CALLS), sliceKey);
  const found: Found[] = [];
  for (const slice of bySlice.values()) {
    for (const e of slice) {
      let best: { c: MixRow; saving: Decimal } | undefined;
      for (const c of slice) {
        if (c.mix.model === e.mix.model || errorRate(c) > errorRate(e) + ERROR_MARGIN) continue;
        const p = repriceMix(pricer, e.mix, { model: c.mix.model, provider: c.mix.provider }, at);
        if (p.baseline === null || p.scenario === null) continue;
        const saving = new D(p.baseline).minus(p.scenario);
        if (saving.gt(0) && (!best || saving.gt(best.saving))) best = { c, saving };
      }
      if (!best) continue;
      const c = best.c;
      found.push({
        kind: 'cheaper_model', row: e, scenario: { model: c.mix.model, provider: c.mix.provider },
        title: `Try ${c.mix.model} instead of ${e.mix.model} for ${where(e)}`,
        evidence: [
          { label: `calls on ${e.mix.model}`, value: String(e.mix.calls) },
          { label: `error rate on ${e.mix.model}`, value: pct(errorRate(e)) },
          { label: `calls on ${c.mix.model} (same step)`, value: String(c.mix.calls) },
          { label: `error rate on ${c.mix.model} (same step)`, value: pct(errorRate(c)) },
        ],
      });
    }
  }
  return found;
}

function poorCaching(rows: MixRow[]): Found[] {
  const counted = rows.filter((r) => r.mix.calls >= MIN_CALLS);
  const bestOf = new Map<string, number>();
  for (const r of counted) {
    const m = `${r.mix.provider}/${r.mix.model}`;
    bestOf.set(m, Math.max(bestOf.get(m) ?? 0, cacheRatio(r)));
  }
  return counted.filter((r) => cacheRatio(r) < POOR_CACHE && promptPerCall(r) >= MIN_CACHEABLE_PROMPT).map((r) => {
    const best = bestOf.get(`${r.mix.provider}/${r.mix.model}`)!;
    const target = Math.min(0.9, Math.max(POOR_CACHE, Math.floor(best * 100) / 100));
    return {
      kind: 'cache' as const, row: r, scenario: { cacheHitRatio: target.toFixed(2) },
      title: `Cache more of ${r.mix.model}'s prompts in ${where(r)}: ${pct(cacheRatio(r))} read from the cache, ${pct(target)} assumed reachable`,
      evidence: [
        { label: 'cache hit ratio', value: pct(cacheRatio(r)) },
        { label: `best cache hit ratio of ${r.mix.model} in the workspace`, value: pct(best) },
        { label: 'prompt tokens per call', value: promptPerCall(r).toFixed(0) },
        { label: 'calls', value: String(r.mix.calls) },
      ],
    };
  });
}

function growingContexts(rows: MixRow[], early: MixRow[], late: MixRow[]): Found[] {
  const earlyOf = new Map(early.map((r) => [rowKey(r), r]));
  const lateOf = new Map(late.map((r) => [rowKey(r), r]));
  const found: Found[] = [];
  for (const r of rows) {
    const a = earlyOf.get(rowKey(r));
    const b = lateOf.get(rowKey(r));
    if (!a || !b || a.mix.calls < MIN_CALLS || b.mix.calls < MIN_CALLS || !promptPerCall(a)) continue;
    const growth = promptPerCall(b) / promptPerCall(a) - 1;
    if (growth < GROWTH) continue;
    const reduction = new D(1).minus(new D(promptPerCall(a)).dividedBy(promptPerCall(b))).toDecimalPlaces(6, Decimal.ROUND_DOWN).toFixed();
    found.push({
      kind: 'context', row: r, scenario: { contextReduction: reduction },
      title: `Trim the growing context of ${r.mix.model} in ${where(r)}: prompts grew ${pct(growth)} within the range`,
      evidence: [
        { label: 'prompt tokens per call, first half', value: promptPerCall(a).toFixed(0) },
        { label: 'prompt tokens per call, second half', value: promptPerCall(b).toFixed(0) },
        { label: 'growth', value: pct(growth) },
      ],
    });
  }
  return found;
}

const half = (which: 0 | 1) => (p: Period): Period => {
  const mid = new Date(p.from.getTime() + Math.floor((Math.min(p.to.getTime(), now().getTime()) - p.from.getTime()) / 2));
  return which === 0 ? { ...p, to: mid } : { ...p, from: mid };
};

export async function savingsRecommendations(semantic: SemanticLayer, ctx: SemanticContext, pricer: Pricer, args: RecommendationArgs): Promise<Recommendation[]> {
  const limit = args.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw argumentError('INVALID_ARGUMENT', 'limit', 'must be from 1 to 100');
  // The range and its halves at once: three independent reads (the page waited on two in a row).
  const [{ period, rows }, early, late] = await Promise.all([tokenMix(semantic, ctx, args, BY), ...[0, 1].map((h) => tokenMix(semantic, ctx, args, BY, half(h as 0 | 1)))]);
  const at = now();
  const days = observedDays(period, at);
  const found = [...cheaperModels(rows, pricer, at), ...poorCaching(rows), ...growingContexts(rows, early!.rows, late!.rows)];
  const recs: Recommendation[] = [];
  for (const f of found) {
    const p = repriceMix(pricer, f.row.mix, f.scenario, at);
    if (p.baseline === null || p.scenario === null) continue;
    const saving = new D(p.baseline).minus(p.scenario);
    if (saving.lte(0)) continue;
    recs.push({
      kind: f.kind, title: f.title, filters: filtersOf(f.row), scenario: f.scenario, saving: saving.toFixed(), monthlySaving: monthly(saving, days),
      evidence: f.evidence, assumptions: assumptions(f.scenario, at, days, 0, p.writesAsInput),
    });
  }
  return recs.sort((a, b) => new D(b.monthlySaving).comparedTo(a.monthlySaving) || a.title.localeCompare(b.title)).slice(0, limit);
}
