// Why a subject costs more than its peers, in dollars. Its cost is written as a
// product of factors, each compared with its peers' (the peer medians; model
// prices and cache use the window's prices):
//
//   call_volume   the main agent's own successful calls
//   context_size  prompt tokens (input + cache reads + cache writes) per such call
//   model_choice  price per token of the subject's model mix over the price of its peers' mix
//                 (the same tokens at the peers' mix of models, at the window's price per model)
//   cache_misses  the price of its prompts at its cache hit rate over the price at the peers' rate
//   retries       cost / cost of successful calls (failed calls were paid for too)
//   subagents     cost of successful calls / cost of the main agent's own ones
//
// ln(cost / peer cost) is about the sum of ln(factor / peers' factor); the excess
// over the peer median is split between the causes whose factor is above their
// peers' in proportion to those logarithms (a log-mean Divisia split), so the
// causes' dollars add up to the excess and the largest is the top cause. Causes
// under `materialShare` of it are not named (their part goes to the named ones).
import { Decimal } from 'decimal.js';
import type { AnomalyCause, AnomalyEvidence } from '@spendgraph/db';
import { round } from './stats.ts';
import type { Subject } from './subjects.ts';

type CauseName = AnomalyCause['cause'];

/** The window's prices: cost per token of each model, and a cache read's price as a share of an uncached input token's. */
export interface Market {
  pricePerToken: Map<string, number>;
  cacheReadRatio: number;
}

const DEFAULT_CACHE_READ_RATIO = 0.1;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function marketOf(subjects: Subject[]): Market {
  const tokens = new Map<string, number>();
  const cost = new Map<string, number>();
  for (const s of subjects) {
    for (const [m, t] of s.modelTokens) tokens.set(m, (tokens.get(m) ?? 0) + t);
    for (const [m, c] of s.modelCost) cost.set(m, (cost.get(m) ?? 0) + c.toNumber());
  }
  const pricePerToken = new Map([...tokens].filter(([, t]) => t > 0).map(([m, t]) => [m, (cost.get(m) ?? 0) / t]));
  const input = sum(subjects.map((s) => s.inputCost)) / sum(subjects.map((s) => s.inputTokens));
  const read = sum(subjects.map((s) => s.cacheReadCost)) / sum(subjects.map((s) => s.cacheReadTokens));
  const ratio = read / input;
  return { pricePerToken, cacheReadRatio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : DEFAULT_CACHE_READ_RATIO };
}

/** The per-subject factors compared with peers' medians. */
export interface Factors {
  calls: number;
  promptPerCall: number;
  /** Share of prompt tokens read from the cache. */
  cacheHitRate: number;
  /** cost / cost of successful calls. */
  retryFactor: number;
  /** cost of successful calls / cost of the main agent's own successful calls. */
  subagentFactor: number;
}

const MAX_FACTOR = 1000;
const ratioOf = (a: number, b: number) => (b > 0 ? Math.min(MAX_FACTOR, a / b) : a > 0 ? MAX_FACTOR : 1);

export function factorsOf(s: Subject): Factors {
  const cost = s.cost.toNumber();
  const ok = cost - s.errorCost.toNumber();
  const own = ok - s.subagentCost.toNumber();
  return {
    calls: s.coreCalls,
    promptPerCall: s.coreCalls ? s.corePromptTokens / s.coreCalls : 0,
    cacheHitRate: s.promptTokens ? s.cacheReadTokens / s.promptTokens : 0,
    retryFactor: ratioOf(cost, ok),
    subagentFactor: ratioOf(ok, own),
  };
}

