// A deterministic, realistic workload for the demo workspace: plans made of
// tasks worked through workflow steps by agents, product features serving
// customers, coding sessions on work items; a mix of Anthropic, OpenAI and
// Google models, some errors, rate limits, non-token costs and unpriced calls.
import type { UsageEventInput } from '@spendgraph/schema';
import { uuidV5 } from '@spendgraph/schema';

const DAY_MS = 86_400_000;

/** mulberry32: a small seeded PRNG so every run generates the same events. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof rng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function weighted<T>(r: Rand, xs: ReadonlyArray<readonly [T, number]>): T {
  const total = xs.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![0];
}

interface ModelChoice {
  provider: string;
  model: string;
  /** Typical prompt size, in tokens. */
  context: number;
  reasoning?: boolean;
}

const MODELS = {
  sonnet: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', context: 24_000 },
  opus: { provider: 'anthropic', model: 'claude-opus-4-1-20250805', context: 30_000 },
  haiku: { provider: 'anthropic', model: 'claude-haiku-4-5', context: 8_000 },
  gpt4o: { provider: 'openai', model: 'gpt-4o', context: 6_000 },
  gpt4oMini: { provider: 'openai', model: 'gpt-4o-mini', context: 3_000 },
  o3: { provider: 'openai', model: 'o3', context: 12_000, reasoning: true },
  gpt5: { provider: 'openai', model: 'gpt-5', context: 10_000, reasoning: true },
  geminiPro: { provider: 'google', model: 'gemini-2.5-pro', context: 20_000, reasoning: true },
  geminiFlash: { provider: 'google', model: 'gemini-2.5-flash', context: 5_000 },
  // A self-hosted model has no catalog price: it must show up as unpriced, not as $0.
  internal: { provider: 'acme-internal', model: 'acme-coder-13b', context: 4_000 },
} satisfies Record<string, ModelChoice>;

const WORKFLOWS = {
  'plan-execute': { steps: ['plan', 'implement', 'test', 'review'], agents: ['planner', 'coder', 'tester', 'reviewer'] },
  'code-review': { steps: ['diff-summary', 'review', 'suggest-fix'], agents: ['reviewer'] },
  'support-triage': { steps: ['classify', 'retrieve', 'draft', 'verify'], agents: ['support-bot'] },
  'rag-answer': { steps: ['rewrite-query', 'retrieve', 'generate'], agents: ['researcher'] },
} as const;
type Workflow = keyof typeof WORKFLOWS;

const STEP_MODELS: Record<string, ReadonlyArray<readonly [ModelChoice, number]>> = {
  plan: [[MODELS.opus, 5], [MODELS.o3, 2], [MODELS.geminiPro, 1]],
  implement: [[MODELS.sonnet, 8], [MODELS.gpt5, 2], [MODELS.internal, 0.3]],
  test: [[MODELS.sonnet, 3], [MODELS.haiku, 4], [MODELS.gpt4oMini, 1]],
  review: [[MODELS.opus, 2], [MODELS.sonnet, 4], [MODELS.gpt4o, 1]],
  'diff-summary': [[MODELS.haiku, 3], [MODELS.geminiFlash, 2]],
  'suggest-fix': [[MODELS.sonnet, 3], [MODELS.gpt5, 1]],
  classify: [[MODELS.gpt4oMini, 4], [MODELS.geminiFlash, 3], [MODELS.haiku, 2]],
  draft: [[MODELS.sonnet, 3], [MODELS.gpt4o, 3]],
  verify: [[MODELS.haiku, 2], [MODELS.gpt4oMini, 2]],
  'rewrite-query': [[MODELS.gpt4oMini, 3], [MODELS.geminiFlash, 2]],
  generate: [[MODELS.sonnet, 3], [MODELS.geminiPro, 2], [MODELS.gpt4o, 2]],
};

