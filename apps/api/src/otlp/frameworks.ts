// What the frameworks' own instrumentations write on a span, read as the GenAI conventions' names:
// Vercel AI SDK (ai.usage.*, ai.model.*, ai.telemetry.metadata.*), OpenInference (llm.token_count.*,
// llm.model_name: Arize's instrumentations of LangChain/LangGraph, LlamaIndex, the OpenAI Agents
// SDK…), OpenLLMetry (Traceloop: gen_ai.usage.prompt_tokens, traceloop.association.properties.*),
// LangSmith (langsmith.metadata.*), and a cost a gateway reported (OpenRouter's usage.cost in the AI
// SDK's provider metadata, LiteLLM's gen_ai.cost.total_cost, OpenInference's llm.cost.total).
// Sources of each name: apps/api/test/fixtures/otlp/README.md.
import { Decimal } from 'decimal.js';
import { CONTEXT_FIELDS, type ContextField } from '@spendgraph/schema';

export type Lookup = (key: string) => string | number | boolean | undefined;

/** For each name spans are read by, the names frameworks use for it; the first present wins. */
export const ALIASES: Record<string, readonly string[]> = {
  'gen_ai.usage.input_tokens': ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'llm.token_count.prompt', 'ai.usage.tokens'],
  'gen_ai.usage.output_tokens': ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'ai.usage.outputTokens', 'ai.usage.completionTokens', 'llm.token_count.completion'],
  'gen_ai.usage.cache_read.input_tokens': ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'ai.usage.cachedInputTokens', 'llm.token_count.prompt_details.cache_read'],
  'gen_ai.usage.cache_creation.input_tokens': ['gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write'],
  'gen_ai.usage.reasoning.output_tokens': ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'ai.usage.reasoningTokens', 'llm.token_count.completion_details.reasoning'],
  'gen_ai.response.model': ['gen_ai.response.model', 'ai.response.model', 'llm.model_name', 'embedding.model_name'],
  'gen_ai.request.model': ['gen_ai.request.model', 'ai.model.id'],
  // No GenAI convention names it yet: ours, the name OpenLLMetry's OpenAI instrumentation writes, and OpenAI's namespace.
  'gen_ai.request.reasoning_effort': ['spendgraph.effort', 'gen_ai.request.reasoning_effort', 'openai.request.reasoning_effort', 'gen_ai.openai.request.reasoning_effort'],
  'gen_ai.provider.name': ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'],
};

export const first = (a: Lookup, name: string) => {
  for (const k of ALIASES[name] ?? [name]) if (a(k) !== undefined) return a(k);
  return undefined;
};

/**
 * Spans that add up their children's calls (the AI SDK's ai.generateText around its doGenerate
 * steps, OpenInference chains and agents, OpenLLMetry workflows, LangSmith chains): counting them
 * would count each call twice. The model call is the innermost span.
 */
export function isAggregate(a: Lookup): boolean {
  const op = a('ai.operationId');
  if (typeof op === 'string') return !/\.do(Generate|Stream|Embed)$/.test(op);
  const oi = a('openinference.span.kind');
  if (typeof oi === 'string') return !['LLM', 'EMBEDDING'].includes(oi.toUpperCase());
  if (a('traceloop.span.kind') !== undefined) return true;
  const ls = a('langsmith.span.kind');
  return typeof ls === 'string' && ls.toLowerCase() !== 'llm';
}

/** The AI SDK's ai.model.provider (`openai.chat`, `anthropic.messages`) and OpenLLMetry's `OpenAI` as provider names. */
export function providerName(raw: string, known: Record<string, string>): string {
  const lower = raw.toLowerCase();
  if (known[lower]) return known[lower];
  const head = lower.split('.')[0]!;
  return known[head] ?? head;
}

/**
 * A gateway's float of dollars as a decimal string, or undefined: to 18 places (events' limit),
 * which drops only the float's binary noise (0.00020250000000000002 → 0.0002025).
 */
export const dollars = (v: unknown): string | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? new Decimal(n).toDecimalPlaces(18).toFixed() : undefined;
};

/** A JSON-valued attribute, or undefined when it is not one. */
export function parseJson(v: unknown): any {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** A cost reported with the call, and who reported it. */
export function reportedCost(a: Lookup): { cost: string; source: string } | undefined {
  const openrouter = parseJson(a('ai.response.providerMetadata'))?.openrouter?.usage?.cost;
  const candidates: Array<[unknown, string]> = [
    [openrouter, 'openrouter'],
    [a('gen_ai.cost.total_cost'), 'litellm'],
    [a('llm.cost.total'), 'openinference'],
    [a('gen_ai.usage.cost'), 'gen_ai.usage.cost'],
  ];
  for (const [v, source] of candidates) {
    const cost = dollars(v);
    if (cost !== undefined) return { cost, source };
  }
  return undefined;
}

/** Metadata the frameworks let callers attach, flattened: AI SDK, OpenLLMetry, LangSmith, OpenInference's JSON `metadata`. */
export function metadataOf(attrs: Iterable<[string, unknown]>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of attrs) {
    if (k === 'metadata') {
      const parsed = parseJson(v);
      if (parsed && typeof parsed === 'object') for (const [mk, mv] of Object.entries(parsed)) if (isScalar(mv)) out[mk] = mv;
      continue;
    }
    const prefix = METADATA_PREFIXES.find((p) => k.startsWith(p));
    if (prefix && isScalar(v)) out[k.slice(prefix.length)] = v;
  }
  return out;
}

const METADATA_PREFIXES = ['ai.telemetry.metadata.', 'traceloop.association.properties.', 'langsmith.metadata.'];
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A metadata key as a context field: `user_id`, `userId` and `user` → user_id…; undefined when it is a tag. */
export function contextFieldOf(key: string): ContextField | undefined {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if ((CONTEXT_FIELDS as readonly string[]).includes(snake)) return snake as ContextField;
  return ({ user: 'user_id', session: 'session_id', customer: 'customer_id', agent_name: 'agent' } as Record<string, ContextField>)[snake];
}
