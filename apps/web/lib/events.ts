// The event fields the log and the detail view show (GraphQL `events`, the EventFields fragment).
import type { EventFieldsFragment } from './graphql/operations.ts';

/** An event as the EventFields fragment (graphql/operations/events.graphql) selects it. */
export type UsageEvent = EventFieldsFragment;
type Tokens = UsageEvent['tokens'];

export const TOKEN_TYPES: Array<[keyof Tokens, string]> = [
  ['input', 'Input'], ['cacheRead', 'Cache read'], ['cacheWrite5m', 'Cache write (5 min)'], ['cacheWrite1h', 'Cache write (1 h)'],
  ['output', 'Output'], ['reasoning', 'Reasoning'],
];

export const CONTEXT_FIELDS: Array<[keyof UsageEvent, string]> = [
  ['space', 'Space'], ['planId', 'Plan'], ['taskId', 'Task'], ['taskType', 'Task type'], ['workflow', 'Workflow'], ['step', 'Step'],
  ['agent', 'Agent'], ['userId', 'User'], ['customerId', 'Customer'], ['feature', 'Feature'], ['sessionId', 'Session'],
  ['workItem', 'Work item'], ['source', 'Source'],
];

/** A context field as shown: a call for several work items lists them with their shares (one call, shared). */
export function contextValue(e: UsageEvent, k: keyof UsageEvent): string {
  if (k === 'workItem' && e.workItems.length > 1) return e.workItems.map((w) => `${w.id} (${+(Number(w.share) * 100).toFixed(2)} %)`).join(', ');
  return String(e[k] ?? '—');
}
