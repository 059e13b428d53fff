// Providers count tokens differently. We store disjoint partitions, so that
// summing token types never counts a token twice and each type gets its price:
//   input          = prompt tokens not read from or written to the cache
//   cache_read     = prompt tokens read from the cache
//   cache_write_*  = prompt tokens written to the cache (5-minute / 1-hour TTL)
//   output         = completion tokens excluding reasoning
//   reasoning      = reasoning / thinking tokens (priced at the output rate unless a price says otherwise)
//
// Conventions callers can report in (default chosen from `provider`):
//   disjoint   already partitioned as above
//   anthropic  `input_tokens` excludes cache reads/writes; output has no separate reasoning count -> disjoint
//   openai     `input_tokens` (prompt_tokens) INCLUDES cached tokens; `output_tokens` INCLUDES reasoning_tokens
//   google     `input_tokens` (promptTokenCount) INCLUDES cached content; thoughts are reported separately
import type { z } from 'zod';
import { type TokenCounts, type TokensColumn, noTokens } from './vocabulary.ts';

export const USAGE_CONVENTIONS = ['disjoint', 'openai', 'anthropic', 'google'] as const;
export type UsageConvention = (typeof USAGE_CONVENTIONS)[number];

/** Counts as a caller reports them (`usage` of an event), in some convention. */
export type ReportedUsage = Record<TokensColumn, number> & { convention?: UsageConvention | undefined };

const PROVIDER_CONVENTIONS: Record<string, UsageConvention> = {
  anthropic: 'anthropic',
  openai: 'openai',
  azure: 'openai',
  'azure-openai': 'openai',
  openrouter: 'openai',
  deepseek: 'openai',
  xai: 'openai',
  groq: 'openai',
  mistral: 'openai',
  google: 'google',
  'google-vertex': 'google',
  gemini: 'google',
};

export function conventionFor(usage: ReportedUsage, provider: string | undefined | null): UsageConvention {
  return usage.convention ?? PROVIDER_CONVENTIONS[provider ?? ''] ?? 'disjoint';
}

function includesCache(c: UsageConvention) {
  return c === 'openai' || c === 'google';
}

/** Adds a validation issue when the counts cannot be in the convention they claim. */
export function checkUsageConvention(usage: ReportedUsage, provider: string | undefined, ctx: z.RefinementCtx) {
  const c = conventionFor(usage, provider);
  const cached = usage.cache_read_tokens + usage.cache_write_5m_tokens + usage.cache_write_1h_tokens;
  if (includesCache(c) && cached > usage.input_tokens) {
    ctx.addIssue({
      code: 'custom',
      path: ['usage', 'input_tokens'],
      message: `is smaller than the cache tokens (${cached}); in the ${c} convention input_tokens includes cached tokens (send usage.convention "disjoint" if it does not)`,
    });
  }
  if (c === 'openai' && usage.reasoning_tokens > usage.output_tokens) {
    ctx.addIssue({
      code: 'custom',
      path: ['usage', 'output_tokens'],
      message: `is smaller than reasoning_tokens (${usage.reasoning_tokens}); in the openai convention output_tokens includes reasoning (send usage.convention "disjoint" if it does not)`,
    });
  }
}

/** Turns reported counts into disjoint partitions. Assumes checkUsageConvention passed. */
export function toTokenCounts(usage: ReportedUsage | undefined, provider: string | undefined | null): TokenCounts {
  if (!usage) return noTokens();
  const c = conventionFor(usage, provider);
  const cached = usage.cache_read_tokens + usage.cache_write_5m_tokens + usage.cache_write_1h_tokens;
  return {
    input: includesCache(c) ? usage.input_tokens - cached : usage.input_tokens,
    output: c === 'openai' ? usage.output_tokens - usage.reasoning_tokens : usage.output_tokens,
    cache_read: usage.cache_read_tokens,
    cache_write_5m: usage.cache_write_5m_tokens,
    cache_write_1h: usage.cache_write_1h_tokens,
    reasoning: usage.reasoning_tokens,
  };
}
