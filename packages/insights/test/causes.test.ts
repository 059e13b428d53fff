// The defects of issue 23, pinned on subjects built in memory (the figures the
// semantic layer returns; anomalies.test.ts reads them through the real path).
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANOMALY_SETTINGS, type Subject, findAnomalies, likelyCauses, marketOf, peerLevels } from '../src/index.ts';

const SONNET = 0.000_004; // USD per token
const OPUS = 0.000_02;

interface Shape {
  id: string;
  agent?: string;
  taskType?: string;
  calls?: number;
  promptPerCall?: number;
  hitRate?: number;
  /** Token share of opus (the rest on sonnet). */
  opus?: number;
  failed?: number;
  /** Successful calls of a helper agent and what each costs. */
  helperCalls?: number;
  helperCallCost?: number;
}

/** A session's figures: each call prompt tokens plus 500 output tokens, priced per model, cache reads at 10 %. */
function subject(x: Shape): Subject {
  const calls = x.calls ?? 10;
  const failed = x.failed ?? 0;
  const prompt = x.promptPerCall ?? 4000;
  const hit = x.hitRate ?? 0.6;
  const opus = x.opus ?? 0.25;
  const perCallTokens = prompt + 500;
  const price = opus * OPUS + (1 - opus) * SONNET;
  const promptCost = prompt * price * (1 - hit * 0.9);
  const callCost = promptCost + 500 * price;
  const helper = (x.helperCalls ?? 0) * (x.helperCallCost ?? 0);
  const all = calls + failed;
  const cost = new Decimal(callCost * all + helper).toDecimalPlaces(6);
  const tokens = perCallTokens * all;
  return {
    id: x.id, cost, calls: all + (x.helperCalls ?? 0), errorCalls: failed, errorCost: new Decimal(callCost * failed),
    subagentCalls: x.helperCalls ?? 0, subagentCost: new Decimal(helper), subagents: x.helperCalls ? ['helper'] : [],
    coreCalls: calls, corePromptTokens: prompt * calls, promptTokens: prompt * all, cacheReadTokens: prompt * all * hit,
    promptCost: promptCost * all, inputCost: prompt * all * (1 - hit) * price, inputTokens: prompt * all * (1 - hit),
    cacheReadCost: prompt * all * hit * price * 0.1,
    modelTokens: new Map([['sonnet', tokens * (1 - opus)], ['opus', tokens * opus]].filter(([, t]) => (t as number) > 0) as Array<[string, number]>),
    modelCost: new Map([['sonnet', new Decimal(tokens * (1 - opus) * SONNET)], ['opus', new Decimal(tokens * opus * OPUS)]].filter(([, c]) => (c as Decimal).gt(0)) as Array<[string, Decimal]>),
    peerValues: new Map([['task_type', x.taskType ?? 'bugfix'], ['agent', x.agent ?? 'coder']]),
  };
}

/** Ten ordinary peers (a quarter of their tokens on opus: a team mostly on sonnet), slightly varied, and the subject. */
function window(odd: Shape): Subject[] {
  const peers = Array.from({ length: 10 }, (_, i) => subject({ id: `n${i}`, calls: 9 + (i % 3), opus: 0.2 + (i % 2) * 0.1 }));
  return [...peers, subject(odd)];
}

function causesOf(subjects: Subject[], id: string) {
  const [found] = findAnomalies(subjects, DEFAULT_ANOMALY_SETTINGS).filter((c) => c.subject.id === id);
  expect(found, `${id} is flagged`).toBeDefined();
  const { subject: s, group } = found!;
  return likelyCauses({
    subject: s, peers: group.members.filter((m) => m !== s), excess: s.cost.minus(group.medianCost),
    market: marketOf(subjects), materialShare: DEFAULT_ANOMALY_SETTINGS.materialShare, currency: 'USD',
  });
}

