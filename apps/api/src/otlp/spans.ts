// OpenTelemetry GenAI spans → usage event inputs (semantic conventions for generative AI, and
// the names the frameworks' instrumentations use for the same things: frameworks.ts).
// A span is a model call when it carries token counts and sums no other span's; others are ignored.
// Context comes from span attributes, then resource attributes: `spendgraph.<field>` for every
// context field (spendgraph.plan_id, spendgraph.work_item…), the conventions' user.id / enduser.id,
// session.id, gen_ai.conversation.id and gen_ai.agent.name, and `spendgraph.tag.<name>` for tags.
import { CONTEXT_FIELDS, type ContextField, USAGE_CONVENTIONS, effortOfRequest, knownEffort, knownServiceTier, type UsageConvention, type UsageEventInput, uuidV5 } from '@spendgraph/schema';
import { type Lookup, contextFieldOf, first, isAggregate, metadataOf, parseJson, providerName, reportedCost } from './frameworks.ts';

type AnyValue = { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number; [k: string]: unknown };
interface KeyValue { key: string; value?: AnyValue }
interface OtlpSpan {
  traceId?: string; spanId?: string; name?: string;
  startTimeUnixNano?: string | number; endTimeUnixNano?: string | number;
  attributes?: KeyValue[]; status?: { code?: number | string; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans?: Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

type Attrs = Map<string, string | number | boolean>;

function attrs(list: KeyValue[] | undefined): Attrs {
  const m: Attrs = new Map();
  for (const kv of list ?? []) {
    const v = kv.value;
    if (!v || typeof kv.key !== 'string') continue;
    if (v.stringValue !== undefined) m.set(kv.key, v.stringValue);
    else if (v.intValue !== undefined) m.set(kv.key, Number(v.intValue));
    else if (v.doubleValue !== undefined) m.set(kv.key, v.doubleValue);
    else if (v.boolValue !== undefined) m.set(kv.key, v.boolValue);
  }
  return m;
}

/** gen_ai.provider.name values (and the older gen_ai.system) → Spendgraph provider names. */
const PROVIDERS: Record<string, string> = {
  'gcp.gemini': 'google', 'gcp.gen_ai': 'google', 'gcp.vertex_ai': 'google-vertex', 'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure', 'aws.bedrock': 'aws-bedrock', mistral_ai: 'mistral', x_ai: 'xai', 'ibm.watsonx.ai': 'ibm-watsonx',
  // the AI SDK's provider ids (before the dot), OpenInference's llm.provider
  'amazon-bedrock': 'aws-bedrock', 'google-vertex': 'google-vertex', aws: 'aws-bedrock', vertexai: 'google-vertex', xai: 'xai',
};

const CONTEXT_ALIASES: Record<string, ContextField> = {
  'user.id': 'user_id', 'enduser.id': 'user_id', 'session.id': 'session_id', 'gen_ai.conversation.id': 'session_id', 'gen_ai.agent.name': 'agent',
  'agent.name': 'agent', 'ai.telemetry.functionId': 'feature', 'traceloop.workflow.name': 'workflow',
};

const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

function nanosToDate(n: string | number | undefined): Date | undefined {
  if (n === undefined || n === '' || n === '0' || n === 0) return undefined;
  return new Date(Number(BigInt(n) / 1_000_000n));
}

function usage(a: Lookup) {
  const input = int(first(a, 'gen_ai.usage.input_tokens'));
  const cacheRead = int(first(a, 'gen_ai.usage.cache_read.input_tokens'));
  const cacheWrite = int(first(a, 'gen_ai.usage.cache_creation.input_tokens'));
  const reasoning = int(first(a, 'gen_ai.usage.reasoning.output_tokens'));
  const output = int(first(a, 'gen_ai.usage.output_tokens'));
  const stated = a('spendgraph.usage.convention');
  // The conventions count cached tokens inside input_tokens and reasoning inside output_tokens;
  // instrumentations that report Anthropic's own figures (input without the cache) cannot, so
  // counts that do not fit are taken as disjoint. spendgraph.usage.convention overrides.
  const convention = (USAGE_CONVENTIONS as readonly unknown[]).includes(stated) ? (stated as UsageConvention)
    : cacheRead + cacheWrite <= input && reasoning <= output ? 'openai' : 'disjoint';
  return { input_tokens: input, output_tokens: output, cache_read_tokens: cacheRead, cache_write_5m_tokens: cacheWrite, cache_write_1h_tokens: 0, reasoning_tokens: reasoning, convention };
}

/** The billed tier: spendgraph.service_tier, else the response's (openai.response.service_tier, formerly gen_ai.openai.…); a name we do not know is left out, not a refused batch. */
function tier(a: (k: string) => unknown) {
  return knownServiceTier(a('spendgraph.service_tier') ?? a('openai.response.service_tier') ?? a('gen_ai.openai.response.service_tier'));
}

/** The reasoning effort asked for (spendgraph.effort, gen_ai.request.reasoning_effort…), else in OpenInference's invocation parameters; unknown names are left out. */
function effort(a: Lookup) {
  return knownEffort(first(a, 'gen_ai.request.reasoning_effort')) ?? effortOfRequest(parseJson(a('llm.invocation_parameters')));
}

function spanEvent(span: OtlpSpan, resource: Attrs): UsageEventInput | undefined {
  const own = attrs(span.attributes);
  const a: Lookup = (k) => own.get(k) ?? resource.get(k);
  if (first(a, 'gen_ai.usage.input_tokens') === undefined && first(a, 'gen_ai.usage.output_tokens') === undefined) return undefined;
  if (isAggregate(a)) return undefined;
  const rawProvider = String(first(a, 'gen_ai.provider.name') ?? '');
  const model = first(a, 'gen_ai.response.model') ?? first(a, 'gen_ai.request.model');
  const cost = reportedCost(a);
  const start = nanosToDate(span.startTimeUnixNano) ?? new Date();
  const end = nanosToDate(span.endTimeUnixNano);
  const event: Record<string, unknown> = {
    // One event per span: a re-exported span is stored once.
    id: uuidV5(`otlp:${span.traceId ?? ''}:${span.spanId ?? ''}`),
    occurred_at: start.toISOString(),
    provider: rawProvider ? providerName(rawProvider, PROVIDERS) : undefined,
    model: model === undefined ? undefined : String(model),
    status: span.status?.code === 2 || span.status?.code === 'STATUS_CODE_ERROR' ? 'error' : 'ok',
    ...(end && end >= start ? { latency_ms: end.getTime() - start.getTime() } : {}),
    usage: usage(a),
    // The tier the response reports (semantic conventions: openai.response.service_tier).
    ...(tier(a) ? { service_tier: tier(a) } : {}),
    ...(effort(a) ? { effort: effort(a) } : {}),
    // A gateway's own figure for the call is what was billed: kept, with who reported it (tags.cost_source).
    ...(cost ? { cost: cost.cost } : {}),
    source: 'otlp',
  };
  const tags: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(metadataOf([...resource, ...own]))) {
    const field = contextFieldOf(k);
    if (field) event[field] = String(v);
    else tags[k] = v;
  }
  for (const [k, field] of Object.entries(CONTEXT_ALIASES)) if (a(k) !== undefined && event[field] === undefined) event[field] = String(a(k));
  for (const f of CONTEXT_FIELDS) if (a(`spendgraph.${f}`) !== undefined) event[f] = String(a(`spendgraph.${f}`));
  if (span.traceId) tags.trace_id = span.traceId;
  if (a('service.name') !== undefined) tags.service = String(a('service.name'));
  if (cost) tags.cost_source = cost.source;
  for (const m of [resource, own]) for (const [k, v] of m) if (k.startsWith('spendgraph.tag.')) tags[k.slice('spendgraph.tag.'.length)] = v;
  event.tags = tags;
  return event as UsageEventInput;
}

/** The model-call events of an OTLP trace export, in request order. */
export function spansToEvents(request: OtlpTraceRequest): UsageEventInput[] {
  const events: UsageEventInput[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const e = spanEvent(span, resource);
        if (e) events.push(e);
      }
    }
  }
  return events;
}
