// The reasoning effort a call was made at: one level in our names, whatever the source calls it
// (README "Effort"). Higher effort means more (reasoning) tokens and a higher cost.
//   OpenAI           `reasoning_effort` (Chat Completions), `reasoning.effort` (Responses):
//                    none, minimal, low, medium, high, xhigh
//   Anthropic        `output_config.effort` (low, medium, high, max → xhigh); else extended thinking:
//                    `thinking.budget_tokens` by EFFORT_BUDGETS, `thinking.type: disabled` → none
//   Gemini           `thinkingConfig.thinkingLevel` (minimal, low, medium, high); else
//                    `thinkingConfig.thinkingBudget` by EFFORT_BUDGETS (0 → none; -1, dynamic, says no level)
//   Codex CLI        `turn_context.payload.effort`; Claude Code `thinkingMetadata` on prompt lines
//   Anything else    the `effort` field, `x-spendgraph-effort`, the OTel attribute `gen_ai.request.reasoning_effort`

export const EFFORT_LEVELS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type Effort = (typeof EFFORT_LEVELS)[number];

const ALIASES: Record<string, Effort> = {
  off: 'none', disabled: 'none', extra_high: 'xhigh', 'extra-high': 'xhigh', 'x-high': 'xhigh', max: 'xhigh',
};

/** A source's spelling of a level as ours (`HIGH` → `high`, `max` → `xhigh`); unknown names are returned as given. */
export function effortName(name: string): string {
  const n = name.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

/** A level a source reported, in our names; undefined for none given or one we do not know (capture never refuses a call for it). */
export function knownEffort(v: unknown): Effort | undefined {
  if (typeof v !== 'string') return undefined;
  const name = effortName(v);
  return (EFFORT_LEVELS as readonly string[]).includes(name) ? (name as Effort) : undefined;
}

/**
 * Thinking budgets as levels: the largest budget each level stands for. These are Gemini's own
 * equivalences for OpenAI's reasoning_effort (its OpenAI-compatible API sends low as 1,024 thinking
 * tokens, medium as 8,192, high as 24,576); a budget maps to the lowest level whose budget covers it,
 * and anything above 8,192 is high. So Claude Code's "think" (4,000) is medium, "think hard"
 * (10,000) and "ultrathink" (31,999) are high.
 */
export const EFFORT_BUDGETS: ReadonlyArray<readonly [number, Effort]> = [[0, 'none'], [1_024, 'low'], [8_192, 'medium']];

/** The level of a thinking budget in tokens; undefined for a dynamic (negative) or malformed budget. */
export function effortOfBudget(budget: unknown): Effort | undefined {
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 0) return undefined;
  return EFFORT_BUDGETS.find(([max]) => budget <= max)?.[1] ?? 'high';
}

const obj = (v: unknown): Record<string, any> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : undefined);

function anthropicThinking(body: Record<string, any>): Effort | undefined {
  const thinking = obj(body.thinking);
  if (thinking?.type === 'disabled') return 'none';
  return thinking?.type === 'enabled' ? effortOfBudget(thinking.budget_tokens) : undefined;
}

function geminiThinking(body: Record<string, any>): Effort | undefined {
  // REST bodies nest it in generationConfig, the @google/genai SDK's params in config.
  const config = obj(obj(body.generationConfig)?.thinkingConfig) ?? obj(obj(body.config)?.thinkingConfig);
  return config ? knownEffort(config.thinkingLevel) ?? effortOfBudget(config.thinkingBudget) : undefined;
}

/** The effort a provider request body asks for (OpenAI, Anthropic or Gemini shapes); undefined when it does not say. */
export function effortOfRequest(body: unknown): Effort | undefined {
  const b = obj(body);
  if (!b) return undefined;
  return knownEffort(b.reasoning_effort) ?? knownEffort(obj(b.reasoning)?.effort) ?? knownEffort(obj(b.output_config)?.effort)
    ?? anthropicThinking(b) ?? geminiThinking(b);
}