const USERS = ['ana', 'bo', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kemal', 'lea'];
const CUSTOMERS = ['acme-corp', 'globex', 'initech', 'umbrella', 'hooli', 'stark-ind', 'wayne-ent', 'wonka', 'tyrell', 'cyberdyne', 'soylent', 'massive-dynamic'];
const FEATURES_BY_WORKFLOW: Record<Workflow, string[]> = {
  'plan-execute': ['code-assist'],
  'code-review': ['code-review'],
  'support-triage': ['support-inbox'],
  'rag-answer': ['search', 'summaries', 'chat'],
};
const TASK_TYPES = ['feature', 'bugfix', 'refactor', 'test', 'docs', 'migration'] as const;
const SPACES = ['platform', 'product', 'research'] as const;
const SOURCES: Record<Workflow, string> = {
  'plan-execute': 'claude-code',
  'code-review': 'proxy',
  'support-triage': 'sdk',
  'rag-answer': 'api',
};

export interface DemoOptions {
  /** Events to generate in total (approximately spread over the days). */
  events: number;
  days: number;
  /** End of the generated period (exclusive). */
  end: Date;
  seed?: number;
}

/**
 * Yields events day by day, oldest first. Volume grows over the period and
 * dips on weekends; each session works one plan task or one feature flow.
 */
export function* generateDemoEvents(opts: DemoOptions): Generator<UsageEventInput> {
  const r = rng(opts.seed ?? 42);
  const start = opts.end.getTime() - opts.days * DAY_MS;
  const weights = Array.from({ length: opts.days }, (_, d) => {
    const dow = new Date(start + d * DAY_MS).getUTCDay();
    return (0.6 + (0.8 * d) / opts.days) * (dow === 0 || dow === 6 ? 0.35 : 1);
  });
  const weightSum = weights.reduce((a, b) => a + b, 0);
  let n = 0;
  let sessionNo = 0;
  for (let d = 0; d < opts.days; d++) {
    const dayTarget = Math.round((opts.events * weights[d]!) / weightSum);
    const dayStart = start + d * DAY_MS;
    const planNo = Math.floor(d / 7); // a new plan every week, overlapping the previous ones
    let dayCount = 0;
    while (dayCount < dayTarget) {
      const session = `sess-${(++sessionNo).toString(36).padStart(6, '0')}`;
      const workflow = weighted<Workflow>(r, [['plan-execute', 5], ['code-review', 2], ['support-triage', 2], ['rag-answer', 3]]);
      const wf = WORKFLOWS[workflow];
      const user = pick(r, USERS);
      const isPlanWork = workflow === 'plan-execute' || workflow === 'code-review';
      const plan = isPlanWork ? `plan-${String(Math.max(1, planNo - Math.floor(r() * 2))).padStart(3, '0')}` : undefined;
      const taskNo = Math.floor(r() * 12) + 1;
      const taskType = TASK_TYPES[(taskNo * 7 + (plan?.length ?? 0)) % TASK_TYPES.length]!;
      const customer = isPlanWork ? undefined : pick(r, CUSTOMERS);
      const workItem = isPlanWork ? `WRK-${100 + planNo * 12 + taskNo}` : undefined;
      const calls = Math.min(dayTarget - dayCount, 10 + Math.floor(r() * r() * 300));
      // Sessions happen in working hours (UTC 07–19) with a long tail.
      let t = dayStart + (7 + r() * 12) * 3_600_000;
      for (let c = 0; c < calls; c++) {
        t += 2_000 + r() * 40_000;
        const stepIdx = Math.min(wf.steps.length - 1, Math.floor((c / calls) * wf.steps.length));
        const step = wf.steps[stepIdx]!;
        const agent = wf.agents[Math.min(stepIdx, wf.agents.length - 1)]!;
        const base = {
          id: uuidV5(`demo:${opts.seed ?? 42}:${n}`),
          occurred_at: new Date(Math.min(t, dayStart + DAY_MS - 1)).toISOString(),
          space: SPACES[planNo % SPACES.length],
          workflow,
          step,
          agent,
          user_id: user,
          session_id: session,
          feature: pick(r, FEATURES_BY_WORKFLOW[workflow]),
          ...(plan ? { plan_id: plan, task_id: `${plan}/task-${taskNo}`, task_type: taskType } : {}),
          ...(customer ? { customer_id: customer } : {}),
          ...(workItem ? { work_item: workItem } : {}),
          source: SOURCES[workflow],
          tags: { env: r() < 0.9 ? 'prod' : 'staging', team: isPlanWork ? 'eng' : 'cx' },
        };
        n++;
        dayCount++;
        if (step === 'retrieve') {
          yield { ...base, kind: 'retrieval', cost: (0.0001 + r() * 0.0004).toFixed(6), latency_ms: 20 + Math.floor(r() * 200) };
          continue;
        }
        yield modelCall(r, base, weighted(r, STEP_MODELS[step]!), c);
      }
    }
  }
}

function modelCall(r: Rand, base: Record<string, unknown>, m: ModelChoice, callIndex: number): UsageEventInput {
  const status = weighted(r, [['ok', 96], ['error', 2.5], ['rate_limited', 1.5]] as const);
  const prompt = Math.round(m.context * (0.4 + r() * 1.2));
  const latency = Math.round(300 + r() * 9_000);
  if (status !== 'ok') {
    return { ...base, provider: m.provider, model: m.model, status, latency_ms: Math.round(latency / 8), usage: { input_tokens: 0, output_tokens: 0 } } as UsageEventInput;
  }
  const output = Math.round(150 + r() * 2_500);
  const reasoning = m.reasoning ? Math.round(output * (0.5 + r() * 2)) : 0;
  if (m.provider === 'anthropic') {
    // Anthropic reports cache reads/writes apart from input_tokens; long agent
    // sessions mostly read their prefix from the cache, with some 1-hour writes.
    const cached = callIndex === 0 ? 0 : Math.round(prompt * (0.6 + r() * 0.3));
    const write = Math.round((prompt - cached) * 0.6);
    const oneHour = r() < 0.25;
    return {
      ...base, provider: m.provider, model: m.model, status, latency_ms: latency,
      usage: {
        input_tokens: prompt - cached - write,
        cache_read_tokens: cached,
        cache_write_5m_tokens: oneHour ? 0 : write,
        cache_write_1h_tokens: oneHour ? write : 0,
        output_tokens: output,
      },
    } as UsageEventInput;
  }
  // OpenAI and Google report cached tokens as part of the prompt; OpenAI counts
  // reasoning inside output tokens, Google reports thoughts separately.
  const cached = r() < 0.5 ? Math.floor((prompt * r() * 0.7) / 128) * 128 : 0;
  return {
    ...base, provider: m.provider, model: m.model, status, latency_ms: latency,
    usage: {
      input_tokens: prompt,
      cache_read_tokens: cached,
      output_tokens: m.provider === 'openai' ? output + reasoning : output,
      reasoning_tokens: reasoning,
    },
  } as UsageEventInput;
}
