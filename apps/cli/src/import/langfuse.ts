// A Langfuse observations export (the UI's CSV/JSON export of the observations table, or pages of
// GET /api/public/observations): one event per GENERATION (or EMBEDDING) observation. Field names:
// apps/cli/test/fixtures/import/README.md. Langfuse's usageDetails are disjoint buckets (it adds
// them up for `total`): `input`, `output`, and keys naming cache reads, cache writes and reasoning.
import { type UsageEventInput, uuidV5 } from '@spendgraph/schema';
import {
  type Outcome, type RawRecord, type Tags, applyMetadata, count, instant, maybe, millisBetween, money, object, providerOf, splitModel, text,
} from './fields.ts';

const MODEL_CALLS = new Set(['GENERATION', 'EMBEDDING']);

function usageOf(r: RawRecord) {
  const details = object(r.usageDetails);
  const legacy = object(r.usage);
  const buckets = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 };
  if (!details) {
    buckets.input_tokens = count(legacy?.input ?? r.promptTokens ?? r.inputUsage);
    buckets.output_tokens = count(legacy?.output ?? r.completionTokens ?? r.outputUsage);
    return { usage: { ...buckets, convention: 'disjoint' as const }, total: count(legacy?.total ?? r.totalTokens ?? r.totalUsage) || buckets.input_tokens + buckets.output_tokens };
  }
  for (const [k, v] of Object.entries(details)) {
    if (k === 'total') continue;
    const key = k.toLowerCase();
    const bucket = /cache_read|cached|cache_hit/.test(key) ? 'cache_read_tokens'
      : /cache_creation|cache_write/.test(key) ? (/1h/.test(key) ? 'cache_write_1h_tokens' : 'cache_write_5m_tokens')
        : /reasoning|thought/.test(key) ? 'reasoning_tokens'
          : key.startsWith('output') || key === 'completion' ? 'output_tokens' : 'input_tokens';
    buckets[bucket] += count(v);
  }
  const summed = Object.values(buckets).reduce((a, b) => a + b, 0);
  return { usage: { ...buckets, convention: 'disjoint' as const }, total: count(details.total) || summed };
}

export function langfuseRecord(r: RawRecord, o: { provider?: string }): Outcome {
  const { usage, total } = usageOf(r);
  const costDetails = object(r.costDetails);
  const cost = money(r.calculatedTotalCost) ?? money(costDetails?.total) ?? money(r.totalCost);
  const file = { fileTokens: total, fileCost: cost ?? '0' };
  const type = text(r.type)?.toUpperCase();
  if (type && !MODEL_CALLS.has(type)) return { skip: `not a model call (type ${type})`, ...file };
  const id = text(r.id);
  if (!id) return { skip: 'no id', ...file };
  const at = instant(r.startTime ?? r.timestamp);
  if (!at) return { skip: 'no startTime', ...file };
  const metadata = object(r.metadata);
  const split = splitModel(text(r.model) ?? text(r.providedModelName), text(metadata?.ls_provider)?.toLowerCase());
  if (!split.model) return { skip: 'no model', ...file };
  const provider = providerOf(split.provider, split.model) ?? o.provider;
  if (!provider) return { skip: 'provider unknown (give --provider)', ...file };
  const event: Record<string, unknown> = {
    id: uuidV5(`langfuse:observation:${id}`),
    occurred_at: at,
    provider, model: split.model,
    status: text(r.level)?.toUpperCase() === 'ERROR' ? 'error' : 'ok',
    ...maybe('latency_ms', millisBetween(at, instant(r.endTime))),
    usage,
    ...maybe('cost', cost),
    source: 'langfuse',
    ...maybe('user_id', text(r.userId)),
    ...maybe('session_id', text(r.sessionId)),
  };
  const tags: Tags = { ...(cost ? { cost_source: 'langfuse' } : {}), imported: 'langfuse', langfuse_observation_id: id };
  for (const [tag, v] of [['trace_id', r.traceId], ['langfuse_name', r.name], ['environment', r.environment]] as const) if (text(v)) tags[tag] = text(v)!.slice(0, 500);
  applyMetadata(event, tags, metadata);
  event.tags = tags;
  return { event: event as UsageEventInput, ...file };
}
