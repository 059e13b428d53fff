// A LiteLLM SpendLogs export: rows of the proxy's LiteLLM_SpendLogs table (the UI's logs export,
// /spend/logs, or the table copied as CSV/JSON): request_id, call_type, api_key (hashed), spend,
// total_tokens, prompt_tokens, completion_tokens, startTime, endTime, model, custom_llm_provider,
// user, team_id, end_user, metadata, cache_hit, request_tags, status, session_id. Sources:
// apps/cli/test/fixtures/import/README.md. LiteLLM reports tokens in OpenAI's shape (prompt
// tokens include cached ones) and its `spend` is the cost it computed: kept as supplied.
import { type UsageEventInput, openaiUsage, responseEventId } from '@spendgraph/schema';
import {
  type Outcome, type RawRecord, type Tags, applyMetadata, count, instant, list, maybe, millisBetween, money, object, providerOf, splitModel, text,
} from './fields.ts';

function tagsOf(r: RawRecord, metadata: RawRecord | undefined, cost: string | undefined): Tags {
  const tags: Tags = { ...(cost ? { cost_source: 'litellm' } : {}), imported: 'litellm' };
  const team = text(metadata?.user_api_key_team_alias) ?? text(r.team_id) ?? text(metadata?.user_api_key_team_id);
  for (const [tag, v] of [['team', team], ['key_alias', metadata?.user_api_key_alias], ['key_hash', r.api_key], ['call_type', r.call_type],
    ['cache_hit', r.cache_hit], ['model_group', r.model_group]] as const) if (text(v)) tags[tag] = text(v)!.slice(0, 500);
  for (const t of list(r.request_tags)) if (typeof t === 'string' && t) tags[`tag:${t}`.slice(0, 100)] = true;
  return tags;
}

export function litellmRecord(r: RawRecord, o: { provider?: string }): Outcome {
  const usage = openaiUsage({ prompt_tokens: count(r.prompt_tokens), completion_tokens: count(r.completion_tokens) });
  const cost = money(r.spend);
  const file = { fileTokens: count(r.total_tokens) || usage.input_tokens + usage.output_tokens, fileCost: cost ?? '0' };
  const requestId = text(r.request_id);
  if (!requestId) return { skip: 'no request_id', ...file };
  const at = instant(r.startTime);
  if (!at) return { skip: 'no startTime', ...file };
  const split = splitModel(text(r.model) ?? text(r.model_group), text(r.custom_llm_provider)?.toLowerCase());
  if (!split.model) return { skip: 'no model', ...file };
  const provider = providerOf(split.provider, split.model) ?? o.provider;
  if (!provider) return { skip: 'provider unknown (give --provider)', ...file };
  const metadata = object(r.metadata);
  const event: Record<string, unknown> = {
    // The provider's response id: the callback and the proxy report the call under the same id.
    id: responseEventId(provider, requestId),
    occurred_at: at, provider, model: split.model,
    status: text(r.status) === 'failure' || text(metadata?.status) === 'failure' ? 'error' : 'ok',
    ...maybe('latency_ms', millisBetween(at, instant(r.endTime))),
    usage,
    ...maybe('cost', cost),
    source: 'litellm',
    ...maybe('user_id', text(r.user) ?? text(metadata?.user_api_key_user_id)),
    ...maybe('customer_id', text(r.end_user)),
    ...maybe('session_id', text(r.session_id)),
  };
  const tags = tagsOf(r, metadata, cost);
  applyMetadata(event, tags, object(metadata?.spend_logs_metadata));
  event.tags = tags;
  return { event: event as UsageEventInput, ...file };
}
