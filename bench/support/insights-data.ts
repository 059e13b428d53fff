// Labelled synthetic AI work for bench:insights: days of sessions in a structure of
// task types x main agents (each pair with its own typical cost), noise on every
// session, and injected anomalous sessions with one known cause each, plus near
// misses (the same causes at about 1.5x, which must not be flagged).
// Costs are exact decimals: tokens x per-model rates.
import { Decimal } from 'decimal.js';
import { seededRandom } from '@spendgraph/forecast';

export const CAUSES = ['model_choice', 'context_size', 'cache_misses', 'retries', 'subagents', 'call_volume'] as const;
export type Cause = (typeof CAUSES)[number];

export interface Label {
  sessionId: string;
  /** The injected cause; null for normal sessions (near misses included). */
  cause: Cause | null;
  nearMiss: boolean;
}

/** A seeded generator with Box-Muller normals. */
export function rng(seed: number) {
  const u = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, normal, pick: <T>(xs: readonly T[]) => xs[Math.floor(u() * xs.length)]! };
}

// USD per million tokens: input, output (cache reads at 10 % of input).
const MODELS = {
  'claude-sonnet-4-5': { provider: 'anthropic', input: 3, output: 15 },
  'claude-opus-4-1': { provider: 'anthropic', input: 15, output: 75 },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5 },
} as const;
type Model = keyof typeof MODELS;

const TYPES = [['bugfix', 1], ['feature', 2.2], ['refactor', 1.5], ['docs', 0.7]] as const;
const AGENTS = [['coder', 1, 0.15], ['planner', 0.6, 0.2], ['reviewer', 2.5, 0.1]] as const; // prompt scale, opus share of calls

interface Shape {
  calls: number;
  prompt: number;
  hit: number;
  opusShare: number;
  failed: number;
  helperCalls: number;
  helperPrompt: number;
  helperModel: Model;
}

const OUTPUT = 150;

function eventOf(model: Model, prompt: number, hit: number, output: number) {
  const m = MODELS[model];
  const cacheRead = Math.round(prompt * hit);
  const input = prompt - cacheRead;
  const cost = new Decimal(input).times(m.input).plus(new Decimal(cacheRead).times(m.input).times('0.1')).plus(new Decimal(output).times(m.output)).div(1_000_000);
  return { provider: m.provider, model, usage: { input_tokens: input, cache_read_tokens: cacheRead, output_tokens: output }, cost: cost.toFixed() };
}

export interface Options {
  seed: number;
  days: number;
  sessionsPerDay: number;
  /** Standard deviation of the log noise on a session's calls and prompt size. */
  noise: number;
  anomaliesPerDay: number;
  nearMissesPerDay: number;
  start: Date;
}

/** Multiplies one aspect of a shape so the session costs about `x` times as much. */
function inject(s: Shape, cause: Cause, x: number): Shape {
  switch (cause) {
    // The opus share whose price per token is x times the agent's mix (opus costs 5x sonnet).
    case 'model_choice': return { ...s, opusShare: Math.min(1, ((1 + 4 * s.opusShare) * x - 1) / 4) };
    case 'context_size': return { ...s, prompt: Math.round(s.prompt * (x + 0.3)) };
    // An anomaly: the cache missed entirely (a broken prefix), as far as a cache can cost; a near miss: partly.
    case 'cache_misses': return { ...s, hit: x >= 2 ? 0 : Math.max(0, (1 - x * (1 - 0.9 * s.hit)) / 0.9) };
    case 'retries': return { ...s, failed: s.failed + Math.round(s.calls * (x - 1)) };
    // Fewer calls than the main agent (else the helper would be the main agent), each the larger.
    case 'subagents': return { ...s, helperCalls: s.calls - 1, helperPrompt: Math.round((s.prompt * s.calls * (x - 1) * (1 + 4 * s.opusShare)) / (s.calls - 1)), helperModel: 'claude-sonnet-4-5' };
    case 'call_volume': return { ...s, calls: Math.round(s.calls * x) };
  }
}

/** The events of every session and their labels. */
export function generate(o: Options): { events: Array<Record<string, unknown>>; labels: Label[] } {
  const r = rng(o.seed);
  const events: Array<Record<string, unknown>> = [];
  const labels: Label[] = [];
  for (let day = 0; day < o.days; day++) {
    const special = new Map<number, { cause: Cause; near: boolean }>();
    while (special.size < o.anomaliesPerDay + o.nearMissesPerDay) {
      const i = Math.floor(r.u() * o.sessionsPerDay);
      if (!special.has(i)) special.set(i, { cause: CAUSES[(day * 7 + special.size) % CAUSES.length]!, near: special.size >= o.anomaliesPerDay });
    }
    for (let i = 0; i < o.sessionsPerDay; i++) {
      const [taskType, typeScale] = r.pick(TYPES);
      const [agent, agentScale, opus] = r.pick(AGENTS);
      const id = `s${o.seed}-${day}-${i}`;
      let shape: Shape = {
        calls: Math.max(5, Math.round(8 * typeScale * Math.exp(o.noise * r.normal()))),
        prompt: Math.round(6000 * agentScale * Math.exp(o.noise * r.normal())),
        hit: Math.min(0.95, Math.max(0.6, 0.85 + 0.03 * r.normal())), opusShare: opus,
        failed: r.u() < 0.15 ? 1 : 0, helperCalls: r.u() < 0.2 ? 1 + Math.floor(r.u() * 3) : 0, helperPrompt: 800, helperModel: 'claude-haiku-4-5',
      };
      const s = special.get(i);
      if (s) shape = inject(shape, s.cause, s.near ? 1.5 : 3 + r.u() * 1.5);
      labels.push({ sessionId: id, cause: s && !s.near ? s.cause : null, nearMiss: !!s?.near });
      const at = (k: number) => new Date(o.start.getTime() + day * 86_400_000 + (i * 500 + k) * 1000).toISOString();
      const base = { session_id: id, task_id: `T-${id}`, task_type: taskType, agent };
      let k = 0;
      // The agent's model mix: that share of the calls on opus (a session's mix, not a coin per call).
      const opusCalls = Math.round((shape.calls + shape.failed) * shape.opusShare);
      for (let c = 0; c < shape.calls + shape.failed; c++) {
        const model: Model = c < opusCalls ? 'claude-opus-4-1' : 'claude-sonnet-4-5';
        events.push({ ...base, ...eventOf(model, shape.prompt, shape.hit, OUTPUT), occurred_at: at(k++), ...(c >= shape.calls ? { status: 'error' } : {}) });
      }
      for (let c = 0; c < shape.helperCalls; c++) {
        events.push({ ...base, agent: 'explorer', ...eventOf(shape.helperModel, shape.helperPrompt, shape.helperModel === 'claude-haiku-4-5' ? 0.5 : shape.hit, shape.helperModel === 'claude-haiku-4-5' ? 100 : OUTPUT), occurred_at: at(k++) });
      }
    }
  }
  return { events, labels };
}
