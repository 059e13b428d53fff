// The event vocabulary, defined once: token types, the context a call is attributed
// to, and the names they take as fields and columns. The wire format (usage-event.ts),
// the stored row (packages/db), pricing, exports and collectors all derive from these.

/** Token types, as disjoint partitions of a call's tokens (see usage-conventions.ts). */
export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'reasoning'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** A call's tokens, one count per partition. */
export type TokenCounts = Record<TokenType, number>;

/** The prompt's tokens: uncached input, cache reads and cache writes (what long-context tiers and context size count). */
export const PROMPT_TOKEN_TYPES = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h'] as const satisfies readonly TokenType[];

export function promptTokens(tokens: TokenCounts): number {
  return PROMPT_TOKEN_TYPES.reduce((n, t) => n + tokens[t], 0);
}

/** Token counts of a call that used none. */
export function noTokens(): TokenCounts {
  return Object.fromEntries(TOKEN_TYPES.map((t) => [t, 0])) as TokenCounts;
}

/** The field (`usage.input_tokens`) and column (`usage_events.input_tokens`) of a token type's count. */
export const tokensColumn = <T extends TokenType>(t: T) => `${t}_tokens` as const;
/** The column of a token type's cost (`input_cost`). */
export const costColumn = <T extends TokenType>(t: T) => `${t}_cost` as const;
export type TokensColumn = `${TokenType}_tokens`;
export type CostColumn = `${TokenType}_cost`;
export const TOKENS_COLUMNS: readonly TokensColumn[] = TOKEN_TYPES.map(tokensColumn);
export const COST_COLUMNS: readonly CostColumn[] = TOKEN_TYPES.map(costColumn);

/**
 * The service tier a call was billed at, as providers name it: OpenAI's `service_tier` (`default`,
 * `flex`, `priority`, `scale`; its Batch API is `batch`), Anthropic's `usage.service_tier`
 * (`standard`, `priority`, `batch`), Gemini's Batch Mode (`batch`). `default`/`auto` are `standard`.
 */
export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority', 'scale'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];
const SERVICE_TIER_ALIASES: Record<string, ServiceTier> = { default: 'standard', auto: 'standard', on_demand: 'standard' };

/** A provider's spelling of a tier as ours (`default` → `standard`); unknown names are returned as given. */
export function serviceTierName(name: string): string {
  const n = name.trim().toLowerCase();
  return SERVICE_TIER_ALIASES[n] ?? n;
}

/** A tier a provider or a span reported, in our names; undefined for none or one we do not know (never a refused event). */
export function knownServiceTier(v: unknown): ServiceTier | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const name = serviceTierName(String(v));
  return (SERVICE_TIERS as readonly string[]).includes(name) ? (name as ServiceTier) : undefined;
}

/** Context columns: the work a call is attributed to. */
export const CONTEXT_FIELDS = [
  'space',
  'plan_id',
  'task_id',
  'task_type',
  'workflow',
  'step',
  'agent',
  'user_id',
  'customer_id',
  'feature',
  'session_id',
  'work_item',
] as const;
export type ContextField = (typeof CONTEXT_FIELDS)[number];

/**
 * The context an API key may be restricted to (one value per field): the key's events carry it,
 * its queries are filtered by it. Not work items: a call may be for several, in shares.
 */
export const RESTRICTABLE_FIELDS = CONTEXT_FIELDS.filter((f): f is Exclude<ContextField, 'work_item'> => f !== 'work_item');
export type RestrictableField = (typeof RESTRICTABLE_FIELDS)[number];

/**
 * The context that allocates cost (FOCUS tags, chargeback): all of it but sessions, which are
 * observability and would make every group its own.
 */
export const ALLOCATION_FIELDS = CONTEXT_FIELDS.filter((f): f is Exclude<ContextField, 'session_id'> => f !== 'session_id');

/** Token counts as their columns (`{ input: 3 }` → `{ input_tokens: 3, ... }`). */
export function tokensColumns(tokens: TokenCounts): Record<TokensColumn, number> {
  return Object.fromEntries(TOKEN_TYPES.map((t) => [tokensColumn(t), tokens[t]])) as Record<TokensColumn, number>;
}

/** The context as columns: every field, null where the event names none. */
export function contextColumns(context: Partial<Record<ContextField, string>>): Record<ContextField, string | null> {
  return Object.fromEntries(CONTEXT_FIELDS.map((f) => [f, context[f] ?? null])) as Record<ContextField, string | null>;
}