function medianOf(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function peerFactors(peers: Factors[]): Factors {
  const of = (k: keyof Factors) => medianOf(peers.map((f) => f[k]));
  return { calls: of('calls'), promptPerCall: of('promptPerCall'), cacheHitRate: of('cacheHitRate'), retryFactor: of('retryFactor'), subagentFactor: of('subagentFactor') };
}

/** Price per token of a token mix at the window's prices. */
function mixPrice(tokens: Map<string, number>, market: Market): number {
  let t = 0;
  let c = 0;
  for (const [m, n] of tokens) {
    const p = market.pricePerToken.get(m);
    if (p === undefined) continue;
    t += n;
    c += n * p;
  }
  return t ? c / t : 0;
}

function pooledTokens(peers: Subject[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of peers) for (const [m, n] of p.modelTokens) out.set(m, (out.get(m) ?? 0) + n);
  return out;
}

export interface CauseInput {
  subject: Subject;
  /** The subject's peers, itself left out. */
  peers: Subject[];
  /** Cost minus the peer median (positive). */
  excess: Decimal;
  market: Market;
  /** Smallest share of the excess a named cause explains (0-1). */
  materialShare: number;
  currency: string;
}

interface Term {
  cause: CauseName;
  /** ln(factor / peers' factor). */
  log: number;
  summary: (dollars: string) => string;
  evidence: AnomalyEvidence[];
}

const ln = (a: number, b: number) => (a > 0 && b > 0 ? Math.log(a / b) : 0);
const fmt = (x: number, places = 1) => round(new Decimal(Number.isFinite(x) ? x : 0), places);
const pct = (x: number) => `${fmt(x * 100)}%`;
const ev = (metric: string, value: number, peer: number): AnomalyEvidence => ({ metric, value: fmt(value, 4), peerMedian: fmt(peer, 4) });

/** An output token's price in uncached input tokens, when a cost came without its parts (Anthropic and OpenAI list 4-5x). */
const OUTPUT_WEIGHT = 5;

/**
 * The share of the subject's cost spent on prompts: from the cost's parts when the events
 * carry them; else estimated from tokens (prompts at `promptPrice` per token, output at 5x).
 */
function promptShareOf(s: Subject, promptPrice: number): number {
  const cost = s.cost.toNumber();
  if (cost > 0 && s.promptCost > 0) return Math.min(1, s.promptCost / cost);
  const output = Math.max(0, [...s.modelTokens.values()].reduce((a, b) => a + b, 0) - s.promptTokens);
  const prompt = s.promptTokens * promptPrice;
  return prompt > 0 ? prompt / (prompt + OUTPUT_WEIGHT * output) : 0;
}

function terms(c: CauseInput): Term[] {
  const f = factorsOf(c.subject);
  const p = peerFactors(c.peers.map(factorsOf));
  const own = mixPrice(c.subject.modelTokens, c.market);
  const peerMix = mixPrice(pooledTokens(c.peers), c.market);
  const rho = c.market.cacheReadRatio;
  const promptPrice = (hit: number) => 1 - hit * (1 - rho);
  const promptShare = promptShareOf(c.subject, promptPrice(f.cacheHitRate));
  const cacheFactor = 1 + promptShare * (promptPrice(f.cacheHitRate) / promptPrice(p.cacheHitRate) - 1);
  const models = [...c.subject.modelCost].sort(([, a], [, b]) => b.comparedTo(a)).map(([m]) => m).slice(0, 3).join(', ');
  const s = c.subject;
  return [
    { cause: 'model_choice', log: ln(own, peerMix),
      summary: (d) => `${d} from its models (${models}): ${fmt(own / peerMix, 2)}x the price per token of its peers' mix of models`,
      evidence: [ev('price_per_1k_tokens', own * 1000, peerMix * 1000)] },
    { cause: 'context_size', log: ln(f.promptPerCall, p.promptPerCall),
      summary: (d) => `${d} from ${fmt(f.promptPerCall)} prompt tokens per call; peers' median ${fmt(p.promptPerCall)}`,
      evidence: [ev('prompt_tokens_per_call', f.promptPerCall, p.promptPerCall)] },
    { cause: 'cache_misses', log: Math.log(cacheFactor),
      summary: (d) => `${d} from ${pct(f.cacheHitRate)} of its prompt tokens read from the cache; peers' median ${pct(p.cacheHitRate)}`,
      evidence: [ev('cache_hit_rate', f.cacheHitRate, p.cacheHitRate)] },
    { cause: 'retries', log: ln(f.retryFactor, p.retryFactor),
      summary: (d) => `${d} from ${s.errorCalls} failed calls of ${s.calls} (${pct(s.calls ? s.errorCalls / s.calls : 0)})`,
      evidence: [ev('failed_call_cost_share', 1 - 1 / f.retryFactor, 1 - 1 / p.retryFactor)] },
    { cause: 'subagents', log: ln(f.subagentFactor, p.subagentFactor),
      summary: (d) => `${d} from ${s.subagentCalls} subagent calls (${s.subagents.length ? `other agents: ${s.subagents.join(', ')}` : 'tagged calls of the main agent'})`,
      evidence: [ev('subagent_cost_share', 1 - 1 / f.subagentFactor, 1 - 1 / p.subagentFactor)] },
    { cause: 'call_volume', log: ln(f.calls, p.calls),
      summary: (d) => `${d} from ${f.calls} calls of its main agent; peers' median ${fmt(p.calls)}`,
      evidence: [ev('calls', f.calls, p.calls)] },
  ];
}

/**
 * The named causes of an anomaly, largest first: each one's dollars of the excess
 * (`excess`, a decimal string; they add up to the excess exactly) and share of it
 * (`score`, 0-1). Causes under the material share are left out and the excess is
 * split between the named ones.
 */
export function likelyCauses(c: CauseInput): AnomalyCause[] {
  const positive = terms(c).filter((t) => t.log > 1e-9).sort((a, b) => b.log - a.log || a.cause.localeCompare(b.cause));
  const all = sum(positive.map((t) => t.log));
  const named = positive.filter((t) => t.log / all >= c.materialShare);
  const total = sum(named.map((t) => t.log));
  const dollars = named.map((t) => c.excess.times(t.log / total).toDecimalPlaces(6));
  if (dollars.length) dollars[0] = c.excess.minus(dollars.slice(1).reduce((a, b) => a.plus(b), new Decimal(0)));
  return named.map((t, i) => ({
    cause: t.cause, score: Number((t.log / total).toFixed(4)), excess: dollars[i]!.toFixed(),
    summary: t.summary(`${c.currency} ${dollars[i]!.toDecimalPlaces(2).toFixed(2)} of the excess`), evidence: t.evidence,
  }));
}
