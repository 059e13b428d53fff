// CloudEvents 1.0 (JSON structured and batch modes) as usage events, mapped the way OpenMeter users
// send them: `id` + `source` are the idempotency key (the same pair is stored once), `subject` is
// the customer, `time` the moment, and `data` carries the call: provider, model, token counts
// (ours, OpenAI's prompt/completion names, or OpenMeter's `tokens` + `type`), cost, context fields
// and tags. Other scalar `data` fields become tags, so nothing the sender meant to keep is lost.
import { now } from '@spendgraph/periods/clock';
import { z } from 'zod';
import { uuidV5 } from './ingest-event.ts';
import { CONTEXT_FIELDS, TOKENS_COLUMNS } from './vocabulary.ts';

export const CLOUDEVENTS_STRUCTURED = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH = 'application/cloudevents-batch+json';

/** The envelope (CloudEvents 1.0 required attributes, and the optional ones we read). */
export const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0', { error: 'must be "1.0"' }),
  id: z.string().min(1).max(500),
  source: z.string().min(1).max(500),
  type: z.string().min(1).max(200),
  subject: z.string().min(1).max(200).optional(),
  time: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' }).optional(),
  datacontenttype: z.string().regex(/json/, 'only JSON data is read').optional(),
  data: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).optional(),
});
export type CloudEvent = z.infer<typeof cloudEventSchema>;

/** `data` fields taken as the usage event's own (the rest become tags). */
const EVENT_FIELDS = new Set<string>(['provider', 'model', 'kind', 'status', 'latency_ms', 'cost', 'currency', 'usage', 'tags', 'work_items', 'effort', ...CONTEXT_FIELDS]);

/** Token counts as senders name them in `data`, flat: ours, and OpenAI's. */
const TOKEN_ALIASES: Record<string, string> = {
  ...Object.fromEntries(TOKENS_COLUMNS.map((c) => [c, c])),
  prompt_tokens: 'input_tokens', completion_tokens: 'output_tokens',
};
/** OpenMeter's LLM meter example: `tokens` with `type` input/output/system. */
const OPENMETER_TYPES: Record<string, string> = { input: 'input_tokens', system: 'input_tokens', prompt: 'input_tokens', output: 'output_tokens', completion: 'output_tokens' };
const IGNORED = new Set(['total_tokens', 'convention']);

/** "123" as 123: OpenMeter's examples send counts as strings. Anything else is left for the schema to name. */
const count = (v: unknown) => (typeof v === 'string' && /^\d{1,13}$/.test(v) ? Number(v) : v);

function usageOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  if (data.usage !== undefined) return undefined; // given as ours: taken as is
  const usage: Record<string, unknown> = {};
  for (const [k, column] of Object.entries(TOKEN_ALIASES)) if (data[k] !== undefined) usage[column] = count(data[k]);
  const typed = typeof data.type === 'string' ? OPENMETER_TYPES[data.type] : undefined;
  if (data.tokens !== undefined && typed) usage[typed] = count(data.tokens);
  if (data.convention !== undefined) usage.convention = data.convention;
  return Object.keys(usage).length ? usage : undefined;
}

const isTokenField = (k: string, data: Record<string, unknown>) =>
  k in TOKEN_ALIASES || IGNORED.has(k) || ((k === 'tokens' || k === 'type') && typeof data.type === 'string' && data.type in OPENMETER_TYPES);

/** The usage event a CloudEvent stands for (checked afterwards by usageEventInputSchema, like every event). */
export function cloudEventToUsageEvent(ce: CloudEvent): Record<string, unknown> {
  const data = ce.data ?? {};
  const event: Record<string, unknown> = {
    id: uuidV5(`cloudevents:${JSON.stringify([ce.source, ce.id])}`),
    occurred_at: ce.time ?? now().toISOString(),
    source: 'cloudevents',
  };
  const tags: Record<string, unknown> = { ce_type: ce.type, ce_source: ce.source.slice(0, 500) };
  for (const [k, v] of Object.entries(data)) {
    if (v === null || k === 'tags') continue; // senders write null for "none" (LiteLLM's cost when it has no price)
    if (EVENT_FIELDS.has(k)) event[k] = v;
    else if (!isTokenField(k, data) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) tags[k] = v;
  }
  const given = data.tags;
  const isObject = typeof given === 'object' && given !== null && !Array.isArray(given);
  // Tags that are not an object are passed on for the schema to name.
  event.tags = given === undefined || given === null ? tags : isObject ? { ...tags, ...given } : given;
  const usage = usageOf(data);
  if (usage) event.usage = usage;
  if (event.customer_id === undefined && ce.subject !== undefined) event.customer_id = ce.subject;
  // LiteLLM and others name models `provider/model`.
  if (event.provider === undefined && typeof event.model === 'string' && /^[\w.-]+\/.+/.test(event.model)) {
    const slash = event.model.indexOf('/');
    event.provider = event.model.slice(0, slash);
    event.model = event.model.slice(slash + 1);
  }
  return event;
}

/** Where a usage event's field came from in the CloudEvent, for error messages. */
export function cloudEventPath(eventPath: string, ce: CloudEvent | undefined): string {
  const [head] = eventPath.split('.');
  if (head === 'occurred_at') return 'time';
  if (head === 'id') return 'id';
  if (head === 'customer_id' && ce?.data?.customer_id === undefined) return 'subject';
  if (head === 'tags' && eventPath !== 'tags' && ce?.data?.tags === undefined) return `data.${eventPath.slice('tags.'.length)}`;
  return eventPath ? `data.${eventPath}` : 'data';
}
