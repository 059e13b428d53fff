// CloudEvents on POST /v1/events (structured: one event; batch: an array): each envelope is
// checked, mapped to a usage event (packages/schema cloudevents.ts) and accepted like any batch.
// A refusal names the CloudEvent's own field (`data.model`, `time`, `subject`), not ours.
import { type BatchIssue, type CloudEvent, cloudEventPath, cloudEventSchema, cloudEventToUsageEvent } from '@spendgraph/schema';
import { findProvider } from '@pydantic/genai-prices';
import type { AcceptResult } from './accept-events.ts';

export type MappedCloudEvents = { ok: true; events: Record<string, unknown>[]; envelopes: CloudEvent[] } | { ok: false; issues: BatchIssue[] };

export function mapCloudEvents(body: unknown, batch: boolean): MappedCloudEvents {
  if (batch && !Array.isArray(body)) return { ok: false, issues: [{ index: -1, path: '', message: 'a CloudEvents batch is a JSON array of events' }] };
  if (!batch && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return { ok: false, issues: [{ index: -1, path: '', message: 'a structured CloudEvent is a JSON object (send arrays as application/cloudevents-batch+json)' }] };
  }
  const items = batch ? (body as unknown[]) : [body];
  const envelopes: CloudEvent[] = [];
  const issues: BatchIssue[] = [];
  items.forEach((item, index) => {
    const parsed = cloudEventSchema.safeParse(item);
    if (parsed.success) envelopes.push(parsed.data);
    else for (const i of parsed.error.issues.slice(0, 10)) issues.push({ index, path: i.path.join('.'), message: i.message });
  });
  return issues.length ? { ok: false, issues } : { ok: true, events: envelopes.map(withProvider), envelopes };
}

/** A model named without its provider (LiteLLM's OpenMeter callback sends `gpt-4o`): the price catalog knows whose it is. */
function withProvider(ce: CloudEvent) {
  const event = cloudEventToUsageEvent(ce);
  if (event.provider === undefined && typeof event.model === 'string') event.provider = findProvider({ modelId: event.model })?.id;
  return event;
}

/** The result with each issue's path as the sender wrote it. */
export function inCloudEventTerms(result: AcceptResult, envelopes: CloudEvent[]): AcceptResult {
  if (result.status !== 'invalid' && result.status !== 'restricted') return result;
  return { ...result, issues: result.issues.map((i) => ({ ...i, path: cloudEventPath(i.path, envelopes[i.index]) })) };
}
