// Usage as OpenAI and Anthropic report it — in a whole response or in streamed events — read
// into ReportedUsage in the provider's own convention. Shared by the proxy and the SDK wrappers.
//   OpenAI Chat Completions: usage.{prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,
//     completion_tokens_details.reasoning_tokens}; streamed in the last chunk (stream_options.include_usage)
//   OpenAI Responses: usage.{input_tokens, output_tokens, input_tokens_details.cached_tokens,
//     output_tokens_details.reasoning_tokens}; streamed in the `response.completed` event
//   Anthropic Messages: usage.{input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
//     cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}}; streamed in `message_start`
//     (input and cache) and `message_delta` (cumulative output)
//   The tier billed: OpenAI's response `service_tier` (both APIs), Anthropic's `usage.service_tier`
import type { ReportedUsage } from './usage-conventions.ts';
import { uuidV5 } from './ingest-event.ts';
import { type ServiceTier, knownServiceTier as tierOf } from './vocabulary.ts';

export type UsageProvider = 'openai' | 'anthropic';

/** The event id of a provider response: the same whether the proxy or the SDK saw it, so it is stored once. */
export function responseEventId(provider: string, responseId: string): string {
  return uuidV5(`${provider}:response:${responseId}`);
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export function openaiUsage(u: any): ReportedUsage {
  return {
    input_tokens: n(u.prompt_tokens ?? u.input_tokens),
    output_tokens: n(u.completion_tokens ?? u.output_tokens),
    cache_read_tokens: n((u.prompt_tokens_details ?? u.input_tokens_details)?.cached_tokens),
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    reasoning_tokens: n((u.completion_tokens_details ?? u.output_tokens_details)?.reasoning_tokens),
    convention: 'openai',
  };
}

export function anthropicUsage(u: any): ReportedUsage {
  const split = u.cache_creation;
  return {
    input_tokens: n(u.input_tokens),
    output_tokens: n(u.output_tokens),
    cache_read_tokens: n(u.cache_read_input_tokens),
    cache_write_5m_tokens: split ? n(split.ephemeral_5m_input_tokens) : n(u.cache_creation_input_tokens),
    cache_write_1h_tokens: split ? n(split.ephemeral_1h_input_tokens) : 0,
    reasoning_tokens: 0,
    convention: 'anthropic',
  };
}

/** Follows one call's response (the whole body, or each streamed event) and keeps its id, model and usage. */
export class UsageReader {
  readonly provider: UsageProvider;
  id: string | undefined;
  model: string | undefined;
  usage: ReportedUsage | undefined;
  serviceTier: ServiceTier | undefined;

  constructor(provider: UsageProvider) {
    this.provider = provider;
  }

  /** A response body or one streamed event's data, parsed. */
  accept(o: any): void {
    if (!o || typeof o !== 'object') return;
    if (this.provider === 'openai') this.openai(o.type === 'response.completed' || o.type === 'response.incomplete' ? o.response : o);
    else this.anthropic(o);
  }

  private openai(o: any) {
    if (!o) return;
    if (typeof o.id === 'string') this.id ??= o.id;
    if (typeof o.model === 'string') this.model = o.model;
    if (o.usage && typeof o.usage === 'object') this.usage = openaiUsage(o.usage);
    this.serviceTier = tierOf(o.service_tier) ?? this.serviceTier;
  }

  private anthropic(o: any) {
    const message = o.type === 'message_start' ? o.message : o.type === 'message' ? o : undefined;
    if (message) {
      if (typeof message.id === 'string') this.id = message.id;
      if (typeof message.model === 'string') this.model = message.model;
      if (message.usage) this.usage = anthropicUsage(message.usage);
      this.serviceTier = tierOf(message.usage?.service_tier) ?? this.serviceTier;
    } else if (o.type === 'message_delta' && o.usage) {
      // Counts in message_delta are cumulative; fields it leaves out keep message_start's values.
      const delta = anthropicUsage(o.usage);
      const base = this.usage ?? delta;
      this.usage = {
        ...base,
        output_tokens: delta.output_tokens,
        ...(o.usage.input_tokens != null ? { input_tokens: delta.input_tokens } : {}),
        ...(o.usage.cache_read_input_tokens != null ? { cache_read_tokens: delta.cache_read_tokens } : {}),
      };
    }
  }
}

/** Splits a server-sent-event stream into its events' data, chunk by chunk. */
export class SseDataSplitter {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** The `data` of every event completed by this chunk (multi-line data joined by newlines). */
  push(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const out: string[] = [];
    for (let end = this.boundary(); end; end = this.boundary()) {
      const block = this.buffer.slice(0, end[0]);
      this.buffer = this.buffer.slice(end[0] + end[1]);
      const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5));
      if (data.length) out.push(data.join('\n'));
    }
    return out;
  }

  private boundary(): [number, number] | undefined {
    const m = /\r?\n\r?\n/.exec(this.buffer);
    return m ? [m.index, m[0].length] : undefined;
  }
}
