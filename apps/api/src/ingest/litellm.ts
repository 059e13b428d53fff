// LiteLLM's generic logging callback (callback_type: generic_api): StandardLoggingPayload records
// (docs.litellm.ai/docs/proxy/logging_spec), sent as a JSON array, NDJSON or one object. Each is one
// call: its provider and model, OpenAI-style token counts, LiteLLM's response_cost kept as the
// supplied cost, the virtual key's user and team, the end user as customer, request tags as tags.
import { findProvider } from '@pydantic/genai-prices';
import { effortOfRequest, openaiUsage, responseEventId, uuidV5 } from '@spendgraph/schema';
import { contextFieldOf, dollars } from '../otlp/frameworks.ts';

type Payload = Record<string, any>;

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

function providerAndModel(p: Payload): { provider?: string; model?: string } {
  let model = text(p.model) ?? text(p.hidden_params?.litellm_model_name);
  let provider = text(p.custom_llm_provider) ?? text(p.error_information?.llm_provider);
  // LiteLLM's own spelling: `openai/gpt-4o`.
  const slash = model?.indexOf('/') ?? -1;
  if (model && slash > 0 && (!provider || model.startsWith(`${provider}/`))) {
    provider ??= model.slice(0, slash);
    model = model.slice(slash + 1);
  }
  provider ??= model ? findProvider({ modelId: model })?.id : undefined;
  return { provider, model };
}

function statusOf(p: Payload): string {
  if (p.status !== 'failure') return 'ok';
  return String(p.error_information?.error_code ?? '') === '429' ? 'rate_limited' : 'error';
}

function tagsOf(p: Payload, event: Record<string, unknown>): Record<string, string | number | boolean> {
  const m = p.metadata ?? {};
  const tags: Record<string, string | number | boolean> = {};
  for (const [tag, v] of [['team', m.user_api_key_team_alias ?? m.user_api_key_team_id], ['key_alias', m.user_api_key_alias], ['call_type', p.call_type], ['cache_hit', p.cache_hit]] as const) {
    if (typeof v === 'string' || typeof v === 'boolean') tags[tag] = v;
  }
  if (Array.isArray(p.request_tags)) for (const t of p.request_tags) if (typeof t === 'string' && t) tags[`tag:${t}`.slice(0, 100)] = true;
  // spend_logs_metadata: the caller's own labels; those that name a context field become it.
  for (const [k, v] of Object.entries(m.spend_logs_metadata ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const field = contextFieldOf(k);
    if (field) event[field] = String(v);
    else tags[k] = v;
  }
  return tags;
}

/** One StandardLoggingPayload as a usage event (checked afterwards like every event). */
export function litellmToUsageEvent(p: Payload): Record<string, unknown> {
  const { provider, model } = providerAndModel(p);
  const start = seconds(p.startTime);
  const end = seconds(p.endTime);
  const usage = p.response && typeof p.response === 'object' && p.response.usage
    ? openaiUsage(p.response.usage)
    : openaiUsage({ prompt_tokens: p.prompt_tokens, completion_tokens: p.completion_tokens });
  const cost = dollars(p.response_cost);
  const id = text(p.id);
  const event: Record<string, unknown> = {
    // The provider's response id where there is one: the SDK wrappers and the proxy report it under the same id.
    id: id && provider ? responseEventId(provider, id) : uuidV5(`litellm:${JSON.stringify([p.id, p.startTime])}`),
    occurred_at: new Date(start ? start * 1000 : Date.now()).toISOString(),
    provider, model,
    status: statusOf(p),
    ...(start && end && end >= start ? { latency_ms: Math.round((end - start) * 1000) } : {}),
    usage,
    // The call's optional parameters (reasoning_effort, thinking) as LiteLLM passed them on.
    ...(effortOfRequest(p.model_parameters) ? { effort: effortOfRequest(p.model_parameters) } : {}),
    ...(cost === undefined ? {} : { cost }),
    source: 'litellm',
    ...(text(p.metadata?.user_api_key_user_id) ? { user_id: p.metadata.user_api_key_user_id } : {}),
    ...(text(p.end_user) ? { customer_id: p.end_user } : {}),
  };
  event.tags = tagsOf(p, event);
  if (text(p.trace_id)) (event.tags as Record<string, string>).trace_id = p.trace_id;
  return event;
}
