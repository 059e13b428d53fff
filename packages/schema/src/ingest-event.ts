// What the API puts on the queue and the worker prices and stores: a validated
// event with its id settled, its time in UTC and its tokens as disjoint partitions.
import { createHash } from 'node:crypto';
import type { Effort } from './effort.ts';
import type { ParsedUsageEvent } from './usage-event.ts';
import { toTokenCounts } from './usage-conventions.ts';
import { CONTEXT_FIELDS, type ContextField, type ServiceTier, type TokenCounts } from './vocabulary.ts';
import { type WorkItemShare, allocateShares } from './work-item-allocation.ts';

export interface IngestEvent {
  event_id: string;
  occurred_at: string;
  kind: ParsedUsageEvent['kind'];
  provider: string | null;
  model: string | null;
  status: ParsedUsageEvent['status'];
  latency_ms: number | null;
  tokens: TokenCounts;
  /** The tier the provider billed (absent when the event does not say: priced as standard). */
  service_tier?: ServiceTier;
  /** The reasoning effort the call was made at (absent when the event does not say). */
  effort?: Effort;
  /** Cost supplied by the caller (decimal string), kept unless the workspace reprices. */
  cost: string | null;
  currency: string;
  source: string;
  context: Partial<Record<ContextField, string>>;
  tags: Record<string, string | number | boolean>;
  /**
   * A call for two or more work items: exact shares adding up to 1 (`context.work_item` is then
   * absent). A call for one work item has it in `context.work_item` and no allocation.
   */
  work_items?: WorkItemShare[];
}

// Fixed namespace for content-derived ids (a random v4, chosen once).
const EVENT_ID_NAMESPACE = Buffer.from('6f1f8a4e3c2b4d7a9b522c9f0e6d1a17', 'hex');

/** RFC 9562 UUIDv5 with node's native SHA-1 (the `uuid` package's JS SHA-1 is 5× slower on the ingest path). */
export function uuidV5(name: string): string {
  const h = createHash('sha1').update(EVENT_ID_NAMESPACE).update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** `toISOString()`'s own spelling (a valid instant, checked by the schema): no Date needed to normalise it. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The tags in key order (the content-derived id depends on it); the object itself when it already is. */
function sortedTags(tags: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  let previous: string | undefined;
  for (const k in tags) {
    if (previous !== undefined && !(previous < k)) return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)));
    previous = k;
  }
  return tags;
}

export function toIngestEvent(e: ParsedUsageEvent): IngestEvent {
  const context: IngestEvent['context'] = {};
  for (const f of CONTEXT_FIELDS) if (e[f] !== undefined) context[f] = e[f];
  const allocation = workItemAllocation(e);
  if (allocation?.length === 1) context.work_item = allocation[0]!.work_item;
  // Keys in this order (the content-derived id is the hash of this object's JSON); a tier, an
  // effort and an allocation only when stated, so the ids of events without them stay what they were.
  const event: IngestEvent = {
    event_id: '',
    occurred_at: CANONICAL_UTC.test(e.occurred_at) ? e.occurred_at : new Date(e.occurred_at).toISOString(),
    kind: e.kind,
    provider: e.provider ?? null,
    model: e.model ?? null,
    status: e.status,
    latency_ms: e.latency_ms ?? null,
    tokens: toTokenCounts(e.usage, e.provider),
  } as IngestEvent;
  if (e.service_tier) event.service_tier = e.service_tier;
  if (e.effort) event.effort = e.effort;
  event.cost = e.cost ?? null;
  event.currency = e.currency;
  event.source = e.source;
  event.context = context;
  event.tags = sortedTags(e.tags);
  if (allocation && allocation.length > 1) event.work_items = allocation;
  // Without a client id, the id is derived from the content: a retried request
  // then carries the same ids and is stored once. Two genuinely distinct calls
  // with identical content and timestamp must carry their own ids.
  event.event_id = e.id ?? uuidV5(JSON.stringify(event));
  return event;
}

function workItemAllocation(e: ParsedUsageEvent): WorkItemShare[] | undefined {
  if (!e.work_items) return undefined;
  return allocateShares(e.work_items.map((w) => (typeof w === 'string' ? { id: w, weight: '1' } : { id: w.id, weight: w.share })));
}
