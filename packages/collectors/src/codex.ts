// OpenAI Codex CLI rollouts: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl.
// A call is a `token_count` event: its `last_token_usage`, or the difference of successive
// totals when only totals are logged. A repeated total is the same call logged again.
// Counts are in OpenAI's convention (input includes cached, output includes reasoning).
import { basename } from 'node:path';
import { type Call, count } from './call.ts';
import { jsonLines } from './lines.ts';
import { type Cursor, type FileParse, type ParseContext, contentText, str } from './parse-context.ts';

/** Model assumed when a rollout never names one (early Codex builds); it is what those builds ran. */
export const CODEX_FALLBACK_MODEL = 'gpt-5';

interface Totals { input: number; cached: number; cacheWrite: number; output: number; reasoning: number; total: number }
interface Carry { sessionId?: string; cwd?: string; branch?: string; model?: string; effort?: string; last?: Totals }

function totals(u: any): Totals | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const t = {
    input: count(u.input_tokens), cached: count(u.cached_input_tokens), cacheWrite: count(u.cache_write_input_tokens),
    output: count(u.output_tokens), reasoning: count(u.reasoning_output_tokens), total: count(u.total_tokens),
  };
  if (!t.total) t.total = t.input + t.output;
  return t;
}

function minus(a: Totals, b: Totals | undefined): Totals {
  if (!b) return a;
  const d = (x: number, y: number) => Math.max(0, x - y);
  return { input: d(a.input, b.input), cached: d(a.cached, b.cached), cacheWrite: d(a.cacheWrite, b.cacheWrite), output: d(a.output, b.output), reasoning: d(a.reasoning, b.reasoning), total: d(a.total, b.total) };
}

export async function parseCodex(path: string, from: Cursor, ctx: ParseContext): Promise<FileParse> {
  const carry: Carry = { ...(from.carry as Carry | undefined) };
  carry.sessionId ??= /([0-9a-f]{8}-[0-9a-f-]{27})\.jsonl$/i.exec(basename(path))?.[1] ?? basename(path, '.jsonl');
  const calls: Call[] = [];
  const read = { offset: from.offset };
  for await (const { o, text, start } of jsonLines(path, read, ctx.onBytes)) {
    const p = o?.payload;
    if (!p) continue;
    if (o.type === 'session_meta') {
      carry.sessionId = str(p.id) ?? carry.sessionId;
      carry.cwd = str(p.cwd) ?? carry.cwd;
      carry.branch = str(p.git?.branch) ?? carry.branch;
    } else if (o.type === 'turn_context') {
      carry.model = str(p.model) ?? carry.model;
      carry.cwd = str(p.cwd) ?? carry.cwd;
      carry.effort = str(p.effort) ?? carry.effort; // the turn's reasoning effort (absent in early builds)
    } else if (o.type === 'response_item' && p.role === 'user' && ctx.matcher.mayMatch(text)) {
      ctx.sessions.add(carry.sessionId!, ctx.matcher.find(contentText(p.content).replace(/<environment_context>[\s\S]*?<\/environment_context>/g, '')));
    } else if (o.type === 'event_msg' && p.type === 'user_message' && ctx.matcher.mayMatch(text)) {
      ctx.sessions.add(carry.sessionId!, ctx.matcher.find(str(p.message)));
    } else if (o.type === 'event_msg' && p.type === 'token_count' && p.info) {
      const total = totals(p.info.total_token_usage);
      if (total && carry.last && total.total === carry.last.total) continue; // the same call logged again
      const used = totals(p.info.last_token_usage) ?? (total ? minus(total, carry.last) : undefined);
      if (total) carry.last = total;
      if (!used || used.total === 0) continue;
      const model = str(p.info.model) ?? carry.model ?? CODEX_FALLBACK_MODEL;
      calls.push({
        key: `codex:${carry.sessionId}:${total ? total.total : start}`,
        tool: 'codex',
        provider: 'openai',
        model,
        occurredAt: o.timestamp,
        usage: {
          input_tokens: Math.max(used.input, used.cached + used.cacheWrite),
          output_tokens: Math.max(used.output, used.reasoning),
          cache_read_tokens: used.cached,
          cache_write_5m_tokens: used.cacheWrite,
          cache_write_1h_tokens: 0,
          reasoning_tokens: used.reasoning,
          convention: 'openai',
        },
        effort: carry.effort,
        sessionId: carry.sessionId,
        cwd: carry.cwd,
        branch: carry.branch,
        subagent: false,
        workItems: ctx.sessions.current(carry.sessionId!, ctx.matcher.find(carry.branch)),
        offset: start,
      });
    }
  }
  return { calls, cursor: { offset: read.offset, carry: carry as Record<string, unknown> }, skipped: 0, settles: false };
}
