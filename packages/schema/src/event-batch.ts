// Validation of an ingest request body. A batch is all-or-nothing: if any
// event is invalid, none is accepted and every problem is reported with the
// event's index and the field's path, so the caller can fix and resend.
import { now } from '@spendgraph/periods/clock';
import { MAX_CLOCK_SKEW_MS, usageEventInputSchema } from './usage-event.ts';
import { parseUsageEventFast } from './usage-event-fast.ts';
import { type IngestEvent, toIngestEvent } from './ingest-event.ts';
import type { ParsedUsageEvent } from './usage-event.ts';
import type { RestrictableField } from './vocabulary.ts';

export const MAX_BATCH_EVENTS = 10_000;
const MAX_REPORTED_ISSUES = 100;

export interface BatchIssue {
  /** Position of the event in the request (0-based); -1 for the request as a whole. */
  index: number;
  /** Dotted path of the field at fault, e.g. `usage.input_tokens`. */
  path: string;
  message: string;
  /** `restricted`: the event names another value than the sending key is restricted to. */
  code?: 'restricted';
}

/** A restricted key's values (ApiKeyIdentity.restriction): stamped on events that name none; another value is refused. */
export type Restriction = Readonly<Partial<Record<RestrictableField, string>>>;

export type BatchParseResult = { ok: true; events: IngestEvent[] } | { ok: false; issues: BatchIssue[] };

/**
 * What a restricted key sends gets the key's values where it names none (as it gets the key's
 * workspace); naming another value is refused. Returns the refused fields with why.
 */
export function stampRestriction(context: Partial<Record<RestrictableField, string>>, restriction: Restriction): Array<{ field: RestrictableField; message: string }> {
  const refused = [];
  for (const [field, value] of Object.entries(restriction) as Array<[RestrictableField, string]>) {
    if (context[field] === undefined) context[field] = value;
    else if (context[field] !== value) refused.push({ field, message: `is '${context[field]}', but this key is restricted to ${field} = '${value}'` });
  }
  return refused;
}

/** Stamped before the id is derived from the content: naming the key's value or leaving it out is the same event. */
function restrict(e: ParsedUsageEvent, restriction: Restriction, index: number): BatchIssue[] {
  return stampRestriction(e, restriction).map(({ field, message }) => ({ index, path: field, code: 'restricted', message }));
}

export function parseEventBatch(items: unknown[], restriction?: Restriction): BatchParseResult {
  if (items.length === 0) return { ok: false, issues: [{ index: -1, path: '', message: 'the batch is empty' }] };
  if (items.length > MAX_BATCH_EVENTS) {
    return {
      ok: false,
      issues: [{ index: -1, path: '', message: `the batch has ${items.length} events; the limit is ${MAX_BATCH_EVENTS}` }],
    };
  }
  const events: IngestEvent[] = [];
  const issues: BatchIssue[] = [];
  const latest = now().getTime() + MAX_CLOCK_SKEW_MS;
  items.forEach((item, index) => {
    // The schema decides whatever the fast path cannot vouch for (and words every issue).
    const fast = parseUsageEventFast(item, latest);
    const parsed = fast ? ({ success: true, data: fast } as const) : usageEventInputSchema.safeParse(item);
    const refused = parsed.success && restriction ? restrict(parsed.data, restriction, index) : [];
    if (parsed.success && refused.length === 0) {
      if (issues.length === 0) events.push(toIngestEvent(parsed.data));
      return;
    }
    if (parsed.success) {
      issues.push(...refused.slice(0, Math.max(0, MAX_REPORTED_ISSUES - issues.length)));
      return;
    }
    for (const issue of parsed.error.issues) {
      if (issues.length < MAX_REPORTED_ISSUES) {
        // An unknown field is reported at its own path, not its parent's.
        const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(',')] : issue.path;
        issues.push({ index, path: path.join('.'), message: issue.message });
      }
    }
  });
  return issues.length ? { ok: false, issues } : { ok: true, events };
}
