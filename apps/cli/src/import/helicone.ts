// A Helicone request export: `npx @helicone/export` (CSV: response_id, response_created_at,
// response_status, request_created_at, request_body, request_properties, request_user_id, model,
// prompt_tokens, completion_tokens, latency, cost; JSON/JSONL: the full records of
// POST /v1/request/query-clickhouse with request_id, provider, delay_ms, prompt_cache_*_tokens…).
// Sources: apps/cli/test/fixtures/import/README.md. Token counts are in the provider's convention
// (OpenAI's prompt_tokens include cached ones, Anthropic's do not): the provider's default applies.
import { type UsageEventInput, uuidV5 } from '@spendgraph/schema';
import { type Outcome, type RawRecord, type Tags, applyMetadata, count, instant, maybe, money, object, providerOf, text } from './fields.ts';

function statusOf(v: unknown): string {
  const code = count(v);
  if (!text(v) || (code >= 200 && code < 300)) return 'ok';
  return code === 429 ? 'rate_limited' : 'error';
}

/** The id the webhook gives a call it cannot tie to a provider response (apps/api/src/ingest/helicone.ts), so both paths store it once. */
function idOf(r: RawRecord): string | undefined {
  const request = text(r.request_id);
  if (request) return uuidV5(`helicone:${request}`);
  const response = text(r.response_id);
  return response ? uuidV5(`helicone:response:${response}`) : undefined;
}

export function heliconeRecord(r: RawRecord, o: { provider?: string }): Outcome {
  const input = count(r.prompt_tokens);
  const output = count(r.completion_tokens);
  const cacheRead = count(r.prompt_cache_read_tokens);
  const cacheWrite = count(r.prompt_cache_write_tokens);
  const cost = money(r.cost) ?? money(r.costUSD);
  const file = { fileTokens: count(r.total_tokens) || input + output, fileCost: cost ?? '0' };
  const id = idOf(r);
  if (!id) return { skip: 'no request_id or response_id', ...file };
  const at = instant(r.request_created_at);
  if (!at) return { skip: 'no request_created_at', ...file };
  const model = text(r.model) ?? text(r.model_override) ?? text(r.response_model) ?? text(r.request_model);
  if (!model) return { skip: 'no model', ...file };
  const provider = providerOf(r.provider, model) ?? o.provider;
  if (!provider) return { skip: 'provider unknown (give --provider)', ...file };
  const latency = count(r.delay_ms ?? r.latency);
  const event: Record<string, unknown> = {
    id, occurred_at: at, provider, model,
    status: statusOf(r.response_status),
    ...(latency > 0 && latency <= 86_400_000 ? { latency_ms: latency } : {}),
    usage: { input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_5m_tokens: cacheWrite },
    ...maybe('cost', cost),
    source: 'helicone',
    ...maybe('user_id', text(r.request_user_id)),
  };
  const tags: Tags = { ...(cost ? { cost_source: 'helicone' } : {}), imported: 'helicone' };
  if (text(r.request_id)) tags.helicone_request_id = text(r.request_id)!;
  // Helicone-Session-Id and the other Helicone-Property-* headers, as Helicone keeps them.
  const properties = object(r.request_properties) ?? {};
  const session = text(properties['Helicone-Session-Id']);
  if (session) event.session_id = session;
  applyMetadata(event, tags, Object.fromEntries(Object.entries(properties).filter(([k]) => !k.startsWith('Helicone-Session'))));
  event.tags = tags;
  return { event: event as UsageEventInput, ...file };
}
