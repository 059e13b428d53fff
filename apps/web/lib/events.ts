// The event fields the log and the detail view show (GraphQL `events`).
export const EVENT_FIELDS = `id occurredAt kind provider model status latencyMs
  tokens { input output cacheRead cacheWrite5m cacheWrite1h reasoning }
  costs { input output cacheRead cacheWrite5m cacheWrite1h reasoning }
  totalCost currency unpriced priceSource priceVersion source space planId taskId taskType workflow step agent
  userId customerId feature sessionId workItem workItems { id share }`;

type Tokens = { input: string; output: string; cacheRead: string; cacheWrite5m: string; cacheWrite1h: string; reasoning: string };
export interface UsageEvent {
  id: string; occurredAt: string; kind: string; provider: string | null; model: string | null; status: string; latencyMs: number | null;
  tokens: Tokens; costs: { [K in keyof Tokens]: string | null }; totalCost: string | null; currency: string; unpriced: boolean;
  priceSource: string | null; priceVersion: string | null; source: string; space: string | null; planId: string | null; taskId: string | null;
  taskType: string | null; workflow: string | null; step: string | null; agent: string | null; userId: string | null; customerId: string | null;
  feature: string | null; sessionId: string | null; workItem: string | null; workItems: Array<{ id: string; share: string }>;
}

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
