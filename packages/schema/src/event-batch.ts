// Validation of an ingest request body. A batch is all-or-nothing: if any
// event is invalid, none is accepted and every problem is reported with the
// event's index and the field's path, so the caller can fix and resend.
import { usageEventInputSchema } from './usage-event.ts';
import { type IngestEvent, toIngestEvent } from './ingest-event.ts';

export const MAX_BATCH_EVENTS = 10_000;
const MAX_REPORTED_ISSUES = 100;

export interface BatchIssue {
  /** Position of the event in the request (0-based); -1 for the request as a whole. */
  index: number;
  /** Dotted path of the field at fault, e.g. `usage.input_tokens`. */
  path: string;
  message: string;
}

export type BatchParseResult = { ok: true; events: IngestEvent[] } | { ok: false; issues: BatchIssue[] };

export function parseEventBatch(items: unknown[]): BatchParseResult {
  if (items.length === 0) return { ok: false, issues: [{ index: -1, path: '', message: 'the batch is empty' }] };
  if (items.length > MAX_BATCH_EVENTS) {
    return {
      ok: false,
      issues: [{ index: -1, path: '', message: `the batch has ${items.length} events; the limit is ${MAX_BATCH_EVENTS}` }],
    };
  }
  const events: IngestEvent[] = [];
  const issues: BatchIssue[] = [];
  items.forEach((item, index) => {
    const parsed = usageEventInputSchema.safeParse(item);
    if (parsed.success) {
      if (issues.length === 0) events.push(toIngestEvent(parsed.data));
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
