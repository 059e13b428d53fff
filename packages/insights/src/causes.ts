// Why a subject costs more than its peers: each candidate cause compares one
// metric of the subject with the median of that metric over its peer group.
//
//   model_choice  share of its cost spent on expensive models (cost per 1k tokens above the
//                 window's median model): indicated when 25 points or more above the peers'
//   context_size  prompt tokens (input + cache reads + cache writes) per call: 1.5x the peers' or more
//   subagents     subagent calls (calls of agents other than the session's main agent, plus calls
//                 tagged subagent = true): 1.5x the peers' or more, or any when peers have none
//   retries       share of failed calls (error, rate_limited, timeout, cancelled): 10 points or more above
//   cache_misses  share of prompt tokens read from the cache: 25 points or more below the peers'
//   call_volume   calls: 1.5x the peers' or more (more work, none of the above)
//
// score orders the indicated causes: the metric's ratio to the peers' for counts
// and sizes, 1 + 4 x the difference for shares (25 points = 2, all of it = 5).
import { Decimal } from 'decimal.js';
import type { AnomalyCause, AnomalyEvidence } from '@spendgraph/db';
import { median, round } from './stats.ts';
import type { Subject } from './subjects.ts';

export interface Metrics {
  expensiveShare: Decimal;
  contextPerCall: Decimal;
  subagentCalls: Decimal;
  /** Distinct agents other than the main one. */
  subagents: Decimal;
  errorRate: Decimal;
  cacheHitRate: Decimal;
  calls: Decimal;
}

const ZERO = new Decimal(0);
const share = (part: Decimal, whole: Decimal) => (whole.isZero() ? ZERO : part.div(whole));

export function metricsOf(s: Subject, expensive: Set<string>): Metrics {
  const expensiveCost = [...s.modelCost].filter(([m]) => expensive.has(m)).reduce((t, [, c]) => t.plus(c), ZERO);
  return {
    expensiveShare: share(expensiveCost, s.cost),
    contextPerCall: share(s.contextTokens, s.calls),
    subagentCalls: s.subagentCalls,
    subagents: new Decimal(s.subagents.length),
    errorRate: share(s.errorCalls, s.calls),
    cacheHitRate: share(s.cacheReadTokens, s.contextTokens),
    calls: s.calls,
  };
}

export function peerMedians(peers: Metrics[]): Metrics {
  const of = (k: keyof Metrics) => median(peers.map((m) => m[k]));
  return {
    expensiveShare: of('expensiveShare'), contextPerCall: of('contextPerCall'), subagentCalls: of('subagentCalls'),
    subagents: of('subagents'), errorRate: of('errorRate'), cacheHitRate: of('cacheHitRate'), calls: of('calls'),
  };
}

const pct = (d: Decimal) => `${d.times(100).toDecimalPlaces(1).toFixed()}%`;
const num = (d: Decimal) => d.toDecimalPlaces(1).toFixed();
const ev = (metric: string, value: Decimal, peer: Decimal): AnomalyEvidence => ({ metric, value: round(value), peerMedian: round(peer) });

/** 1.5x the peers' or more; with peers at 0, any positive value (scored 1 + value, at most 10). */
function ratioScore(value: Decimal, peer: Decimal): number | null {
  if (value.lte(0)) return null;
  if (peer.isZero()) return Math.min(10, value.plus(1).toNumber());
  const r = value.div(peer);
  return r.gte(1.5) ? r.toDecimalPlaces(2).toNumber() : null;
}

function shareScore(diff: Decimal, min: number): number | null {
  return diff.gte(min) ? diff.times(4).plus(1).toDecimalPlaces(2).toNumber() : null;
}

const agents = (names: string[]) => (names.length ? `other agents: ${names.join(', ')}` : 'tagged calls of the main agent');

export interface CauseContext {
  subject: Subject;
  expensive: Set<string>;
}

export function likelyCauses(m: Metrics, peer: Metrics, c: CauseContext): AnomalyCause[] {
  const causes: AnomalyCause[] = [];
  const add = (cause: AnomalyCause['cause'], score: number | null, summary: string, evidence: AnomalyEvidence[]) => {
    if (score !== null) causes.push({ cause, score, summary, evidence });
  };
  const models = [...c.subject.modelCost].filter(([name]) => c.expensive.has(name)).sort(([, a], [, b]) => b.comparedTo(a)).map(([name]) => name);
  add('model_choice', shareScore(m.expensiveShare.minus(peer.expensiveShare), 0.25),
    `${pct(m.expensiveShare)} of its cost went to expensive models (${models.join(', ')}); peers' median ${pct(peer.expensiveShare)}`,
    [ev('expensive_model_share', m.expensiveShare, peer.expensiveShare)]);
  add('context_size', ratioScore(m.contextPerCall, peer.contextPerCall),
    `${num(m.contextPerCall)} prompt tokens per call; peers' median ${num(peer.contextPerCall)}`,
    [ev('prompt_tokens_per_call', m.contextPerCall, peer.contextPerCall)]);
  add('subagents', ratioScore(m.subagentCalls, peer.subagentCalls),
    `${num(m.subagentCalls)} subagent calls (${agents(c.subject.subagents)}); peers' median ${num(peer.subagentCalls)}`,
    [ev('subagent_calls', m.subagentCalls, peer.subagentCalls), ev('subagents', m.subagents, peer.subagents)]);
  add('retries', m.errorRate.gt(0) ? shareScore(m.errorRate.minus(peer.errorRate), 0.1) : null,
    `${pct(m.errorRate)} of its calls failed (${c.subject.errorCalls.toFixed()} calls); peers' median ${pct(peer.errorRate)}`,
    [ev('error_rate', m.errorRate, peer.errorRate)]);
  add('cache_misses', shareScore(peer.cacheHitRate.minus(m.cacheHitRate), 0.25),
    `${pct(m.cacheHitRate)} of its prompt tokens were read from the cache; peers' median ${pct(peer.cacheHitRate)}`,
    [ev('cache_hit_rate', m.cacheHitRate, peer.cacheHitRate)]);
  add('call_volume', ratioScore(m.calls, peer.calls),
    `${m.calls.toFixed()} calls; peers' median ${num(peer.calls)}`,
    [ev('calls', m.calls, peer.calls)]);
  return causes.sort((a, b) => b.score - a.score);
}
