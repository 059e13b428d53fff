// The event fields the log and the detail view show (GraphQL `events`).
import type * as Schema from './graphql/schema.ts';

export const EVENT_FIELDS = `id occurredAt kind provider model status latencyMs
  tokens { input output cacheRead cacheWrite5m cacheWrite1h reasoning }
  costs { input output cacheRead cacheWrite5m cacheWrite1h reasoning }
  totalCost currency unpriced priceSource priceVersion serviceTier effort source space planId taskId taskType workflow step agent
  userId customerId feature sessionId workItem workItems { id share }`;

type Tokens = Schema.TokenCounts;
/** An event as EVENT_FIELDS selects it (type generated from the schema). */
export type UsageEvent = Pick<Schema.UsageEvent,
  'id' | 'occurredAt' | 'kind' | 'provider' | 'model' | 'status' | 'latencyMs' | 'tokens' | 'costs' | 'totalCost' | 'currency' | 'unpriced' |
  'priceSource' | 'priceVersion' | 'serviceTier' | 'effort' | 'source' | 'space' | 'planId' | 'taskId' | 'taskType' | 'workflow' | 'step' | 'agent' | 'userId' |
  'customerId' | 'feature' | 'sessionId' | 'workItem' | 'workItems'>;

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
