// A call as usage events: one per work item it is attributed to (tokens split, see work-items.ts),
// with ids derived from the response's key so a re-sent or re-read call is stored once.
import { type UsageEventInput, toTokenCounts, uuidV5 } from '@spendgraph/schema';
import type { Call } from './call.ts';
import { splitUsage } from './work-items.ts';

const clip = (s: string | undefined, n: number) => (s === undefined ? undefined : s.length > n ? s.slice(0, n) : s);

/** Disjoint partitions (the schema's conversion), clamped: a malformed log line must not fail a batch. */
function disjointUsage(call: Call) {
  const t = toTokenCounts(call.usage, call.provider);
  const n = (v: number) => Math.max(0, v);
  return {
    input_tokens: n(t.input), output_tokens: n(t.output), cache_read_tokens: n(t.cache_read),
    cache_write_5m_tokens: n(t.cache_write_5m), cache_write_1h_tokens: n(t.cache_write_1h), reasoning_tokens: n(t.reasoning),
    convention: 'disjoint' as const,
  };
}

export function callEvents(call: Call): UsageEventInput[] {
  const tags: Record<string, string | boolean> = {};
  if (call.cwd) tags.repository = clip(call.cwd, 500)!;
  if (call.branch) tags.branch = clip(call.branch, 500)!;
  if (call.subagent) tags.subagent = true;
  if (call.agentId) tags.agent_id = clip(call.agentId, 500)!;
  const base: UsageEventInput = {
    occurred_at: call.occurredAt,
    provider: call.provider,
    model: clip(call.model, 200),
    source: call.tool,
    agent: call.subagent ? `${call.tool}/subagent` : call.tool,
    ...(call.sessionId ? { session_id: clip(call.sessionId, 200) } : {}),
    tags,
  };
  const usage = disjointUsage(call);
  if (call.workItems.length === 0) return [{ id: uuidV5(call.key), ...base, usage }];
  const parts = splitUsage(usage, call.workItems.length);
  return call.workItems.map((item, i) => ({
    id: uuidV5(`${call.key}#${item}`),
    ...base,
    work_item: clip(item, 200),
    usage: parts[i]!,
    tags: call.workItems.length > 1 ? { ...tags, work_item_share: `1/${call.workItems.length}` } : tags,
  }));
}
