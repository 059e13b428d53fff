// Helicone's webhook payload (Helicone's jawn webhook sender: request_id, request_body and
// response_body as JSON text, and with "include data" on: model, provider, user_id and
// metadata {cost, promptTokens, completionTokens, latencyMs}). One payload is one call; usage is
// read from the provider's own response when the body came whole, else from Helicone's counts.
import { findProvider } from '@pydantic/genai-prices';
import { anthropicUsage, effortOfRequest, openaiUsage, responseEventId, uuidV5 } from '@spendgraph/schema';
import { dollars } from '../otlp/frameworks.ts';

type Payload = Record<string, any>;

function parse(text: unknown): any {
  if (typeof text !== 'string') return typeof text === 'object' && text !== null ? text : undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // Helicone replaces bodies over 10 KB by a sentence
  }
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

export function heliconeToUsageEvent(p: Payload): Record<string, unknown> {
  const request = parse(p.request_body) ?? {};
  const response = parse(p.response_body) ?? {};
  const model = text(p.model) ?? text(response.model) ?? text(request.model);
  const provider = text(p.provider)?.toLowerCase() ?? (model ? findProvider({ modelId: model })?.id : undefined);
  const m = p.metadata ?? {};
  const usage = response.usage
    ? (provider === 'anthropic' ? anthropicUsage(response.usage) : openaiUsage(response.usage))
    : openaiUsage({ prompt_tokens: m.promptTokens, completion_tokens: m.completionTokens });
  const cost = dollars(m.cost);
  const created = typeof response.created === 'number' && response.created > 0 ? response.created * 1000 : Date.now();
  return {
    id: text(response.id) && provider ? responseEventId(provider, response.id) : uuidV5(`helicone:${String(p.request_id)}`),
    occurred_at: new Date(created).toISOString(),
    provider, model,
    status: response.error ? 'error' : 'ok',
    ...(typeof m.latencyMs === 'number' && m.latencyMs >= 0 ? { latency_ms: Math.round(m.latencyMs) } : {}),
    usage,
    ...(effortOfRequest(request) ? { effort: effortOfRequest(request) } : {}),
    ...(cost === undefined ? {} : { cost }),
    source: 'helicone',
    ...(text(p.user_id) ? { user_id: p.user_id } : {}),
    tags: { ...(text(p.request_id) ? { helicone_request_id: p.request_id } : {}) },
  };
}
