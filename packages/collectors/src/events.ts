// A call as one usage event, with its id derived from the response's key so a re-sent or re-read
// call is stored once. A call for several work items names them all, in equal shares
// (`work_items`): still one call, one event; the allocation divides its cost exactly.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { TOKEN_TYPES, type UsageEventInput, knownEffort, toTokenCounts, tokensColumns, uuidV5 } from '@spendgraph/schema';
import type { Call } from './call.ts';

/** Where the calls were collected: the machine (tags `machine`, `os`) and, if given, the developer (`user_id`). */
export interface Origin { machine: string; os: string; user?: string | undefined }

/**
 * This machine: the name given (e.g. `ci-linux` for a pool of runners whose host names change), or else
 * a hash of its host name (the name itself is not sent); and its OS.
 */
export function thisMachine(o: { user?: string | undefined; name?: string | undefined } = {}, host = hostname(), os: string = process.platform): Origin {
  const machine = o.name?.trim() || createHash('sha256').update(host.toLowerCase()).digest('hex').slice(0, 12);
  return { machine: machine.slice(0, 100), os, user: o.user };
}

const clip = (s: string | undefined, n: number) => (s === undefined ? undefined : s.length > n ? s.slice(0, n) : s);

/** Disjoint partitions (the schema's conversion), clamped: a malformed log line must not fail a batch. */
function disjointUsage(call: Call) {
  const t = toTokenCounts(call.usage, call.provider);
  for (const k of TOKEN_TYPES) t[k] = Math.max(0, t[k]);
  return { ...tokensColumns(t), convention: 'disjoint' as const };
}

export function callEvent(call: Call, origin?: Origin): UsageEventInput {
  const tags: Record<string, string | boolean> = {};
  if (origin) {
    tags.machine = origin.machine;
    tags.os = origin.os;
  }
  if (call.cwd) tags.repository = clip(call.cwd, 500)!;
  if (call.branch) tags.branch = clip(call.branch, 500)!;
  if (call.subagent) tags.subagent = true;
  if (call.agentId) tags.agent_id = clip(call.agentId, 500)!;
  const items = call.workItems.map((i) => clip(i, 200)!);
  return {
    id: uuidV5(call.key),
    occurred_at: call.occurredAt,
    provider: call.provider,
    model: clip(call.model, 200),
    source: call.tool,
    agent: call.subagent ? `${call.tool}/subagent` : call.tool,
    ...(call.sessionId ? { session_id: clip(call.sessionId, 200) } : {}),
    ...(origin?.user ? { user_id: clip(origin.user, 200) } : {}),
    ...(items.length === 1 ? { work_item: items[0] } : items.length > 1 ? { work_items: items } : {}),
    usage: disjointUsage(call),
    ...(knownEffort(call.effort) ? { effort: knownEffort(call.effort) } : {}),
    tags,
  };
}