describe('causes are dollars of the excess over the peer median', () => {
  it('an all-opus session among peers that mostly use sonnet is a model choice (it was never named)', () => {
    const causes = causesOf(window({ id: 'opus', opus: 1 }), 'opus');
    expect(causes.map((c) => c.cause)).toEqual(['model_choice']);
    // Opus is 5x sonnet; the peers' mix (a quarter on opus) costs 2x sonnet: 2.5x. Under the old rule sonnet was
    // "expensive" too (above the window's median model), so peers and subject had the same expensive share.
    expect(causes[0]!.evidence).toEqual([{ metric: 'price_per_1k_tokens', value: '0.02', peerMedian: '0.008' }]);
  });

  it('a retry storm is retries, never call volume (both used to be indicated, volume scored higher)', () => {
    const causes = causesOf(window({ id: 'storm', failed: 14 }), 'storm');
    expect(causes.map((c) => c.cause)).toEqual(['retries']);
  });

  it('a few tiny helper calls are not named as subagents when the excess comes from elsewhere', () => {
    const causes = causesOf(window({ id: 'ctx', promptPerCall: 14_000, helperCalls: 3, helperCallCost: 0.0005 }), 'ctx');
    expect(causes.map((c) => c.cause)).toEqual(['context_size']);
  });

  it('real subagent work is named, with its dollars', () => {
    const subjects = window({ id: 'sub', helperCalls: 12, helperCallCost: 0.02 });
    expect(causesOf(subjects, 'sub').map((c) => c.cause)).toEqual(['subagents']);
  });

  it('cache misses: the same prompts, read from the cache far less', () => {
    expect(causesOf(window({ id: 'cold', hitRate: 0, calls: 14 }), 'cold')[0]!.cause).toBe('cache_misses');
  });

  it('two causes share the excess; the named dollars add up to it exactly', () => {
    const subjects = window({ id: 'both', calls: 20, promptPerCall: 9000 });
    const causes = causesOf(subjects, 'both');
    expect(causes.map((c) => c.cause).sort()).toEqual(['call_volume', 'context_size']);
    const [found] = findAnomalies(subjects, DEFAULT_ANOMALY_SETTINGS).filter((c) => c.subject.id === 'both');
    const excess = found!.subject.cost.minus(found!.group.medianCost);
    expect(causes.reduce((t, c) => t.plus(c.excess!), new Decimal(0)).eq(excess)).toBe(true);
    expect(causes[0]!.score).toBeGreaterThanOrEqual(causes[1]!.score);
    expect(new Decimal(causes[0]!.excess!).gte(causes[1]!.excess!)).toBe(true);
  });
});

describe('peer groups are task type x main agent', () => {
  it('a reviewer, dearer than the coders of the same task type, is compared with reviewers (grouping by one or the other flagged it)', () => {
    const coders = Array.from({ length: 8 }, (_, i) => subject({ id: `c${i}` }));
    const reviewers = Array.from({ length: 4 }, (_, i) => subject({ id: `r${i}`, agent: 'reviewer', calls: 30 + i }));
    const found = findAnomalies([...coders, ...reviewers], DEFAULT_ANOMALY_SETTINGS);
    expect(found).toEqual([]);
    // The same window by task type alone: every reviewer is 3x the median of the type.
    expect(findAnomalies([...coders, ...reviewers], { ...DEFAULT_ANOMALY_SETTINGS, peerDimensions: ['task_type'] })).toHaveLength(4);
  });

  it('falls back to the task type when the combination has too few peers, and says so', () => {
    const coders = Array.from({ length: 8 }, (_, i) => subject({ id: `c${i}` }));
    const lone = subject({ id: 'lone', agent: 'solo', calls: 40 });
    const [found] = findAnomalies([...coders, lone], DEFAULT_ANOMALY_SETTINGS);
    expect(found!.group).toMatchObject({ dimension: 'task_type', value: 'bugfix' });
    expect(found!.group.members).toHaveLength(9);
    const coder = findAnomalies([...coders, subject({ id: 'big', calls: 40 })], DEFAULT_ANOMALY_SETTINGS);
    expect(coder[0]!.group).toMatchObject({ dimension: 'task_type x agent', value: 'bugfix x coder' });
  });

  it('levels: every combination, largest first, the dimensions listed first kept first', () => {
    expect(peerLevels(['task_type', 'agent'])).toEqual([['task_type', 'agent'], ['task_type'], ['agent']]);
    expect(peerLevels(['a', 'b', 'c']).map((l) => l.join())).toEqual(['a,b,c', 'a,b', 'a,c', 'b,c', 'a', 'b', 'c']);
  });
});
